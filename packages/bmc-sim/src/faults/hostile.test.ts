import { NETFN } from '@bmc-exporter/ipmi';
import { describe, expect, it } from 'vitest';
import type { CommandContext, CommandHandler } from '../command-handler.js';
import { BmcModel, PROFILES } from '../model/index.js';
import { NO_FAULTS, parseFaultPatch, type FaultConfig } from './fault-config.js';
import { HostileAnswers } from './hostile.js';

const USER: CommandContext = { privilege: 2, sessionId: 1, ipmiVersion: '2.0' };
const T0 = Date.UTC(2024, 0, 1);

function setup(faults: Partial<FaultConfig>, profile = 'server-2s') {
  const model = new BmcModel(PROFILES[profile]!, { now: () => T0 });
  const cfg: FaultConfig = { ...NO_FAULTS, ...faults };
  const hostile = new HostileAnswers(() => cfg, 7);
  return { model, cfg, hostile, handler: hostile.wrap(() => model) };
}

function ask(h: CommandHandler, netFn: number, cmd: number, data: number[] = []) {
  const r = h({ netFn, cmd, lun: 0, data: Buffer.from(data) }, USER);
  if (!r) throw new Error('no answer');
  return r;
}

const u16 = (n: number) => [n & 0xff, n >> 8];
/** Get SDR (§33.12): reservation 0, record id, offset, bytes (0xFF whole). */
const getSdr = (h: CommandHandler, id: number, offset = 0, bytes = 0xff) => ask(h, NETFN.storage, 0x23, [0, 0, ...u16(id), offset, bytes]);
const getSelEntry = (h: CommandHandler, id: number) => ask(h, NETFN.storage, 0x43, [0, 0, ...u16(id), 0, 0xff]);
const next = (r: { data?: Buffer }) => r.data!.readUInt16LE(0);

describe('HostileAnswers', () => {
  it('answers exactly as the model does while no command-level fault is on', () => {
    const { model, handler } = setup({ lossPercent: 50 });
    for (const [netFn, cmd, data] of [
      [NETFN.app, 0x01, []],
      [NETFN.app, 0x37, []],
      [NETFN.storage, 0x20, []],
      [NETFN.storage, 0x23, [0, 0, 0, 0, 0, 0xff]],
      [NETFN.sensorEvent, 0x2d, [model.sensors[0]!.number]],
    ] as const) {
      expect(ask(handler, netFn, cmd, [...data])).toEqual(model.handler({ netFn, cmd, lun: 0, data: Buffer.from(data) }, USER));
    }
  });

  it('sdrCycle: the last record points back at the second, so the chain never reaches 0xFFFF', () => {
    const { model, handler, hostile } = setup({ sdrCycle: true });
    const n = model.sdr.records.length;
    let id = 0;
    const seen: number[] = [];
    for (let i = 0; i < 3 * n; i++) {
      const r = getSdr(handler, id);
      expect(r.completionCode).toBe(0);
      seen.push(r.data!.readUInt16LE(2));
      id = next(r);
      expect(id).not.toBe(0xffff);
    }
    expect(seen.slice(0, n)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(seen[n]).toBe(2);
    expect(hostile.counters.sdr).toBe(3 * n);
  });

  it('sdrRecords: 65,535 records, counted in Get SDR Repository Info, OEM fillers after the model own, 0xFFFF after the last', () => {
    const { model, handler } = setup({ sdrRecords: 65_535 });
    const info = ask(handler, NETFN.storage, 0x20);
    expect(info.completionCode).toBe(0);
    expect(info.data!.readUInt16LE(1)).toBe(65_535);
    const own = model.sdr.records.length;
    expect(getSdr(handler, own).data!.subarray(2)).toEqual(model.sdr.records[own - 1]);
    expect(next(getSdr(handler, own))).toBe(own + 1);
    const filler = getSdr(handler, own + 1).data!;
    // Header: record ID, SDR version 0x51, type 0xC0 (OEM), length of the rest.
    expect([filler.readUInt16LE(2), filler[4], filler[5], filler[6]]).toEqual([own + 1, 0x51, 0xc0, filler.length - 7]);
    const last = getSdr(handler, 65_535);
    expect(last.data!.readUInt16LE(2)).toBe(65_535);
    expect(next(last)).toBe(0xffff);
    // A partial read slices the record.
    expect(getSdr(handler, 40_000, 2, 3).data!.subarray(2)).toEqual(Buffer.from([0x51, 0xc0, filler.length - 7]));
    expect(getSdr(handler, 40_000, 200).completionCode).toBe(0xc9);
  });

  it('sdrRecords with sdrCycle: the 65,535th record leads back to the second', () => {
    const { handler } = setup({ sdrRecords: 65_535, sdrCycle: true });
    expect(next(getSdr(handler, 65_535))).toBe(2);
  });

  it('selEntries: 65,535 entries made on demand, Get SEL Info counts them, 0x0000 and 0xFFFF are first and last', () => {
    const { handler } = setup({ selEntries: 65_535 });
    const info = ask(handler, NETFN.storage, 0x40);
    expect(info.data!.readUInt16LE(1)).toBe(65_535);
    const first = getSelEntry(handler, 0);
    expect([first.data!.readUInt16LE(2), next(first)]).toEqual([1, 2]);
    expect(first.data!.length).toBe(2 + 16);
    const last = getSelEntry(handler, 0xffff);
    expect(last.data!.readUInt16LE(2)).toBe(65_535);
    expect(next(last)).toBe(0xffff);
    expect(getSelEntry(handler, 30_000).data!.readUInt16LE(2)).toBe(30_000);
  });

  it('selCycle over the model SEL: the newest entry points back at the first', () => {
    const { model, handler } = setup({ selCycle: true });
    expect(model.sel.count).toBe(2);
    expect(next(getSelEntry(handler, 0))).toBe(2);
    expect(next(getSelEntry(handler, 2))).toBe(1);
  });

  it('selCycle with selEntries: the last synthetic entry points at the first', () => {
    const { handler } = setup({ selEntries: 10, selCycle: true });
    expect(next(getSelEntry(handler, 10))).toBe(1);
  });

  it('short and random sensor readings: completion code 0 with 0-1 or 0-7 bytes, as often as asked, reproducibly', () => {
    const run = (faults: Partial<FaultConfig>) => {
      const { model, handler } = setup(faults);
      const n = model.sensors.find((s) => s.kind !== 'event-only' && s.present)!.number;
      return Array.from({ length: 200 }, () => ask(handler, NETFN.sensorEvent, 0x2d, [n]));
    };
    for (const r of run({ shortSensorReadingPercent: 100 })) expect([r.completionCode, r.data!.length <= 1]).toEqual([0, true]);
    for (const r of run({ randomSensorReadingPercent: 100 })) expect([r.completionCode, r.data!.length <= 7]).toEqual([0, true]);
    const some = run({ shortSensorReadingPercent: 30 });
    const short = some.filter((r) => r.data!.length <= 1).length;
    expect(short).toBeGreaterThan(30);
    expect(short).toBeLessThan(90);
    expect(run({ shortSensorReadingPercent: 30 })).toEqual(some);
  });

  it('shortDeviceId and shortGuid: completion code 0 with 5 of 11 and 7 of 16 bytes', () => {
    const { handler, model, hostile } = setup({ shortDeviceId: true, shortGuid: true });
    const dev = ask(handler, NETFN.app, 0x01);
    const full = model.handler({ netFn: NETFN.app, cmd: 0x01, lun: 0, data: Buffer.alloc(0) }, USER)!;
    expect(dev).toEqual({ completionCode: 0, data: full.data!.subarray(0, 5) });
    expect(full.data!.length).toBeGreaterThanOrEqual(11);
    const guid = ask(handler, NETFN.app, 0x37);
    expect([guid.completionCode, guid.data!.length]).toEqual([0, 7]);
    expect([hostile.counters.deviceId, hostile.counters.guid]).toEqual([1, 1]);
  });

  it('follows the config live: a fault turned off answers as the model again', () => {
    const { handler, cfg } = setup({ shortGuid: true });
    expect(ask(handler, NETFN.app, 0x37).data!.length).toBe(7);
    cfg.shortGuid = false;
    expect(ask(handler, NETFN.app, 0x37).data!.length).toBe(16);
  });
});

describe('parseFaultPatch: hostile faults', () => {
  it('takes record counts 1-65535 or null and percentages, and names a bad value', () => {
    expect(parseFaultPatch({ sdrRecords: 65_535, selEntries: null, sdrCycle: true, shortSensorReadingPercent: 5 })).toEqual({
      sdrRecords: 65_535,
      selEntries: null,
      sdrCycle: true,
      shortSensorReadingPercent: 5,
    });
    expect(() => parseFaultPatch({ sdrRecords: 65_536 })).toThrow('faults.sdrRecords: expected a record count 1-65535, or null');
    expect(() => parseFaultPatch({ selEntries: 0 })).toThrow(/selEntries/);
    expect(() => parseFaultPatch({ shortGuid: 1 })).toThrow('faults.shortGuid: expected true or false');
  });
});
