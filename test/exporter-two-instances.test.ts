// The README's deployment: a pair of exporter processes (the CLI, one
// secrets file) behind one name, both scraping the same BMCs. Real BMCs
// allow few sessions, so each exporter must hold at most one per BMC, also
// while sessions expire on the BMC and are re-established. Five simulated
// BMCs with a 2 s session idle timeout, three scrapers per exporter at random
// times for a minute: every scrape has bmc_up 1 and no BMC ever saw more than
// two sessions open at once. (BMC_EXPORTER_PAIR_TEST_MS shortens the run
// while working on this file.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samples, startCli, tempDir, type CliProcess, type TempDir } from './exporter/cli.js';
import { startTestFleet, type TestFleet } from './exporter/fleet.js';

const BMCS = 5;
const SCRAPERS_PER_EXPORTER = 3;
const RUN_MS = Number(process.env['BMC_EXPORTER_PAIR_TEST_MS'] ?? 60_000);
const IDLE_TIMEOUT_MS = 2_000;

let fleet: TestFleet;
let dir: TempDir;
const exporters: CliProcess[] = [];

beforeAll(async () => {
  fleet = await startTestFleet({ count: BMCS, profile: 'server-2s', baseAddress: '127.6.4.1', seed: 64, sessionIdleTimeoutMs: IDLE_TIMEOUT_MS });
  dir = await tempDir('bmc-exporter-pair-');
  const secrets = await dir.write('secrets.yml', fleet.fleet.secrets());
  for (let i = 0; i < 2; i++) exporters.push(await startCli(['--web.listen-address', '127.0.0.1:0', '--secrets.static', secrets]));
});

afterAll(async () => {
  for (const e of exporters) await e.stop();
  await fleet?.close();
  await dir?.remove();
});

interface Result {
  exporter: number;
  target: string;
  status: number;
  up: number | undefined;
  ms: number;
}

/**
 * One scraper: the BMCs in turn from its own starting point (so every BMC is scraped by both
 * exporters about equally often, whatever the run's pace), random pause (mostly under 0.8 s;
 * one in ten 2.5 s, so sessions go idle past the BMC's timeout now and then), until the end.
 */
async function scraper(exporter: number, first: number, until: number, results: Result[]): Promise<void> {
  const url = exporters[exporter]!.url;
  for (let i = first; Date.now() < until; i++) {
    const target = fleet.targets[i % BMCS]!;
    const t0 = performance.now();
    const res = await fetch(`${url}/bmc?target=${target}`);
    const text = await res.text();
    results.push({ exporter, target, status: res.status, up: samples(text).get('bmc_up'), ms: performance.now() - t0 });
    await new Promise((r) => setTimeout(r, Math.random() < 0.1 ? 2_500 : Math.random() * 800));
  }
}

describe('two exporter processes on the same BMCs', () => {
  it(
    `scraping concurrently for ${RUN_MS / 1000} s: bmc_up 1 every time, at most two sessions open at once on every BMC`,
    async () => {
      const results: Result[] = [];
      const until = Date.now() + RUN_MS;
      const scrapers = [];
      for (let e = 0; e < 2; e++) for (let s = 0; s < SCRAPERS_PER_EXPORTER; s++) scrapers.push(scraper(e, e * SCRAPERS_PER_EXPORTER + s, until, results));
      await Promise.all(scrapers);

      const ms = results.map((r) => r.ms).sort((a, b) => a - b);
      const p = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!.toFixed(0);
      console.log(
        `two-instances: ${results.length} scrapes, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${p(1)} ms; counters ${JSON.stringify((await fleet.fleet.list()).map((b) => b.counters.sessions))}`,
      );

      const bad = results.filter((r) => r.status !== 200 || r.up !== 1);
      expect(bad, JSON.stringify(bad.slice(0, 5))).toEqual([]);
      // Both exporters scraped every BMC, many times.
      for (let e = 0; e < 2; e++)
        for (const t of fleet.targets) expect(results.filter((r) => r.exporter === e && r.target === t).length).toBeGreaterThan(RUN_MS / 10_000);

      const counters = await fleet.fleet.list();
      for (const b of counters) {
        const s = b.counters.sessions;
        expect(s.maxOpen, `${b.address}: ${JSON.stringify(s)}`).toBeLessThanOrEqual(2);
        expect(s.open, `${b.address}: ${JSON.stringify(s)}`).toBeLessThanOrEqual(2);
      }
      // The idle timeout did bite: sessions expired on the BMCs and were opened again.
      const expired = counters.reduce((n, b) => n + b.counters.sessions.expiredTotal, 0);
      const opened = counters.reduce((n, b) => n + b.counters.sessions.openedTotal, 0);
      expect(expired).toBeGreaterThan(0);
      expect(opened).toBeGreaterThan(2 * BMCS);

      // Both stop cleanly and leave no session behind on any BMC.
      for (const e of exporters) expect(await e.stop()).toBe(0);
      for (const b of await fleet.fleet.list()) expect(b.counters.sessions.open, b.address).toBe(0);
    },
    RUN_MS + 30_000,
  );
});
