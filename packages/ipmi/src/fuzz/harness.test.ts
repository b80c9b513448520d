import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MalformedPacketError } from '../errors.js';
import { outputSize, runTarget, target, type FuzzTarget } from './harness.js';
import { applyMutation } from './mutate.js';
import { FUZZ_TARGETS, selectTargets } from './targets.js';

// The fuzz harness must be able to fail: each broken promise below is one it has to catch.
const valid = fc.uint8Array({ minLength: 2, maxLength: 8 });
const run = (t: FuzzTarget) => runTarget(t, { numRuns: 200, seed: 1, budgetMs: 1000 });

describe('fuzz harness', () => {
  it('passes a decoder that returns values or throws the library errors', () => {
    const t = target({
      name: 'ok',
      decode: (b) => {
        if (b.length < 2) throw new MalformedPacketError('short');
        return { first: b[0] };
      },
      valid,
    });
    const r = run(t);
    expect(r.failure).toBeUndefined();
    expect(r.stats.values).toBeGreaterThan(0);
    expect(r.stats.errors.MalformedPacketError).toBeGreaterThan(0);
  });

  it('catches a TypeError and shrinks to a small input', () => {
    const t = target({
      name: 'type-error',
      decode: (b) => {
        if (b.length > 3 && b[3]! > 0x7f) return (undefined as unknown as { x: number }).x;
        return 0;
      },
      valid,
    });
    const r = run(t);
    expect(r.failure?.error).toMatch(/threw TypeError/);
    expect(r.failure!.counterexampleHex.length).toBe(8); // shrunk to the 4 bytes that matter
  });

  it('catches a valid encoding that does not decode', () => {
    const t = target({
      name: 'rejects-valid',
      decode: () => {
        throw new MalformedPacketError('never');
      },
      valid,
    });
    expect(run(t).failure?.error).toMatch(/valid encoding failed to decode/);
  });

  it('catches a decoder that writes to its input', () => {
    const t = target({
      name: 'writes',
      decode: (b) => {
        if (b.length > 0) b[0] = b[0]! ^ 1;
        return b.length;
      },
      valid,
    });
    expect(run(t).failure?.error).toMatch(/modified its input/);
  });

  it('catches output out of proportion to the input', () => {
    const t = target({ name: 'amplifies', decode: (b) => 'x'.repeat(100 * b.length + 2000), valid });
    expect(run(t).failure?.error).toMatch(/output size/);
  });

  it('catches a round trip that changes the value', () => {
    const t = target({
      name: 'lossy',
      decode: (b) => ({ a: b[0] ?? 0, b: b[1] ?? 0 }),
      valid,
      reencode: (v) => Uint8Array.from([v.a]),
    });
    expect(run(t).failure?.error).toMatch(/decode\(encode\(v\)\) differs/);
  });

  it('catches a broken invariant', () => {
    const t = target({
      name: 'nan',
      decode: (b) => (b.length > 0 ? Number.NaN : 0),
      valid,
      check: (v) => {
        if (Number.isNaN(v)) throw new Error('NaN');
      },
    });
    expect(run(t).failure?.error).toMatch(/invariant broken/);
  });

  it('catches a decode that is slow every time', () => {
    const t = target({
      name: 'slow',
      decode: (b) => {
        const until = performance.now() + (b.length > 4 ? 30 : 0);
        while (performance.now() < until) {
          // spin
        }
        return b.length;
      },
      valid,
    });
    expect(runTarget(t, { numRuns: 20, seed: 1, budgetMs: 10 }).failure?.error).toMatch(/three times over/);
  });

  it('sizes output by strings, buffers and keys, and stops at the limit', () => {
    expect(outputSize({ a: 'abc', b: Buffer.alloc(10) }, 1000)).toBe(2 + 3 + 2 + 10);
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(outputSize(cyclic, 1000)).toBe(5);
    expect(outputSize('x'.repeat(1e6), 10)).toBe(1e6);
  });
});

describe('mutations', () => {
  const b = Uint8Array.from([1, 2, 3, 4]);
  it('flip, set, set16 wrap positions into the input', () => {
    expect([...applyMutation(b, { kind: 'flip', at: 5, bit: 7 })]).toEqual([1, 0x82, 3, 4]);
    expect([...applyMutation(b, { kind: 'set', at: 0, value: 0xff })]).toEqual([0xff, 2, 3, 4]);
    expect([...applyMutation(b, { kind: 'set16', at: 2, value: 0xabcd })]).toEqual([1, 2, 0xcd, 0xab]);
  });
  it('truncate, extend, insert, delete, duplicate, splice', () => {
    expect([...applyMutation(b, { kind: 'truncate', at: 2 })]).toEqual([1, 2]);
    expect([...applyMutation(b, { kind: 'extend', bytes: Uint8Array.from([9]) })]).toEqual([1, 2, 3, 4, 9]);
    expect([...applyMutation(b, { kind: 'insert', at: 1, bytes: Uint8Array.from([9]) })]).toEqual([1, 9, 2, 3, 4]);
    expect([...applyMutation(b, { kind: 'delete', at: 1, length: 2 })]).toEqual([1, 4]);
    expect([...applyMutation(b, { kind: 'duplicate', at: 1, length: 2 })]).toEqual([1, 2, 3, 2, 3, 4]);
    expect([...applyMutation(b, { kind: 'splice', at: 2, from: 1, other: Uint8Array.from([7, 8, 9]) })]).toEqual([1, 2, 8, 9]);
  });
});

describe('fuzz targets', () => {
  it('have unique names and cover every decoder family the issue lists', () => {
    const names = FUZZ_TARGETS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const area of ['rmcp/', 'session/', 'rakp/', 'lan/', 'commands/', 'sdr/', 'sensor/', 'sel/', 'fru/']) {
      expect(selectTargets(area).length, area).toBeGreaterThan(0);
    }
    // Every supported cipher suite is fuzzed with its keys.
    for (const id of [0, 1, 2, 3, 6, 7, 8, 11, 12, 15, 16, 17]) expect(names).toContain(`session/decodeV20Packet-suite${id}`);
  });
});
