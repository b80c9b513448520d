import { describe, expect, it } from 'vitest';
import { CompletionCodeError, TimeoutError } from '../errors.js';
import type { Command, Execute, ExecuteOptions } from '../commands/command.js';
import type { SensorReadingRsp } from '../commands/get-sensor-reading.js';
import { decodeSdrRecord } from './records.js';
import { interpretReading, readSensor, sensorsFromSdr, type SensorDescriptor, type SensorReadHandler, type SensorReading } from './sensor.js';
import { COMPACT_BRIDGED, COMPACT_DIMMS, EVENT_ONLY, FRU_LOCATOR, FULL_12V, FULL_CPU_TEMP, FULL_SIGNED_INLET, MC_LOCATOR } from './sdr-fixtures.test-data.js';

const records = [FULL_CPU_TEMP, FULL_12V, FULL_SIGNED_INLET, COMPACT_DIMMS, COMPACT_BRIDGED, EVENT_ONLY, FRU_LOCATOR, MC_LOCATOR].map(decodeSdrRecord);
const sensors = sensorsFromSdr(records);
const byName = (n: string): SensorDescriptor => {
  const d = sensors.find((s) => s.name === n);
  if (!d) throw new Error(`no sensor ${n}`);
  return d;
};

const rsp = (over: Partial<SensorReadingRsp>): SensorReadingRsp => ({
  raw: 0,
  eventMessagesEnabled: true,
  scanningEnabled: true,
  readingUnavailable: false,
  stateByte1: 0,
  stateByte2: 0x80,
  ...over,
});

describe('sensorsFromSdr', () => {
  it('lists full, compact (expanded) and event-only sensors, skipping locators', () => {
    expect(sensors.map((s) => s.name)).toEqual(['CPU Temp', '12V', 'Inlet', 'DIMM 1', 'DIMM 2', 'DIMM 3', 'DIMM 4', 'PS1', 'Events']);
  });

  it('describes a full threshold sensor', () => {
    expect(byName('CPU Temp')).toMatchObject({
      key: '32:0:48',
      number: 0x30,
      ownerId: 0x20,
      lun: 0,
      recordId: 1,
      recordKind: 'full',
      sensorType: 1,
      sensorTypeName: 'Temperature',
      eventReadingType: 1,
      entityId: 3,
      entityIdName: 'Processor',
      entityInstance: 1,
      unit: 'celsius',
      unitName: 'degrees C',
      isThreshold: true,
      hasAnalogReading: true,
      readable: true,
      bridged: false,
      thresholds: { unr: 100, uc: 95, unc: 90, lnr: 0, lc: 5, lnc: 10 },
    });
  });

  it('expands shared compact records: numbers, entity instances, names; no unit', () => {
    const dimms = sensors.filter((s) => s.name.startsWith('DIMM'));
    expect(dimms.map((d) => [d.key, d.number, d.entityInstance, d.lun])).toEqual([
      ['32:1:64', 0x40, 1, 1],
      ['32:1:65', 0x41, 2, 1],
      ['32:1:66', 0x42, 3, 1],
      ['32:1:67', 0x43, 4, 1],
    ]);
    expect(dimms[0]).toMatchObject({ unit: '', unitName: '', isThreshold: false, hasAnalogReading: false, sensorTypeName: 'Memory' });
  });

  it('names alpha-shared sensors A, B, ... and keeps duplicate keys once', () => {
    const alpha = Buffer.from(COMPACT_DIMMS);
    alpha[23] = 0x13; // alpha, share count 3
    alpha[24] = 0x00; // offset 0, entity instance fixed
    const list = sensorsFromSdr([decodeSdrRecord(alpha), decodeSdrRecord(COMPACT_DIMMS)]);
    expect(list.map((s) => `${s.name}@${s.number}/${s.entityInstance}`)).toEqual([
      'DIMM A@64/1',
      'DIMM B@65/1',
      'DIMM C@66/1',
      'DIMM 4@67/4', // 0x40-0x42 already seen from the first record
    ]);
  });

  it('marks sensors of other controllers as bridged and event-only ones unreadable', () => {
    expect(byName('PS1')).toMatchObject({ ownerId: 0x2c, bridged: true, key: '44:0:96' });
    expect(byName('Events')).toMatchObject({ readable: false, recordKind: 'event-only' });
  });
});

describe('interpretReading', () => {
  it.each([
    ['in range', 'CPU Temp', rsp({ raw: 45 }), { value: 45, state: 'ok', available: true, raw: 45 }],
    ['upper critical', 'CPU Temp', rsp({ raw: 96, stateByte1: 0x18 }), { value: 96, state: 'critical' }],
    ['voltage', '12V', rsp({ raw: 0xbe }), { value: 11.97, state: 'ok' }],
    ['below zero', 'Inlet', rsp({ raw: 0xfb }), { value: -5, state: 'ok' }],
    ['reading unavailable', 'CPU Temp', rsp({ raw: 0, readingUnavailable: true }), { value: null, state: 'unavailable', available: false }],
    ['scanning disabled', '12V', rsp({ raw: 0xbe, scanningEnabled: false }), { value: null, state: 'unavailable', available: false }],
    ['no state byte', 'CPU Temp', rsp({ raw: 30, stateByte1: undefined, stateByte2: undefined }), { value: 30, state: 'ok' }],
    [
      'discrete states',
      'DIMM 2',
      rsp({ raw: 0, stateByte1: 0x02, stateByte2: 0x01 }),
      { value: null, state: 'discrete', available: true, discreteStates: 0x0102 },
    ],
  ])('%s', (_n, name, r, want) => {
    expect(interpretReading(byName(name), r)).toMatchObject(want);
  });
});

/** A fake execute answering Get Sensor Reading (and Reading Factors) from a table, recording LUNs. */
function fakeExecute(answer: (cmd: number, req: unknown) => Buffer | number | Error, calls: unknown[][] = []): Execute {
  return (async <Req, Rsp>(command: Command<Req, Rsp>, request: Req, options?: ExecuteOptions) => {
    calls.push([command.name, request, options?.lun ?? 0]);
    const a = answer(command.cmd, request);
    if (a instanceof Error) throw a;
    if (typeof a === 'number') throw new CompletionCodeError(command.name, a);
    return command.decode(a);
  }) as Execute;
}

describe('readSensor', () => {
  it("sends Get Sensor Reading to the sensor's LUN and converts", async () => {
    const calls: unknown[][] = [];
    const exec = fakeExecute(() => Buffer.from([0x2d, 0xc0, 0x00, 0x80]), calls);
    const r = await readSensor(exec, byName('DIMM 3'));
    expect(calls).toEqual([['Get Sensor Reading', { sensorNumber: 0x42 }, 1]]);
    expect(r.state).toBe('discrete');
    const t = await readSensor(exec, byName('CPU Temp'));
    expect(t).toMatchObject({ value: 45, state: 'ok', available: true });
  });

  it.each([0xcb, 0xcd, 0xd5, 0xce, 0xc9, 0xcc])('completion code 0x%s means absent, not an error', async (code) => {
    const r = await readSensor(
      fakeExecute(() => code),
      byName('CPU Temp'),
    );
    expect(r).toMatchObject({ value: null, state: 'unavailable', available: false });
  });

  it('propagates other completion codes and transport errors', async () => {
    await expect(
      readSensor(
        fakeExecute(() => 0xd4),
        byName('CPU Temp'),
      ),
    ).rejects.toThrow(CompletionCodeError);
    await expect(
      readSensor(
        fakeExecute(() => new TimeoutError('no answer')),
        byName('CPU Temp'),
      ),
    ).rejects.toThrow(TimeoutError);
  });

  it('does not send anything for bridged or event-only sensors', async () => {
    const calls: unknown[][] = [];
    const exec = fakeExecute(() => Buffer.from([0, 0xc0]), calls);
    expect(await readSensor(exec, byName('PS1'))).toMatchObject({ state: 'unavailable' });
    expect(await readSensor(exec, byName('Events'))).toMatchObject({ state: 'unavailable' });
    expect(calls).toEqual([]);
  });

  it('asks for reading factors for non-linear sensors', async () => {
    const nl = Buffer.from(FULL_CPU_TEMP);
    nl[23] = 0x70; // linearization: non-linear
    const [d] = sensorsFromSdr([decodeSdrRecord(nl)]);
    const calls: unknown[][] = [];
    // factors: M=2, R_exp=-1 -> 0x40 * 2 / 10 = 12.8
    const exec = fakeExecute((cmd) => (cmd === 0x2d ? Buffer.from([0x40, 0xc0, 0x00]) : Buffer.from([0x50, 2, 0, 0, 0, 0, 0xf0])), calls);
    expect(await readSensor(exec, d!)).toMatchObject({ value: 12.8, state: 'ok' });
    expect(calls[1]).toEqual(['Get Sensor Reading Factors', { sensorNumber: 0x30, reading: 0x40 }, 0]);
    const noFactors = fakeExecute((cmd) => (cmd === 0x2d ? Buffer.from([0x40, 0xc0, 0x08]) : 0xc1));
    expect(await readSensor(noFactors, d!)).toMatchObject({ value: null, state: 'non-critical', available: true });
  });
});

describe('readSensor with a handler', () => {
  /** Records what it is told; resolves readSensor's promise with a tag of its own, to show its return value is used. */
  class Recorder implements SensorReadHandler<string> {
    readonly told: Array<[string, string, SensorReading | unknown]> = [];
    sensorRead(descriptor: SensorDescriptor, reading: SensorReading): string {
      this.told.push(['read', descriptor.name, reading]);
      return `read ${descriptor.name}`;
    }
    sensorFailed(descriptor: SensorDescriptor, err: unknown): string {
      this.told.push(['failed', descriptor.name, err]);
      if (err instanceof TimeoutError) throw err;
      return `failed ${descriptor.name}`;
    }
  }

  it('delivers the reading to the handler, whose return value settles the promise', async () => {
    const handler = new Recorder();
    const exec = fakeExecute(() => Buffer.from([0x2d, 0xc0, 0x00, 0x80]));
    await expect(readSensor(exec, byName('CPU Temp'), {}, handler)).resolves.toBe('read CPU Temp');
    expect(handler.told).toEqual([['read', 'CPU Temp', expect.objectContaining({ value: 45, state: 'ok', available: true })]]);
  });

  it('an absent sensor is a reading; other failures go to sensorFailed, which may throw', async () => {
    const handler = new Recorder();
    await expect(
      readSensor(
        fakeExecute(() => 0xcb),
        byName('CPU Temp'),
        {},
        handler,
      ),
    ).resolves.toBe('read CPU Temp');
    expect(handler.told[0]![2]).toMatchObject({ value: null, state: 'unavailable', available: false });
    await expect(
      readSensor(
        fakeExecute(() => 0xd4),
        byName('12V'),
        {},
        handler,
      ),
    ).resolves.toBe('failed 12V');
    expect(handler.told[1]![2]).toBeInstanceOf(CompletionCodeError);
    const timeout = new TimeoutError('no answer');
    await expect(
      readSensor(
        fakeExecute(() => timeout),
        byName('Inlet'),
        {},
        handler,
      ),
    ).rejects.toBe(timeout);
    expect(handler.told[2]).toEqual(['failed', 'Inlet', timeout]);
  });

  it('an answer that cannot be turned into a reading goes to sensorFailed', async () => {
    const handler = new Recorder();
    const d = byName('CPU Temp');
    // A conversion that throws: stands for any fault of ours in interpretReading.
    const broken: SensorDescriptor = {
      ...d,
      conversion: Object.defineProperty({ ...d.conversion! }, 'analogFormat', {
        get() {
          throw new Error('bad factors');
        },
      }),
    };
    await expect(
      readSensor(
        fakeExecute(() => Buffer.from([0x2d, 0xc0, 0x00])),
        broken,
        {},
        handler,
      ),
    ).resolves.toBe('failed CPU Temp');
    expect(handler.told[0]![2]).toEqual(new Error('bad factors'));
  });

  it("sends a LUN 0 sensor's command with the caller's options object itself, another LUN's with its own", async () => {
    const seen: Array<ExecuteOptions | undefined> = [];
    const exec = (async <Req, Rsp>(command: Command<Req, Rsp>, _request: Req, options?: ExecuteOptions) => {
      seen.push(options);
      return command.decode(Buffer.from([0x2d, 0xc0, 0x00, 0x80]));
    }) as Execute;
    const opts = { signal: new AbortController().signal };
    const handler = new Recorder();
    await readSensor(exec, byName('CPU Temp'), opts, handler);
    await readSensor(exec, byName('CPU Temp'), opts);
    await readSensor(exec, byName('DIMM 3'), opts, handler);
    expect(seen[0]).toBe(opts);
    expect(seen[1]).toBe(opts);
    expect(seen[2]).toEqual({ signal: opts.signal, lun: 1 });
  });

  it('bridged and event-only sensors: an unavailable reading, nothing sent', async () => {
    const calls: unknown[][] = [];
    const handler = new Recorder();
    const exec = fakeExecute(() => Buffer.from([0, 0xc0]), calls);
    await expect(readSensor(exec, byName('PS1'), {}, handler)).resolves.toBe('read PS1');
    expect(handler.told[0]![2]).toMatchObject({ state: 'unavailable' });
    expect(calls).toEqual([]);
  });
});
