import type { CommandHandler } from '@bmc-exporter/bmc-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { SCRAPE_TIMEOUT_HEADER } from '../http/deadline.js';
import { samples, startSimTarget, writeSecrets } from '../testing/sim-target.js';
import { startTestExporter } from '../testing/test-exporter.js';

/**
 * Retransmits later than the scrape's deadline: a Get SDR the BMC leaves
 * unanswered is still waiting when the deadline ends the scrape, as on a BMC
 * too slow for its SDR, and no retry or session check interferes.
 */
const PATIENT = { initialTimeoutMs: 3000, maxTimeoutMs: 3000, backoff: 1, attempts: 2, sessionAttempts: 2 };
const GET_SDR = { netFn: 0x0a, cmd: 0x23, key: '0a:23' } as const;
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('an SDR walk cut short by the scrape deadline, through the exporter', { timeout: 30_000 }, () => {
  it('is a partial scrape, counted and shown; the next scrape continues the walk and is whole', async () => {
    // The BMC answers this many Get SDR, then leaves the rest unanswered until the test opens it up.
    let answered = 0;
    let budget = 10;
    const sim = await startSimTarget(
      'server-2s',
      (model): CommandHandler =>
        (req, ctx) => {
          if (req.netFn === GET_SDR.netFn && req.cmd === GET_SDR.cmd && answered++ >= budget) return undefined;
          return model(req, ctx);
        },
    );
    cleanup.push(() => sim.close());
    const secrets = await writeSecrets([sim.target]);
    cleanup.push(() => secrets.remove());
    const exporter = await startTestExporter(secrets.path, {}, { retry: PATIENT });
    cleanup.push(() => exporter.close());
    // 1.5 s from Prometheus, less the exporter's 0.5 s offset: a 1 s deadline.
    const scrape = async (timeoutSeconds: string) =>
      samples(await (await fetch(`${exporter.url}/bmc?target=${sim.target}`, { headers: { [SCRAPE_TIMEOUT_HEADER]: timeoutSeconds } })).text());
    const self = async () => samples(await (await fetch(`${exporter.url}/metrics`)).text());
    const target = () => exporter.pool.peek(sim.target)!;

    const cut = await scrape('1.5');
    expect(cut.get('bmc_up')).toBe(1);
    expect([...cut.keys()].filter((k) => k.startsWith('fan_speed_rpm{'))).toEqual([]);
    expect(target().status.partial).toBe(true);
    expect((await self()).get('bmc_collector_partial_collections_total')).toBe(1);
    expect(await (await fetch(`${exporter.url}/`)).text()).toMatch(/partial/);
    expect(target().status.errors).toContain('SDR: walk cut short after 10 records; the next scrape continues it');
    // Ten whole records (one Get SDR each) were kept for the next scrape.
    expect(target().cache.sdrWalkProgress).toBe(10);
    const walkedBefore = sim.commands.get(GET_SDR.key)!;

    budget = Infinity;
    sim.resetCounts();
    const whole = await scrape('10');
    expect([...whole.keys()].filter((k) => k.startsWith('fan_speed_rpm{'))).toHaveLength(6);
    expect(target().status.partial).toBe(false);
    expect(target().cache.sdrWalkProgress).toBeUndefined();
    // The rest of the walk only: record 11 (left unanswered by the cut scrape) again, then on.
    const walkedAfter = sim.commands.get(GET_SDR.key)!;
    const total = sim.model.sdrRepositoryInfo.recordCount;
    expect(walkedAfter).toBe(total - 10);
    expect(walkedBefore).toBe(11);
    expect((await self()).get('bmc_collector_partial_collections_total')).toBe(1);
  });
});
