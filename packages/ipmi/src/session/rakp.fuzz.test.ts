import { describe, expect, it } from 'vitest';
import { formatFailure, runTarget } from '../fuzz/harness.js';
import { UNIT_BUDGET_MS, UNIT_INPUTS, UNIT_SEED, selectTargets } from '../fuzz/targets.js';

// Property-based fuzzing (see README "Fuzzing"): arbitrary and mutated bytes give a value or one of
// the library's own errors, within a time and output bound; valid encodings decode and round-trip.
const targets = ['rakp/'].flatMap((p) => selectTargets(p));

describe('fuzz: RAKP messages and the client handshake', () => {
  it('has targets', () => expect(targets.length).toBeGreaterThan(0));
  it.each(targets.map((t) => [t.name, t] as const))('%s', (_name, t) => {
    const r = runTarget(t, { numRuns: UNIT_INPUTS, seed: UNIT_SEED, budgetMs: UNIT_BUDGET_MS });
    expect(r.failure, formatFailure(r)).toBeUndefined();
    // Valid encodings were among the inputs, and they decoded.
    expect(r.stats.values).toBeGreaterThan(0);
  });
});
