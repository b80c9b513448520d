import type { BmcModel } from '../model/bmc-model.js';
import type { SimSensor } from '../model/sensors.js';
import { CHASSIS, context, fullSensorsOf, health, MANAGER, odata, psus, psuStatus, ref, SYSTEM, sensorId, value, type Doc } from './view-common.js';

/**
 * The chassis document and the legacy generation's documents under it:
 * Thermal.v1_7 (temperatures, fans) and Power.v1_7 (power control with its
 * min/max/average, voltages, power supplies), each reading with its
 * thresholds inline.
 */

/** Which generation's links the chassis document carries. */
export interface ChassisLinks {
  legacy: boolean;
  subsystems: boolean;
}

export function chassisDocument(model: BmcModel, links: ChassisLinks): Doc {
  const c = model.chassisState;
  const fault = c.powerFault || c.coolingFault || c.driveFault;
  return odata(CHASSIS, '#Chassis.v1_22_0.Chassis', {
    Id: '1',
    Name: 'Chassis',
    ChassisType: 'RackMount',
    PowerState: c.poweredOn ? 'On' : 'Off',
    PhysicalSecurity: { IntrusionSensor: c.intrusion ? 'HardwareIntrusion' : 'Normal' },
    Status: { State: 'Enabled', Health: fault ? 'Critical' : 'OK', HealthRollup: fault ? 'Critical' : 'OK' },
    ...(links.legacy ? { Thermal: ref(`${CHASSIS}/Thermal`), Power: ref(`${CHASSIS}/Power`) } : {}),
    ...(links.subsystems
      ? {
          ThermalSubsystem: ref(`${CHASSIS}/ThermalSubsystem`),
          PowerSubsystem: ref(`${CHASSIS}/PowerSubsystem`),
          EnvironmentMetrics: ref(`${CHASSIS}/EnvironmentMetrics`),
          Sensors: ref(`${CHASSIS}/Sensors`),
        }
      : {}),
    Links: { ComputerSystems: [ref(SYSTEM)], ManagedBy: [ref(MANAGER)] },
  });
}

function legacyThresholds(s: SimSensor): Doc {
  const t = s.rawThresholds;
  const out: Doc = {};
  const put = (k: string, raw: number | undefined) => {
    if (raw !== undefined) out[k] = value(s, raw);
  };
  put('UpperThresholdNonCritical', t.unc);
  put('UpperThresholdCritical', t.ucr);
  put('UpperThresholdFatal', t.unr);
  put('LowerThresholdNonCritical', t.lnc);
  put('LowerThresholdCritical', t.lcr);
  put('LowerThresholdFatal', t.lnr);
  return out;
}

export function thermalDocument(model: BmcModel): Doc {
  const p = `${CHASSIS}/Thermal`;
  const temps = fullSensorsOf(model, [0x01]).map((s, i) =>
    odata(`${p}#/Temperatures/${i}`, '#Thermal.v1_7_0.Temperature', {
      MemberId: sensorId(s),
      Name: s.name,
      SensorNumber: s.number,
      ReadingCelsius: value(s, s.rawReading),
      PhysicalContext: context(s),
      Status: health(s),
      ...legacyThresholds(s),
    }),
  );
  const fans = fullSensorsOf(model, [0x04]).map((s, i) =>
    odata(`${p}#/Fans/${i}`, '#Thermal.v1_7_0.Fan', {
      MemberId: sensorId(s),
      Name: s.name,
      SensorNumber: s.number,
      Reading: value(s, s.rawReading),
      ReadingUnits: 'RPM',
      PhysicalContext: 'Fan',
      Status: health(s),
      ...legacyThresholds(s),
    }),
  );
  return odata(p, '#Thermal.v1_7_0.Thermal', {
    Id: 'Thermal',
    Name: 'Thermal',
    Status: { State: 'Enabled', Health: model.chassisState.coolingFault ? 'Critical' : 'OK' },
    Temperatures: temps,
    Fans: fans,
  });
}

export function powerDocument(model: BmcModel): Doc {
  const p = `${CHASSIS}/Power`;
  const dcmi = model.dcmiPower;
  const voltages = fullSensorsOf(model, [0x02]).map((s, i) =>
    odata(`${p}#/Voltages/${i}`, '#Power.v1_7_0.Voltage', {
      MemberId: sensorId(s),
      Name: s.name,
      SensorNumber: s.number,
      ReadingVolts: value(s, s.rawReading),
      PhysicalContext: context(s),
      Status: health(s),
      ...legacyThresholds(s),
    }),
  );
  const supplies = psus(model).map((g, i) =>
    odata(`${p}#/PowerSupplies/${i}`, '#Power.v1_7_0.PowerSupply', {
      MemberId: String(g.instance),
      Name: `PSU${g.instance}`,
      PowerInputWatts: g.watts ? value(g.watts, g.watts.rawReading) : null,
      Status: psuStatus(g),
    }),
  );
  const control = dcmi
    ? [
        odata(`${p}#/PowerControl/0`, '#Power.v1_7_0.PowerControl', {
          MemberId: '0',
          Name: 'System Power Control',
          PowerConsumedWatts: dcmi.powerWatts.current,
          PowerMetrics: {
            IntervalInMin: Math.max(1, Math.round((dcmi.periodSeconds ?? 60) / 60)),
            MinConsumedWatts: dcmi.powerWatts.min,
            MaxConsumedWatts: dcmi.powerWatts.max,
            AverageConsumedWatts: dcmi.powerWatts.average,
          },
        }),
      ]
    : [];
  return odata(p, '#Power.v1_7_0.Power', {
    Id: 'Power',
    Name: 'Power',
    Status: { State: 'Enabled', Health: model.chassisState.powerFault ? 'Critical' : 'OK' },
    PowerControl: control,
    Voltages: voltages,
    PowerSupplies: supplies,
  });
}
