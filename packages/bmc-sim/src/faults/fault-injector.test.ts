import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FaultInjector } from './fault-injector.js';
import { parseFaultPatch } from './fault-config.js';
import { SeededRandom } from './prng.js';

// An RMCP+ in-session answer shape: RMCP 06 00 ff 07 | 06 | 0x40 (authenticated, IPMI) | id | seq | len | payload | trailer.
function v20Answer(): Buffer {
  const payload = Buffer.from([0x81, 0x1c, 0x63, 0x20, 0x04, 0x01, 0x00, 0xdb]);
  const head = Buffer.from([0x06, 0x00, 0xff, 0x07, 0x06, 0x40, 0x11, 0x22, 0x33, 0x44, 0x01, 0x00, 0x00, 0x00, payload.length, 0x00]);
  const trailer = Buffer.from([0xff, 0xff, 0x02, 0x07, ...Array.from({ length: 12 }, (_, i) => 0xa0 + i)]);
  return Buffer.concat([head, payload, trailer]);
}

const INFO = { sessionId: 0x44332211, payloadType: 0 };

describe('SeededRandom', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const c = new SeededRandom(8);
    const sa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sa);
    for (const x of sa) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe('FaultInjector', () => {
  it('passes everything unchanged with no faults', () => {
    const f = new FaultInjector();
    const d = v20Answer();
    expect(f.onRequest(d)).toBe(true);
    expect(f.onResponse(d, INFO)).toEqual([d]);
    const sent: Buffer[] = [];
    f.transmit([d], (x) => sent.push(x));
    expect(sent).toEqual([d]);
  });

  it('drops about lossPercent of requests, reproducibly per seed, and counts them', () => {
    const run = (seed: number) => {
      const f = new FaultInjector({ lossPercent: 30 }, { seed });
      const kept = Array.from({ length: 1000 }, () => f.onRequest(Buffer.alloc(1)));
      return { kept, lost: f.counters.dropped.loss };
    };
    const a = run(42);
    expect(a.lost).toBe(a.kept.filter((k) => !k).length);
    expect(a.lost).toBeGreaterThan(250);
    expect(a.lost).toBeLessThan(350);
    expect(run(42).kept).toEqual(a.kept);
    expect(run(43).kept).not.toEqual(a.kept);
  });

  it('drops everything with noAnswer', () => {
    const f = new FaultInjector({ noAnswer: true });
    expect(f.onRequest(Buffer.alloc(1))).toBe(false);
    expect(f.counters.dropped.noAnswer).toBe(1);
  });

  it('duplicates answers', () => {
    const f = new FaultInjector({ duplicatePercent: 100 });
    const d = v20Answer();
    expect(f.onResponse(d, INFO)).toEqual([d, d]);
    expect(f.counters.altered.duplicate).toBe(1);
  });

  it('corrupts exactly one byte of the message part', () => {
    const f = new FaultInjector({ corruptPercent: 100 }, { seed: 3 });
    const d = v20Answer();
    const [c] = f.onResponse(d, INFO);
    expect(c!.length).toBe(d.length);
    const diff = [...d].map((b, i) => (b !== c![i] ? i : -1)).filter((i) => i >= 0);
    expect(diff).toHaveLength(1);
    expect(diff[0]).toBeGreaterThanOrEqual(16);
    expect(d).toEqual(v20Answer()); // the original is never mutated
  });

  it('truncates answers but keeps the RMCP header', () => {
    const f = new FaultInjector({ truncatePercent: 100 }, { seed: 5 });
    const d = v20Answer();
    for (let i = 0; i < 50; i++) {
      const [t] = f.onResponse(d, INFO);
      expect(t!.length).toBeLessThan(d.length);
      expect(t!.length).toBeGreaterThanOrEqual(4);
      expect(t).toEqual(d.subarray(0, t!.length));
    }
  });

  it('rewrites the session id of in-session answers only', () => {
    const f = new FaultInjector({ wrongSessionIdPercent: 100 });
    const [w] = f.onResponse(v20Answer(), INFO);
    expect(w!.readUInt32LE(6)).not.toBe(0x44332211);
    const [s] = f.onResponse(v20Answer(), { sessionId: 0 });
    expect(s!.readUInt32LE(6)).toBe(0x44332211);
  });

  it('flips a byte of the integrity trailer of authenticated answers, leaves unauthenticated ones', () => {
    const f = new FaultInjector({ badIntegrityPercent: 100 });
    const d = v20Answer();
    const [b] = f.onResponse(d, INFO);
    expect(b!.subarray(0, d.length - 1)).toEqual(d.subarray(0, d.length - 1));
    expect(b![d.length - 1]).toBe(d[d.length - 1]! ^ 0xff);
    const plain = Buffer.from(d);
    plain[5] = 0x00; // not authenticated
    expect(f.onResponse(plain, INFO)).toEqual([plain]);
    expect(f.counters.altered.badIntegrity).toBe(1);
  });

  describe('with fake timers', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('delays answers by delayMs plus jitter', () => {
      const f = new FaultInjector({ delayMs: 100, jitterMs: 50 }, { seed: 9 });
      const sent: Buffer[] = [];
      f.transmit([Buffer.from([1])], (x) => sent.push(x));
      vi.advanceTimersByTime(99);
      expect(sent).toHaveLength(0);
      vi.advanceTimersByTime(51);
      expect(sent).toEqual([Buffer.from([1])]);
      expect(f.counters.altered.delay).toBe(1);
    });

    it('reorders pairs of answers and flushes a lone held answer after reorderHoldMs', () => {
      const f = new FaultInjector({ reorder: true, reorderHoldMs: 200 });
      const sent: number[] = [];
      const send = (x: Buffer) => sent.push(x[0]!);
      f.transmit([Buffer.from([1])], send);
      expect(sent).toEqual([]);
      f.transmit([Buffer.from([2])], send);
      expect(sent).toEqual([2, 1]);
      f.transmit([Buffer.from([3])], send);
      vi.advanceTimersByTime(199);
      expect(sent).toEqual([2, 1]);
      vi.advanceTimersByTime(1);
      expect(sent).toEqual([2, 1, 3]);
      expect(f.counters.altered.reorder).toBe(1);
    });

    it('slows only Get SDR answers', () => {
      const f = new FaultInjector({ slowSdrMs: 500 });
      const sent: string[] = [];
      f.onRequest(Buffer.alloc(1));
      f.onCommand(0x0a, 0x23);
      f.transmit([Buffer.from('sdr')], (x) => sent.push(x.toString()));
      f.onRequest(Buffer.alloc(1));
      f.onCommand(0x06, 0x01);
      f.transmit([Buffer.from('devid')], (x) => sent.push(x.toString()));
      expect(sent).toEqual(['devid']);
      vi.advanceTimersByTime(500);
      expect(sent).toEqual(['devid', 'sdr']);
    });

    it('slows every SEL command (storage 0x40-0x4F) and nothing else', () => {
      const f = new FaultInjector({ slowSelMs: 300 });
      const sent: string[] = [];
      const ask = (netFn: number, cmd: number, name: string) => {
        f.onRequest(Buffer.alloc(1));
        f.onCommand(netFn, cmd);
        f.transmit([Buffer.from(name)], (x) => sent.push(x.toString()));
      };
      ask(0x0a, 0x40, 'sel-info');
      ask(0x0a, 0x43, 'sel-entry');
      ask(0x0a, 0x23, 'sdr');
      ask(0x04, 0x2d, 'reading');
      expect(sent).toEqual(['sdr', 'reading']);
      vi.advanceTimersByTime(299);
      expect(sent).toEqual(['sdr', 'reading']);
      vi.advanceTimersByTime(1);
      expect(sent).toEqual(['sdr', 'reading', 'sel-info', 'sel-entry']);
      expect(f.counters.altered.slowSel).toBe(2);
    });

    it('dispose cancels delayed answers', () => {
      const f = new FaultInjector({ delayMs: 10 });
      const sent: Buffer[] = [];
      f.transmit([Buffer.from([1])], (x) => sent.push(x));
      f.dispose();
      vi.advanceTimersByTime(100);
      expect(sent).toEqual([]);
    });
  });
});

describe('parseFaultPatch', () => {
  it('accepts a valid patch and names the bad field otherwise', () => {
    expect(parseFaultPatch({ lossPercent: 10, reorder: true, sdrMaxRead: 32 })).toEqual({ lossPercent: 10, reorder: true, sdrMaxRead: 32 });
    expect(() => parseFaultPatch({ lossPercnt: 10 })).toThrow(/unknown fault "lossPercnt"/);
    expect(() => parseFaultPatch({ lossPercent: 101 })).toThrow('faults.lossPercent: expected a percentage 0-100');
    expect(() => parseFaultPatch({ noAnswer: 'yes' })).toThrow('faults.noAnswer: expected true or false');
    expect(() => parseFaultPatch([])).toThrow(/expected an object/);
  });
});
