import { DEFAULT_SESSION_BACKOFF, type Timers } from '@bmc-exporter/ipmi';
import { afterEach, describe, expect, it } from 'vitest';
import type { Exporter } from '../main.js';
import { samples, startSimTarget, writeSecrets, type SimTarget } from '../testing/sim-target.js';
import { startTestExporter } from '../testing/test-exporter.js';

const FAST = { initialTimeoutMs: 150, maxTimeoutMs: 300, backoff: 2, attempts: 2, sessionAttempts: 2 };
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/**
 * Real timers for the wire (retransmits on loopback), and a clock the test
 * moves forward: the back-off lasts seconds to minutes, and is tested
 * without waiting for it.
 */
function skewedClock(): Timers & { advance(ms: number): void } {
  let skew = 0;
  return {
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    now: () => performance.now() + skew,
    advance: (ms) => {
      skew += ms;
    },
  };
}

async function setup(): Promise<{ sim: SimTarget; exporter: Exporter; clock: ReturnType<typeof skewedClock> }> {
  const sim = await startSimTarget('server-2s');
  cleanup.push(() => sim.close());
  const secrets = await writeSecrets([sim.target]);
  cleanup.push(() => secrets.remove());
  const clock = skewedClock();
  const exporter = await startTestExporter(secrets.path, {}, { retry: FAST, timers: clock });
  cleanup.push(() => exporter.close());
  return { sim, exporter, clock };
}

const text = async (url: string) => (await fetch(url)).text();
const scrape = async (e: Exporter, sim: SimTarget) => samples(await text(`${e.url}/bmc?target=${sim.target}&collectors=chassis,processor_temperature`));
const self = async (e: Exporter) => samples(await text(`${e.url}/metrics`));

describe('a BMC refusing sessions', () => {
  it('is left alone while backing off: no packet, bmc_up 0 at once, visible in the self-metrics; a session after the back-off resets it', async () => {
    const { sim, exporter, clock } = await setup();
    // No free session slot: Open Session is answered "insufficient resources".
    sim.protocol.update({ sessionLimit: 0 });
    const first = await scrape(exporter, sim);
    expect(first.get('bmc_up')).toBe(0);
    const target = exporter.pool.peek(sim.target)!;
    expect(target.status.lastError).toMatch(/^session: Open Session refused: BMC status 0x01 \(Insufficient resources to create a session\)/);
    let m = await self(exporter);
    expect(m.get('bmc_exporter_session_refusals_total')).toBe(1);
    expect(m.get('bmc_exporter_targets_backing_off')).toBe(1);
    // Jittered: between half and all of the initial wait.
    expect(target.client.backoffRemainingMs).toBeGreaterThan(DEFAULT_SESSION_BACKOFF.initialMs * 0.5 - 1000);
    expect(target.client.backoffRemainingMs).toBeLessThanOrEqual(DEFAULT_SESSION_BACKOFF.initialMs);

    // While backing off: nothing is sent, and the answer says why.
    sim.resetCounts();
    const second = await scrape(exporter, sim);
    expect(second.get('bmc_up')).toBe(0);
    expect(sim.requests).toBe(0);
    expect(target.status.lastError).toMatch(/refused a session \(Open Session refused: .*\); not asking again for \d+ s$/);
    expect((await self(exporter)).get('bmc_exporter_session_refusals_total')).toBe(1);

    // Past the back-off, still refused: tried once more, and the next wait is longer (exponential).
    clock.advance(DEFAULT_SESSION_BACKOFF.initialMs);
    expect((await scrape(exporter, sim)).get('bmc_up')).toBe(0);
    expect(sim.requests).toBeGreaterThan(0);
    expect(target.client.backoffRemainingMs).toBeGreaterThan(DEFAULT_SESSION_BACKOFF.initialMs);
    expect((await self(exporter)).get('bmc_exporter_session_refusals_total')).toBe(2);

    // A slot frees up; after the back-off the session is established, and the back-off is over.
    sim.protocol.update({ sessionLimit: 4 });
    clock.advance(2 * DEFAULT_SESSION_BACKOFF.initialMs);
    const ok = await scrape(exporter, sim);
    expect(ok.get('bmc_up')).toBe(1);
    expect(ok.get('chassis_powered_on')).toBe(1);
    m = await self(exporter);
    expect(m.get('bmc_exporter_targets_backing_off')).toBe(0);
    expect(target.client.backoffRemainingMs).toBe(0);
  });

  it('right after a BMC restart with every slot taken, the scrape reports bmc_up 0, not 1', async () => {
    const { sim, exporter } = await setup();
    expect((await scrape(exporter, sim)).get('bmc_up')).toBe(1);
    // The BMC restarts (our session is gone) and comes back with no free slot.
    sim.protocol.reset();
    sim.protocol.update({ sessionLimit: 0 });
    const m = await scrape(exporter, sim);
    expect(m.get('bmc_up')).toBe(0);
    expect(m.has('chassis_powered_on')).toBe(false);
    const target = exporter.pool.peek(sim.target)!;
    expect(target.status.lastError).toMatch(/Open Session refused/);
    const s = await self(exporter);
    expect(s.get('bmc_exporter_session_refusals_total')).toBe(1);
    expect(s.get('bmc_exporter_targets_backing_off')).toBe(1);
    expect(s.get('bmc_exporter_healthy')).toBe(0);
  });
});
