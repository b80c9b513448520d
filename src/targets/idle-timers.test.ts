import type { Timers } from '@bmc-exporter/ipmi';
import { afterEach, describe, expect, it } from 'vitest';
import { samples, startSimTarget, writeSecrets } from '../testing/sim-target.js';
import { startTestExporter } from '../testing/test-exporter.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** Real timers, keeping the set of those pending: made, neither fired nor cleared. */
function trackedTimers(): Timers & { pending: Set<unknown> } {
  const pending = new Set<unknown>();
  return {
    pending,
    setTimeout: (fn, ms) => {
      const h: ReturnType<typeof setTimeout> = setTimeout(() => {
        pending.delete(h);
        fn();
      }, ms);
      pending.add(h);
      return h;
    },
    clearTimeout: (h) => {
      pending.delete(h);
      clearTimeout(h as ReturnType<typeof setTimeout>);
    },
    now: () => performance.now(),
  };
}

describe('a target between scrapes', () => {
  it('leaves no timer of its client pending once a scrape is answered (none runs between scrapes); the next scrape arms them again', async () => {
    const sim = await startSimTarget('server-2s');
    cleanup.push(() => sim.close());
    const secrets = await writeSecrets([sim.target]);
    cleanup.push(() => secrets.remove());
    const timers = trackedTimers();
    const exporter = await startTestExporter(secrets.path, {}, { timers });
    cleanup.push(() => exporter.close());
    const url = `${exporter.url}/bmc?target=${sim.target}`;
    for (let i = 0; i < 2; i++) {
      const before = sim.requests;
      const body = await (await fetch(url)).text();
      expect(samples(body).get('bmc_up')).toBe(1);
      // Commands were sent, each under a retransmit timer...
      expect(sim.requests).toBeGreaterThan(before);
      // ...and none is left running after the answer.
      expect([...timers.pending]).toEqual([]);
    }
  });
});
