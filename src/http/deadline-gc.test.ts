// Runs in the vitest project "gc" (vitest.config.ts), whose worker has --expose-gc.
import { describe, expect, it } from 'vitest';
import { runDeadlineUnderGc } from '../testing/deadline-under-gc.js';

/** Past its deadline an answer may still take this long (event loop, forced collections, a loaded machine); the scrapes themselves are cut at the deadline. */
const BOUND_MS = 1500;

describe('the /bmc deadline while the garbage collector runs', () => {
  it('answers every scrape of a silent and a garbage-answering BMC by its deadline plus a small bound: 200 with bmc_up 0, or 503 while queued', async () => {
    const r = await runDeadlineUnderGc({ concurrency: 40, firstHeaderSeconds: 2.5, headerSeconds: 1.5 });
    expect(r.collections).toBeGreaterThan(5);
    const late = r.answers.filter((a) => a.status === 0 || a.ms > a.deadlineMs + BOUND_MS);
    expect(late, `answers past their deadline + ${BOUND_MS} ms`).toEqual([]);
    for (const bmc of ['silent', 'garbage'] as const) {
      const [first, ...queued] = r.answers.filter((a) => a.bmc === bmc);
      expect(first).toMatchObject({ deadlineMs: 2000, status: 200, up: 0 });
      // Held up behind the first, whose deadline is later: each gives up in the queue.
      expect(queued).toHaveLength(39);
      for (const a of queued) expect(a).toMatchObject({ deadlineMs: 1000, status: 503 });
    }
  }, 60_000);
});
