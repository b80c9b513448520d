import {
  CompletionCodeError,
  dcmiGetPowerReading,
  dcmiGetSupportedCapabilities,
  describeEvent,
  formatFirmware,
  formatGuid,
  getChassisStatus,
  getDeviceId,
  getSdr,
  getSelInfo,
  getSensorReading,
  getSystemGuid,
  parseFru,
  readFru,
  readSdrRepository,
  readSelEntries,
  readSensor,
  reserveSdrRepository,
  sensorsFromSdr,
  type Command,
  type Execute,
  type ExecuteOptions,
} from '@bmc-exporter/ipmi';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../command-handler.js';
import { BmcModel } from './bmc-model.js';
import { deriveLinear, resolution } from './conversion.js';
import type { BmcDefinition } from './definition.js';
import { PROFILES } from './profiles.js';
import { varyDefinition } from './vary.js';

const USER: CommandContext = { privilege: 2, sessionId: 1, ipmiVersion: '2.0' };
const T0 = Date.UTC(2024, 0, 1);

/** The library's Execute straight onto model.handler: no network, the library's own codecs both ways. */
function executor(model: BmcModel, ctx: CommandContext = USER, spy?: (cmd: Command<unknown, unknown>, request: unknown) => void): Execute {
  return (async <Req, Rsp>(command: Command<Req, Rsp>, request: Req, options?: ExecuteOptions): Promise<Rsp> => {
    spy?.(command as Command<unknown, unknown>, request);
    const rsp = model.handler({ netFn: command.netFn, cmd: command.cmd, lun: options?.lun ?? 0, data: command.encode(request) }, ctx);
    if (rsp === undefined) throw new Error(`${command.name}: no answer`);
    if (rsp.completionCode !== 0) throw new CompletionCodeError(command.name, rsp.completionCode);
    return command.decode(rsp.data ?? Buffer.alloc(0));
  }) as Execute;
}

function model(def: BmcDefinition, now = T0): BmcModel {
  return new BmcModel(def, { now: () => now });
}

describe.each(Object.keys(PROFILES))('profile %s read by the library', (name) => {
  const def = PROFILES[name]!;
  it('SDR walk + readSensor give the defined names, units, entities and values', async () => {
    const m = model(def);
    const exec = executor(m);
    const { records, unparsed } = await readSdrRepository(exec);
    expect(unparsed).toEqual([]);
    expect(records.length).toBe(def.sensors.length + 1);
    const sensors = sensorsFromSdr(records);
    expect(sensors.map((s) => s.name)).toEqual(def.sensors.map((s) => s.name));
    for (const sd of def.sensors) {
      const d = sensors.find((s) => s.name === sd.name)!;
      expect(d.number).toBe(sd.number);
      expect(d.entityInstance).toBe(sd.entity.instance);
      if (sd.unit) expect(d.unit).toBe(sd.unit === 'amps' ? 'amperes' : sd.unit);
      const reading = await readSensor(exec, d);
      if (sd.present === false || sd.record === 'event-only') {
        expect(reading.available).toBe(false);
        continue;
      }
      if (sd.value !== undefined) {
        expect(reading.state).toBe('ok');
        expect(Math.abs(reading.value! - sd.value)).toBeLessThanOrEqual(resolution(deriveLinear(sd)) / 2 + 1e-9);
      } else {
        expect(reading.state).toBe('discrete');
        expect(reading.discreteStates).toBe((sd.states ?? []).reduce((a, o) => a | (1 << o), 0));
      }
    }
    if (name === 'gpu-server') expect(records.length).toBeGreaterThan(100);
  });

  it('device ID, GUID, chassis, FRU and DCMI read back', async () => {
    const exec = executor(model(def));
    const dev = await exec(getDeviceId, undefined);
    expect(formatFirmware(dev)).toBe(def.device.firmware);
    expect(dev.manufacturerId).toBe(def.device.manufacturerId);
    expect(dev.ipmiVersion).toBe(def.protocol?.ipmi20 === false ? '1.5' : '2.0');
    expect(formatGuid((await exec(getSystemGuid, undefined)).guid)).toBe(def.guid);
    expect((await exec(getChassisStatus, undefined)).poweredOn).toBe(def.chassis?.poweredOn ?? true);
    if (def.fru) {
      const fru = parseFru(await readFru(exec));
      expect(fru.product?.productName).toBe(def.fru.product?.productName);
      expect(fru.product?.serialNumber ?? fru.board?.serialNumber).toBe(def.fru.product?.serialNumber ?? def.fru.board?.serialNumber);
    }
    if (typeof def.dcmi === 'object') {
      expect((await exec(dcmiGetSupportedCapabilities, undefined)).supported.powerManagement).toBe(true);
      const p = await exec(dcmiGetPowerReading, {});
      expect([p.currentWatts, p.minimumWatts, p.maximumWatts, p.averageWatts]).toEqual([
        def.dcmi.powerWatts.current,
        def.dcmi.powerWatts.min,
        def.dcmi.powerWatts.max,
        def.dcmi.powerWatts.average,
      ]);
      expect(p.powerMeasurementActive).toBe(true);
      expect(p.timestamp).toBe(T0 / 1000);
    } else {
      await expect(exec(dcmiGetPowerReading, {})).rejects.toMatchObject({ completionCode: 0xc1 });
    }
  });
});

describe('BmcModel sensors', () => {
  const def = PROFILES['server-2s']!;
  it('threshold status bits follow the value; null is "reading unavailable"; absent is 0xCB', async () => {
    const m = model(def);
    const exec = executor(m);
    const sensors = sensorsFromSdr((await readSdrRepository(exec)).records);
    const cpu = sensors.find((s) => s.name === 'CPU1 Temp')!;
    m.setSensorValue('CPU1 Temp', 87);
    expect((await readSensor(exec, cpu)).state).toBe('non-critical');
    m.setSensorValue(0x01, 92);
    expect((await readSensor(exec, cpu)).state).toBe('critical');
    m.setSensorValue('CPU1 Temp', 99);
    expect(await readSensor(exec, cpu)).toMatchObject({ state: 'non-recoverable', value: 99 });
    m.setSensorValue('CPU1 Temp', null);
    expect(await readSensor(exec, cpu)).toMatchObject({ available: false, value: null });
    const fan = sensors.find((s) => s.name === 'FAN1')!;
    m.setSensorValue('FAN1', 500);
    expect((await readSensor(exec, fan)).state).toBe('critical');
    m.setSensorPresent('FAN1', false);
    await expect(exec(getSensorReading, { sensorNumber: fan.number })).rejects.toMatchObject({ completionCode: 0xcb });
    await expect(exec(getSensorReading, { sensorNumber: 0xee })).rejects.toMatchObject({ completionCode: 0xcb });
  });

  it('PSU watts typed Other Units (0x0B) and the ID string type 00 quirk decode as configured', async () => {
    const exec = executor(model(def));
    const { records } = await readSdrRepository(exec);
    const sensors = sensorsFromSdr(records);
    const psu = sensors.find((s) => s.name === 'PSU1 Input Power')!;
    expect([psu.sensorType, psu.unit, psu.entityId]).toEqual([0x0b, 'watts', 0x0a]);
    const intrusion = records.find((r) => r.kind === 'compact' && r.name === 'Intrusion');
    expect(intrusion && 'idStringTypeLength' in intrusion ? intrusion.idStringTypeLength >> 6 : -1).toBe(0);
  });

  it('discrete states set at run time read back', async () => {
    const m = model(def);
    const exec = executor(m);
    const psu = sensorsFromSdr((await readSdrRepository(exec)).records).find((s) => s.name === 'PSU2 Status')!;
    m.setSensorStates('PSU2 Status', [0, 1, 9]);
    expect((await readSensor(exec, psu)).discreteStates).toBe(0b10_0000_0011);
  });
});

describe('BmcModel SDR quirks', () => {
  it('sdrMaxRead answers 0xCA for big reads and the library shrinks its chunks', async () => {
    const m = model({ ...PROFILES['server-2s']!, quirks: { sdrMaxRead: 6 } });
    const exec = executor(m);
    await expect(exec(getSdr, { reservationId: 0, recordId: 0, offset: 0, bytesToRead: 0xff })).rejects.toMatchObject({ completionCode: 0xca });
    const { records } = await readSdrRepository(exec, { chunkSize: 16 });
    expect(records.length).toBe(PROFILES['server-2s']!.sensors.length + 1);
  });

  it('whole records from offset 0 need no reservation: the library takes none', async () => {
    const m = model(PROFILES['server-2s']!);
    let getSdrCalls = 0;
    let reserves = 0;
    const exec = executor(m, USER, (cmd) => {
      if (cmd.name === 'Get SDR') getSdrCalls++;
      if (cmd.name === reserveSdrRepository.name) reserves++;
    });
    const { records } = await readSdrRepository(exec);
    expect(records.length).toBe(PROFILES['server-2s']!.sensors.length + 1);
    expect(getSdrCalls).toBe(records.length);
    expect(reserves).toBe(0);
  });

  it('sdrMaxRead forces the fallback: one refused whole read and one refused body per walk, then 16-byte chunks under one reservation', async () => {
    const m = model({ ...PROFILES['server-2s']!, quirks: { sdrMaxRead: 16 } });
    const gets: Array<{ offset: number; bytesToRead: number }> = [];
    let reserves = 0;
    const exec = executor(m, USER, (cmd, req) => {
      if (cmd.name === 'Get SDR') gets.push(req as { offset: number; bytesToRead: number });
      if (cmd.name === reserveSdrRepository.name) reserves++;
    });
    const { records } = await readSdrRepository(exec);
    expect(records.length).toBe(m.sdr.recordCount);
    expect(reserves).toBe(1);
    expect(gets.filter((g) => g.bytesToRead === 0xff)).toHaveLength(1);
    // Every record: its header, then its body in reads of at most 16 bytes; plus the two refusals.
    const parts = m.sdr.records.reduce((n, r) => n + 1 + Math.ceil((r.length - 5) / 16), 0);
    expect(gets).toHaveLength(parts + 2);
  });

  it('a reservation cancelled mid-walk gives 0xC5 and the library re-reserves', async () => {
    const m = model(PROFILES['server-2s']!);
    let getSdrCalls = 0;
    let reserves = 0;
    const exec = executor(m, USER, (cmd) => {
      if (cmd.name === 'Get SDR' && ++getSdrCalls === 20) m.cancelSdrReservation();
      if (cmd.name === reserveSdrRepository.name) reserves++;
    });
    // Records in parts: reads past offset 0 carry the reservation.
    const { records } = await readSdrRepository(exec, { wholeRecords: false });
    expect(records.length).toBe(PROFILES['server-2s']!.sensors.length + 1);
    expect(reserves).toBe(2);
    await expect(exec(getSdr, { reservationId: 1, recordId: 2, offset: 5, bytesToRead: 4 })).rejects.toMatchObject({ completionCode: 0xc5 });
  });

  it('exposes repository info and the slow-SDR hint', () => {
    const m = model({ ...PROFILES.minimal!, quirks: { slowSdrMs: 250 } });
    expect(m.sdrRepositoryInfo).toEqual({ recordCount: 6, lastAddition: T0 / 1000 });
    expect(m.slowSdrMs).toBe(250);
  });
});

describe('BmcModel SEL', () => {
  it('initial entries decode with the expected categories; next-ID chain ends at 0xFFFF', async () => {
    const m = model(PROFILES['server-2s']!);
    const exec = executor(m);
    const walk = await readSelEntries(exec);
    expect(walk.records.map((r) => describeEvent(r).category)).toEqual(['memory-ecc-correctable', 'ac-lost']);
    expect(walk.nextRecordId).toBe(0xffff);
  });

  it('the generator cycles through its kinds at its interval', async () => {
    let now = T0;
    const m = new BmcModel({ ...PROFILES['server-2s']!, sel: { generator: { everyMs: 1000 } } }, { now: () => now });
    expect(m.tick(T0 + 999)).toBe(0);
    now = T0 + 5000;
    expect(m.tick()).toBe(5);
    const cats = (await readSelEntries(executor(m))).records.map((r) => describeEvent(r).category);
    expect(cats).toEqual(['memory-ecc-correctable', 'fan-failure', 'psu-failure', 'temperature-threshold', 'ac-lost']);
    const info = await executor(m)(getSelInfo, undefined);
    expect(info).toMatchObject({ entries: 5, mostRecentAddition: (T0 + 5000) / 1000 });
  });

  it('Get SEL Entry: missing ID 0xCB, last (0xFFFF), partial reads need the reservation', () => {
    const m = model(PROFILES['server-2s']!);
    const h = (data: number[], priv = 2) => m.handler({ netFn: 0x0a, cmd: 0x43, lun: 0, data: Buffer.from(data) }, { ...USER, privilege: priv });
    expect(h([0, 0, 9, 0, 0, 0xff])!.completionCode).toBe(0xcb);
    expect(h([0, 0, 0xff, 0xff, 0, 0xff])!.data!.readUInt16LE(2)).toBe(2);
    expect(h([0, 0, 1, 0, 4, 4])!.completionCode).toBe(0xc5);
    const res = m.handler({ netFn: 0x0a, cmd: 0x42, lun: 0, data: Buffer.alloc(0) }, USER)!.data!.readUInt16LE(0);
    const part = h([res & 0xff, res >> 8, 1, 0, 4, 4])!;
    expect(part.completionCode).toBe(0);
    expect(part.data!.length).toBe(2 + 4);
  });

  it('Clear SEL needs OPERATOR, "CLR" and the reservation; IDs restart and the erase time moves', async () => {
    let now = T0;
    const m = new BmcModel(PROFILES['server-2s']!, { now: () => now });
    const res = m.handler({ netFn: 0x0a, cmd: 0x42, lun: 0, data: Buffer.alloc(0) }, USER)!.data!;
    const clear = Buffer.from([res[0]!, res[1]!, 0x43, 0x4c, 0x52, 0xaa]);
    expect(m.handler({ netFn: 0x0a, cmd: 0x47, lun: 0, data: clear }, USER)!.completionCode).toBe(0xd4);
    now += 60_000;
    expect(m.handler({ netFn: 0x0a, cmd: 0x47, lun: 0, data: clear }, { ...USER, privilege: 3 })).toEqual({ completionCode: 0, data: Buffer.from([1]) });
    expect((await readSelEntries(executor(m))).records).toEqual([]);
    expect(m.addSelEvent({ sensorType: 'fan', sensorNumber: 0x10, eventType: 0x01, data: [0x52, 4, 5] })).toBe(1);
    expect((await executor(m)(getSelInfo, undefined)).mostRecentErase).toBe((T0 + 60_000) / 1000);
  });
});

describe('BmcModel protocol edges', () => {
  it('privilege below USER gets 0xD4; unknown commands 0xC1; short requests 0xC7', () => {
    const m = model(PROFILES.minimal!);
    expect(m.handler({ netFn: 0x06, cmd: 0x01, lun: 0, data: Buffer.alloc(0) }, { privilege: 1 })!.completionCode).toBe(0xd4);
    expect(m.handler({ netFn: 0x06, cmd: 0x99, lun: 0, data: Buffer.alloc(0) }, USER)!.completionCode).toBe(0xc1);
    expect(m.handler({ netFn: 0x0a, cmd: 0x23, lun: 0, data: Buffer.from([0, 0]) }, USER)!.completionCode).toBe(0xc7);
    expect(m.commandCounts).toMatchObject({ '0x06:0x01': 1, 'Get Device ID': 1, 'Get SDR': 1 });
  });

  it("dcmi 'ignore' sends no answer at all", () => {
    const m = model({ ...PROFILES.minimal!, dcmi: 'ignore' });
    expect(m.handler({ netFn: 0x2c, cmd: 0x02, lun: 0, data: dcmiGetPowerReading.encode({}) }, USER)).toBeUndefined();
    m.setDcmiPower({ current: 77 });
    expect(m.handler({ netFn: 0x2c, cmd: 0x02, lun: 0, data: dcmiGetPowerReading.encode({}) }, USER)!.completionCode).toBe(0);
  });

  it('Read FRU Data past the end is 0xC9; other FRU IDs 0xCB', () => {
    const m = model(PROFILES.minimal!);
    const size = m.handler({ netFn: 0x0a, cmd: 0x10, lun: 0, data: Buffer.from([0]) }, USER)!.data!.readUInt16LE(0);
    expect(m.handler({ netFn: 0x0a, cmd: 0x11, lun: 0, data: Buffer.from([0, size & 0xff, size >> 8, 8]) }, USER)!.completionCode).toBe(0xc9);
    expect(m.handler({ netFn: 0x0a, cmd: 0x10, lun: 0, data: Buffer.from([1]) }, USER)!.completionCode).toBe(0xcb);
  });
});

describe('varyDefinition', () => {
  it('is deterministic, keeps values inside thresholds, and changes GUID and serials', async () => {
    const base = PROFILES['server-2s']!;
    const a = varyDefinition(base, 1);
    expect(varyDefinition(base, 1)).toEqual(a);
    const b = varyDefinition(base, 2);
    expect(a.guid).not.toBe(b.guid);
    expect(a.fru?.product?.serialNumber).not.toBe(b.fru?.product?.serialNumber);
    expect(a.sensors.map((s) => s.value)).not.toEqual(b.sensors.map((s) => s.value));
    for (const seed of [1, 2, 3, 99, 12345]) {
      const exec = executor(model(varyDefinition(base, seed)));
      const sensors = sensorsFromSdr((await readSdrRepository(exec)).records);
      for (const d of sensors.filter((s) => s.isThreshold)) expect((await readSensor(exec, d)).state).toBe('ok');
    }
  });

  it('varies readings but not the SDR description: variants of one model list the same sensors, factors and thresholds', async () => {
    for (const name of ['server-2s', 'gpu-server', 'minimal']) {
      const base = PROFILES[name]!;
      const describe = async (seed: number) => sensorsFromSdr((await readSdrRepository(executor(model(varyDefinition(base, seed))))).records);
      const [a, b] = [await describe(1), await describe(2)];
      expect(a.length).toBeGreaterThan(0);
      expect(b).toEqual(a);
      // The readings do differ (fans and PSU input power, whose conversion factors must not depend on the seed, included).
      const execA = executor(model(varyDefinition(base, 1)));
      const execB = executor(model(varyDefinition(base, 2)));
      const analog = a.filter((d) => d.hasAnalogReading);
      const ra = await Promise.all(analog.map((d) => readSensor(execA, d)));
      const rb = await Promise.all(analog.map((d) => readSensor(execB, d)));
      expect(ra.map((r) => r.value)).not.toEqual(rb.map((r) => r.value));
    }
  });
});
