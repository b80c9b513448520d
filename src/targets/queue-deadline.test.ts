import { afterEach, describe, expect, it } from 'vitest';
import type { Exporter } from '../main.js';
import { recordServed, settle, until } from '../testing/fake-clock.js';
import { samples, startSimTarget, writeSecrets, type SimTarget } from '../testing/sim-target.js';
import { startTestExporter } from '../testing/test-exporter.js';

const FAST = { initialTimeoutMs: 150, maxTimeoutMs: 300, backoff: 2, attempts: 2, sessionAttempts: 2 };
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup(): Promise<{ sim: SimTarget; exporter: Exporter }> {
  const sim = await startSimTarget('server-2s');
  cleanup.push(() => sim.close());
  const secrets = await writeSecrets([sim.target]);
  cleanup.push(() => secrets.remove());
  const exporter = await startTestExporter(secrets.path, { scrapeTimeoutMs: 1000, scrapeTimeoutOffsetMs: 0 }, { retry: FAST });
  cleanup.push(() => exporter.close());
  return { sim, exporter };
}

/**
 * Hold the event loop (this process runs the exporter): every timer due meanwhile fires late,
 * together. Real time on purpose: it stands for a loaded process, and a fake clock would fire
 * each timer at its own instant.
 */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('a scrape queued behind another of the same BMC', () => {
  it('is abandoned (503) when its deadline has passed by the time it reaches the front, even before its own timer has fired', async () => {
    // A busy exporter runs due timers late and in order: the first scrape's deadline timer ends
    // it, and the next one reaches the front in the same turn, its deadline gone by the clock
    // but its timer not yet run. It must not start collecting (the 1,000-scrape battery saw a
    // whole queue run through that way, each answered 200 seconds past its deadline).
    const { sim, exporter } = await setup();
    sim.answerBudget = 0;
    const url = `${exporter.url}/bmc?target=${sim.target}`;
    const served = recordServed(exporter.httpServer);
    const first = fetch(url).then(async (r) => ({ status: r.status, body: await r.text() }));
    // The first scrape holds the BMC: its first datagram is on the wire.
    await until(() => sim.requests > 0);
    const second = fetch(url).then(async (r) => ({ status: r.status, body: await r.text() }));
    // The exporter has the second request; its handler queues it without waiting on anything.
    await until(() => served.length === 2);
    await settle();
    busy(1300);
    const [a, b] = await Promise.all([first, second]);
    expect(a.status).toBe(200);
    expect(samples(a.body).get('bmc_up')).toBe(0);
    expect(b.status).toBe(503);
    const self = samples(await (await fetch(`${exporter.url}/metrics`)).text());
    expect(self.get('bmc_target_abandoned_requests_total')).toBe(1);
  });
});
