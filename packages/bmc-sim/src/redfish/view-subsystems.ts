import type { BmcModel } from '../model/bmc-model.js';
import type { SimSensor } from '../model/sensors.js';
import { CHASSIS, collection, context, fullSensorsOf, health, OTHER_UNITS, odata, psus, psuStatus, ref, sensorId, value, type Doc } from './view-common.js';

/**
 * The current generation's documents under the chassis: the Sensors
 * collection (Sensor.v1_x, one per analog sensor plus the total-power
 * sensor), ThermalSubsystem with its ThermalMetrics, PowerSubsystem with
 * its PowerSupplies and their Metrics, and EnvironmentMetrics.
 */

const TOTAL_POWER_SENSOR = 'TotalPower';

/** IPMI sensor type (Table 42-3) -> Sensor.ReadingType and its UCUM unit. */
const READING_TYPES: Readonly<Record<number, { type: string; units: string }>> = {
  0x01: { type: 'Temperature', units: 'Cel' },
  0x02: { type: 'Voltage', units: 'V' },
  0x03: { type: 'Current', units: 'A' },
  0x04: { type: 'Rotational', units: 'RPM' },
};

function sensorsOfNewGeneration(model: BmcModel): SimSensor[] {
  return model.sensors.filter(
    (s) => s.kind === 'full' && (READING_TYPES[s.sensorType] !== undefined || (s.sensorType === OTHER_UNITS && s.def.unit === 'watts')),
  );
}

export function sensorDocument(s: SimSensor): Doc {
  const rt = READING_TYPES[s.sensorType] ?? { type: 'Power', units: 'W' };
  const t = s.rawThresholds;
  const th: Doc = {};
  const put = (k: string, raw: number | undefined) => {
    if (raw !== undefined) th[k] = { Reading: value(s, raw) };
  };
  put('UpperCaution', t.unc);
  put('UpperCritical', t.ucr);
  put('UpperFatal', t.unr);
  put('LowerCaution', t.lnc);
  put('LowerCritical', t.lcr);
  put('LowerFatal', t.lnr);
  const id = sensorId(s);
  return odata(`${CHASSIS}/Sensors/${id}`, '#Sensor.v1_9_0.Sensor', {
    Id: id,
    Name: s.name,
    Reading: value(s, s.rawReading),
    ReadingType: rt.type,
    ReadingUnits: rt.units,
    PhysicalContext: context(s),
    Status: health(s),
    Thresholds: th,
  });
}

function totalPowerSensor(model: BmcModel): Doc | undefined {
  const d = model.dcmiPower;
  if (!d) return undefined;
  return odata(`${CHASSIS}/Sensors/${TOTAL_POWER_SENSOR}`, '#Sensor.v1_9_0.Sensor', {
    Id: TOTAL_POWER_SENSOR,
    Name: 'Total Power',
    Reading: d.powerWatts.current,
    ReadingType: 'Power',
    ReadingUnits: 'W',
    PhysicalContext: 'Chassis',
    PeakReading: d.powerWatts.max,
    LowestReading: d.powerWatts.min,
    AverageReading: d.powerWatts.average,
    AveragingInterval: `PT${d.periodSeconds ?? 60}S`,
    Status: { State: 'Enabled', Health: 'OK' },
  });
}

/** Every Sensor document, as the collection's members (and its $expand) list them. */
export function sensorMembers(model: BmcModel): Doc[] {
  const docs = sensorsOfNewGeneration(model).map((s) => sensorDocument(s));
  const total = totalPowerSensor(model);
  if (total) docs.push(total);
  return docs;
}

/** The current generation's document at `p`; undefined = 404. */
export function subsystemDocument(model: BmcModel, p: string): Doc | undefined {
  const sensors = `${CHASSIS}/Sensors`;
  if (p === sensors)
    return collection(
      p,
      'SensorCollection',
      'Sensors',
      sensorMembers(model).map((d) => d['@odata.id'] as string),
    );
  if (p.startsWith(`${sensors}/`)) {
    const id = p.slice(sensors.length + 1);
    if (id === TOTAL_POWER_SENSOR) return totalPowerSensor(model);
    const s = sensorsOfNewGeneration(model).find((x) => sensorId(x) === id);
    return s ? sensorDocument(s) : undefined;
  }
  const c = model.chassisState;
  const ts = `${CHASSIS}/ThermalSubsystem`;
  if (p === ts) {
    return odata(p, '#ThermalSubsystem.v1_3_0.ThermalSubsystem', {
      Id: 'ThermalSubsystem',
      Name: 'Thermal Subsystem',
      Status: { State: 'Enabled', Health: c.coolingFault ? 'Critical' : 'OK' },
      ThermalMetrics: ref(`${ts}/ThermalMetrics`),
    });
  }
  if (p === `${ts}/ThermalMetrics`) {
    const temps = fullSensorsOf(model, [0x01]);
    const summary = (ctx: string) => {
      const s = temps.find((x) => context(x) === ctx);
      return s ? { Reading: value(s, s.rawReading), DataSourceUri: `${sensors}/${sensorId(s)}` } : undefined;
    };
    return odata(p, '#ThermalMetrics.v1_3_0.ThermalMetrics', {
      Id: 'ThermalMetrics',
      Name: 'Thermal Metrics',
      TemperatureSummaryCelsius: { Intake: summary('Intake'), Exhaust: summary('Exhaust') },
      TemperatureReadingsCelsius: temps.map((s) => ({ DataSourceUri: `${sensors}/${sensorId(s)}`, DeviceName: s.name, Reading: value(s, s.rawReading) })),
    });
  }
  const ps = `${CHASSIS}/PowerSubsystem`;
  if (p === ps) {
    return odata(p, '#PowerSubsystem.v1_1_0.PowerSubsystem', {
      Id: 'PowerSubsystem',
      Name: 'Power Subsystem',
      Status: { State: 'Enabled', Health: c.powerFault ? 'Critical' : 'OK' },
      PowerSupplies: ref(`${ps}/PowerSupplies`),
    });
  }
  const supplies = `${ps}/PowerSupplies`;
  if (p === supplies) {
    return collection(
      p,
      'PowerSupplyCollection',
      'Power Supplies',
      psus(model).map((g) => `${supplies}/${g.instance}`),
    );
  }
  const supplyPath = /^(\d+)(\/Metrics)?$/.exec(p.startsWith(`${supplies}/`) ? p.slice(supplies.length + 1) : '');
  if (supplyPath) {
    const g = psus(model).find((x) => x.instance === Number(supplyPath[1]));
    if (!g) return undefined;
    const base = `${supplies}/${g.instance}`;
    if (supplyPath[2]) {
      return odata(`${base}/Metrics`, '#PowerSupplyMetrics.v1_1_0.PowerSupplyMetrics', {
        Id: 'Metrics',
        Name: `PSU${g.instance} Metrics`,
        InputPowerWatts: {
          Reading: g.watts ? value(g.watts, g.watts.rawReading) : null,
          ...(g.watts ? { DataSourceUri: `${sensors}/${sensorId(g.watts)}` } : {}),
        },
      });
    }
    return odata(base, '#PowerSupply.v1_5_0.PowerSupply', {
      Id: String(g.instance),
      Name: `PSU${g.instance}`,
      Status: psuStatus(g),
      Metrics: ref(`${base}/Metrics`),
    });
  }
  if (p === `${CHASSIS}/EnvironmentMetrics`) {
    const d = model.dcmiPower;
    return odata(p, '#EnvironmentMetrics.v1_3_0.EnvironmentMetrics', {
      Id: 'EnvironmentMetrics',
      Name: 'Chassis Environment Metrics',
      ...(d ? { PowerWatts: { Reading: d.powerWatts.current, DataSourceUri: `${sensors}/${TOTAL_POWER_SENSOR}` } } : {}),
    });
  }
  return undefined;
}
