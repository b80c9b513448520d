import { CompletionCodeError, type DeviceId, type SensorDescriptor, type SensorReading } from '@bmc-exporter/ipmi';
import { describe, expect, it } from 'vitest';
import { Exposition } from '../../metrics/exposition.js';
import type { IpmiModule } from '../modules-config.js';
import type { CompatContext } from './compat-collector.js';
import { ipmiSensorsCollector } from './sensors.js';
import { bmcCompatCollector } from './simple.js';

const MODULE: IpmiModule = { name: 'default', user: 'u', pass: 'p', collectors: ['ipmi', 'bmc'], excludeSensorIds: new Set(), selEvents: [] };

function descriptor(recordId: number, name: string, unit: string): SensorDescriptor {
  return {
    key: `32:0:${recordId}`,
    name,
    number: recordId,
    ownerId: 0x20,
    lun: 0,
    channel: 0,
    recordId,
    recordKind: 'full',
    sensorType: unit === 'celsius' ? 0x01 : 0x02,
    sensorTypeName: '',
    eventReadingType: 0x01,
    entityId: 0,
    entityIdName: '',
    entityInstance: 0,
    unit,
    unitName: '',
    isThreshold: true,
    hasAnalogReading: true,
    readable: true,
    bridged: false,
    conversion: undefined,
    thresholds: undefined,
  };
}

const DEVICE = { manufacturerId: 0x1234, firmwareMajor: 1, firmwareMinorRaw: 0x25 } as DeviceId;

/** A scrape's context on a fake BMC: readings by sensor name, Get System Info answers by set. */
function context(opts: {
  sensors?: readonly SensorDescriptor[];
  readings?: Record<string, number | null>;
  info?: { device: DeviceId; guid: Buffer | null };
  firmware?: () => Buffer;
  sent?: string[];
}): CompatContext {
  const sent = opts.sent ?? [];
  return {
    module: MODULE,
    out: new Exposition(),
    signal: new AbortController().signal,
    deadline: Infinity,
    target: {
      ipmiVersion: '2.0',
      deviceInfo: async () => opts.info ?? { device: DEVICE, guid: null },
      sensors: async () => opts.sensors ?? [],
      dcmiPowerSupported: async () => false,
      dcmiPowerUnsupported: () => undefined,
      selState: () => {
        throw new Error('not used');
      },
    },
    execute: (async (command: { name: string }) => {
      sent.push(command.name);
      if (command.name !== 'Get System Info Parameters' || !opts.firmware) throw new Error(`unexpected ${command.name}`);
      return { setSelector: 0, data: opts.firmware() };
    }) as CompatContext['execute'],
    readSensor: async (d): Promise<SensorReading> => {
      const value = opts.readings?.[d.name] ?? null;
      return { descriptor: d, value, state: value === null ? 'unavailable' : 'ok', available: value !== null };
    },
    dcmiPowerReading: async () => null,
  };
}

describe('ipmi collector', () => {
  it('exports each scrape its own readings, rounded to two decimals as FreeIPMI prints them', async () => {
    const sensors = [descriptor(1, 'Temp', 'celsius'), descriptor(2, 'Vcore', 'volts')];
    const values: Array<[number, number | null, number, number]> = [
      [25.004, 1.005, 25, 1],
      [25.004, 1.239, 25, 1.24],
      [31.6666, null, 31.67, NaN],
      [25.004, 1.005, 25, 1],
    ];
    for (const [temp, volts, wantTemp, wantVolts] of values) {
      const ctx = context({ sensors, readings: { Temp: temp, Vcore: volts } });
      await ipmiSensorsCollector.collect(ctx);
      expect(ctx.out.value('ipmi_temperature_celsius', '{id="1",name="Temp"}')).toBe(wantTemp);
      expect(ctx.out.value('ipmi_voltage_volts', '{id="2",name="Vcore"}')).toBe(wantVolts);
      expect(ctx.out.value('ipmi_voltage_state', '{id="2",name="Vcore"}')).toBe(volts === null ? NaN : 0);
    }
  });
});

describe('bmc collector', () => {
  /** Get System Info Parameters set 0: encoding, length 6, "1.2.3a". */
  const firmware = () => Buffer.from([0x00, 0x06, ...Buffer.from('1.2.3a', 'latin1')]);

  it('asks for the system firmware version once per session and labels every scrape with it', async () => {
    const sent: string[] = [];
    const info = { device: DEVICE, guid: null };
    for (let i = 0; i < 3; i++) {
      const ctx = context({ info, firmware, sent });
      await bmcCompatCollector.collect(ctx);
      expect(ctx.out.value('ipmi_bmc_info', '{firmware_revision="1.25",manufacturer_id="4660",system_firmware_version="1.2.3"}')).toBe(1);
    }
    expect(sent).toEqual(['Get System Info Parameters']);
    // A new session (a new device info object) asks again, and labels with what its BMC says.
    const next = context({ info: { device: { ...DEVICE, firmwareMajor: 2 }, guid: null }, firmware, sent });
    await bmcCompatCollector.collect(next);
    expect(next.out.value('ipmi_bmc_info', '{firmware_revision="2.25",manufacturer_id="4660",system_firmware_version="1.2.3"}')).toBe(1);
    expect(sent).toHaveLength(2);
  });

  it('says N/A for a BMC that does not keep the version, and asks again after a failed read', async () => {
    const info = { device: DEVICE, guid: null };
    const sent: string[] = [];
    const failing = context({ info, sent });
    await expect(bmcCompatCollector.collect(failing)).rejects.toThrow('unexpected Get System Info Parameters');
    const refused = context({
      info,
      sent,
      firmware: () => {
        throw new CompletionCodeError('Get System Info Parameters', 0x80);
      },
    });
    await bmcCompatCollector.collect(refused);
    expect(refused.out.value('ipmi_bmc_info', '{firmware_revision="1.25",manufacturer_id="4660",system_firmware_version="N/A"}')).toBe(1);
    expect(sent).toHaveLength(2);
  });
});
