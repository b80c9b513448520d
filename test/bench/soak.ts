// The soak benchmark: the exporter CLI scraping 2,000 simulated BMCs
// every 30 s, as Prometheus would, for an hour, with faults mixed in: 10% of
// the BMCs lose 5% of their datagrams, a few are restarted now and then (every
// session forgotten), one has had its password changed, two have a slow SEL.
// Every 10 s the exporter's RSS, V8 heap and descriptors are sampled.
// Figures: the RSS (and heap) slope after warm-up by least squares, answers
// later than the scrape deadline plus a small bound (or none at all), and the
// share of scrapes of healthy targets (all but the wrong-password one) that
// answered 200 with bmc_up 1 (target >= 99.9%).
// Every sample and a running summary each minute go to the log (stderr), so a
// long run can be read while it goes.
// Addresses: the fleet binds 127.200.0.0/16 and up, a range no test uses, so a
// long soak never needs the peer-test lock (BRIEF: long benches keep off it).
// Processes: fleet and scrape generator pinned to core 1; the exporter CLI not
// pinned (SOAK_PIN_EXPORTER=1 pins it to core 0).
// Before the paced scraping, one cold pass (session + SDR walk per target) with
// SOAK_COLD_CONCURRENCY (32; 0 skips it) scrapes in flight.
// Knobs (environment): SOAK_SECONDS (3600), SOAK_TARGETS (2000),
// SOAK_INTERVAL_SECONDS (30), SOAK_SAMPLE_SECONDS (10), SOAK_WARMUP_SECONDS
// (min(600, a quarter of the run)), SOAK_RESTART_SECONDS (300: how often the
// restarted BMCs are restarted), SOAK_LATE_BOUND_MS (500: how far past its
// deadline an answer may arrive before it counts as late).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExporterCli, type ExporterProcess } from './exporter.js';
import { child, exporterTrouble, next, percentile, pin, procFds, procRss, stopped } from './exporter-proc.js';
import type { FromFaultFleet, ToFaultFleet } from './fault-fleet-child.js';
import type { ClassWindow, FromScrape, ToScrape } from './fault-scrape-child.js';
import type { Benchmark } from './run.js';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
/** The exporter's default --scrape.timeout; the generator sends Prometheus' default 10 s header, which it lowers to this. */
const DEADLINE_MS = 8_000;
const TIMEOUT_HEADER_SECONDS = 10;
/** Own loopback range for long runs (see the header comment). */
export const SOAK_BASE_ADDRESS = '127.200.0.1';

type Ready = Extract<FromFaultFleet, { type: 'ready' }>;

/** Which BMCs get which fault; the rest are clean. Deterministic by index, so runs compare. */
export function soakClasses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    if (i === 2) return 'wrong-password';
    if (i === 3 || i === 13) return 'slow-sel';
    if (i % 400 === 4) return 'restarted';
    if (i % 10 === 1) return 'lossy';
    return 'clean';
  });
}

/** Least-squares slope of y over x. */
export function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

/** Every target's entry; `cipherSuites` pinned as given (suite 3 by default: the datagram sizes the floor is measured with), none: discovered, as the exporter's default configuration does. */
export function secretsYaml(secrets: Record<string, { username: string; password: string }>, cipherSuites: readonly number[] | 'discover' = [3]): string {
  const suites = cipherSuites === 'discover' ? '' : `  cipher_suites: [${cipherSuites.join(', ')}]\n`;
  return Object.entries(secrets)
    .map(([t, c]) => `${t}:\n  username: ${JSON.stringify(c.username)}\n  password: ${JSON.stringify(c.password)}\n${suites}`)
    .join('');
}

async function heapUsed(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const m = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
  return m ? Number(m[1]) : NaN;
}

interface Sample {
  t: number;
  rssMiB: number;
  heapMiB: number;
  fds: number;
  udp: number;
}

function merge(into: Map<string, ClassWindow>, w: Record<string, ClassWindow>): void {
  for (const [cls, x] of Object.entries(w)) {
    let a = into.get(cls);
    if (!a) into.set(cls, (a = { scrapes: 0, up: 0, late: 0, failures: {}, latenciesMs: [] }));
    a.scrapes += x.scrapes;
    a.up += x.up;
    a.late += x.late;
    for (const [k, n] of Object.entries(x.failures)) a.failures[k] = (a.failures[k] ?? 0) + n;
    for (const l of x.latenciesMs) a.latenciesMs.push(l);
  }
}

function healthy(totals: Map<string, ClassWindow>): { scrapes: number; up: number; late: number; maxMs: number } {
  let scrapes = 0;
  let up = 0;
  let late = 0;
  let maxMs = 0;
  for (const [cls, w] of totals) {
    late += w.late;
    for (const l of w.latenciesMs) if (l > maxMs) maxMs = l;
    if (cls === 'wrong-password') continue;
    scrapes += w.scrapes;
    up += w.up;
  }
  return { scrapes, up, late, maxMs };
}

export const benchmark: Benchmark = {
  name: 'soak',
  description:
    'soak: 2,000 simulated BMCs scraped every 30 s for an hour with loss, restarts, a wrong password and a slow SEL mixed in; RSS/heap/fds every 10 s',
  async run(report, log) {
    const seconds = env('SOAK_SECONDS', 3600);
    const count = env('SOAK_TARGETS', 2000);
    const intervalMs = env('SOAK_INTERVAL_SECONDS', 30) * 1000;
    const sampleMs = env('SOAK_SAMPLE_SECONDS', 10) * 1000;
    const warmupS = env('SOAK_WARMUP_SECONDS', Math.min(600, seconds / 4));
    const restartMs = env('SOAK_RESTART_SECONDS', 300) * 1000;
    const lateBound = env('SOAK_LATE_BOUND_MS', 500);
    const classes = soakClasses(count);
    const indexes = (cls: string) => classes.flatMap((c, i) => (c === cls ? [i] : []));
    const bmcFaults: Record<string, object> = {};
    for (const i of indexes('lossy')) bmcFaults[String(i)] = { lossPercent: 5 };
    for (const i of indexes('wrong-password')) bmcFaults[String(i)] = { wrongPassword: true };
    for (const i of indexes('slow-sel')) bmcFaults[String(i)] = { slowSelMs: 1000 };
    // The simulator's own session idle timeout (60 s, as real BMCs): a session the exporter gave up
    // on frees its slot again. (With 1 h, any session leaked under load fills the 4 slots for good.)
    const def = { count, profile: 'server-2s', baseAddress: SOAK_BASE_ADDRESS, port: 623, seed: 29, bmcFaults };
    const dir = mkdtempSync(join(tmpdir(), 'bmc-exporter-soak-'));
    const fleet = child('./fault-fleet-child.js', [JSON.stringify(def)]);
    const gen = child('./fault-scrape-child.js');
    let exp: ExporterProcess | undefined;
    let sampler: ReturnType<typeof setInterval> | undefined;
    let restarter: ReturnType<typeof setInterval> | undefined;
    try {
      if (!(pin(fleet.pid!, 1) && pin(gen.pid!, 1))) log('taskset not available: processes are separate but not pinned');
      const ready = await next<Ready>(fleet, 'ready', undefined, 120_000);
      log(
        `fleet of ${ready.count} BMCs from ${SOAK_BASE_ADDRESS} bound in ${ready.bindMs.toFixed(0)} ms; classes: ${[...new Set(classes)].map((c) => `${c} ${indexes(c).length}`).join(', ')}`,
      );
      // Not pinned: on a shared machine one pinned core is all the exporter could get.
      exp = await startExporterCli(secretsYaml(ready.secrets), dir, process.env.SOAK_PIN_EXPORTER ? 0 : -1, 'exporter-soak');
      const e = exp;
      // First scrapes (session + SDR walk each) with a bounded number in flight, as the exporter
      // benchmark does, before the paced scraping starts: what is soaked is the steady state.
      const coldConcurrency = env('SOAK_COLD_CONCURRENCY', 32);
      if (coldConcurrency > 0) {
        const cold = await next<Extract<FromScrape, { type: 'passed' }>>(
          gen,
          'passed',
          {
            type: 'pass',
            base: e.base,
            targets: ready.targets,
            concurrency: coldConcurrency,
            passes: 1,
            timeoutHeaderSeconds: TIMEOUT_HEADER_SECONDS,
          } satisfies ToScrape,
          1_800_000,
        );
        const lat = cold.records.map((r) => r.ms).sort((a, b) => a - b);
        const up = cold.records.filter((r) => r.up).length;
        log(`cold pass: ${(cold.ms / 1000).toFixed(1)} s, ${up}/${cold.records.length} bmc_up 1, p99 ${percentile(lat, 99).toFixed(0)} ms`);
        report(
          `cold_pass_seconds@${count}`,
          cold.ms / 1000,
          's',
          `${coldConcurrency} in flight; ${up}/${cold.records.length} bmc_up 1; p99 ${percentile(lat, 99).toFixed(0)} ms`,
        );
      }
      const t0 = performance.now();
      const samples: Sample[] = [];
      let sampling = false;
      sampler = setInterval(() => {
        if (sampling) return;
        sampling = true;
        void (async () => {
          try {
            const rss = procRss(e.pid);
            const fds = procFds(e.pid);
            const heap = await heapUsed(e.base).catch(() => NaN);
            const s: Sample = { t: (performance.now() - t0) / 1000, rssMiB: rss / 2 ** 20, heapMiB: heap / 2 ** 20, fds: fds.total, udp: fds.udp };
            samples.push(s);
            log(`sample ${JSON.stringify({ t: Math.round(s.t), rssMiB: +s.rssMiB.toFixed(1), heapMiB: +s.heapMiB.toFixed(1), fds: s.fds, udp: s.udp })}`);
          } catch (err) {
            log(`sample failed: ${(err as Error).message}`);
          } finally {
            sampling = false;
          }
        })();
      }, sampleMs);
      let restarts = 0;
      const restarted = indexes('restarted');
      restarter = setInterval(() => {
        if (restarted.length === 0) return;
        restarts += restarted.length;
        void next(fleet, 'done', { type: 'restart', indexes: restarted } satisfies ToFaultFleet).catch((err: Error) => log(`restart failed: ${err.message}`));
      }, restartMs);

      const totals = new Map<string, ClassWindow>();
      /** The same, over windows that start after warm-up (the first interval's cold scrapes all come at once). */
      const settled = new Map<string, ClassWindow>();
      let lastSummary = 0;
      const summary = (final: boolean) => {
        const h = healthy(totals);
        const hs = healthy(settled);
        const post = samples.filter((s) => s.t >= warmupS);
        const rssSlope = slope(post.map((s) => ({ x: s.t / 3600, y: s.rssMiB })));
        const heapSlope = slope(post.filter((s) => Number.isFinite(s.heapMiB)).map((s) => ({ x: s.t / 3600, y: s.heapMiB })));
        const line = {
          t: Math.round((performance.now() - t0) / 1000),
          scrapes: [...totals.values()].reduce((a, w) => a + w.scrapes, 0),
          healthyUpShare: h.scrapes ? +((h.up / h.scrapes) * 100).toFixed(3) : null,
          late: h.late,
          maxMs: Math.round(h.maxMs),
          afterWarmup: {
            scrapes: hs.scrapes,
            healthyUpShare: hs.scrapes ? +((hs.up / hs.scrapes) * 100).toFixed(3) : null,
            late: hs.late,
            maxMs: Math.round(hs.maxMs),
          },
          rssSlopeMiBPerHour: Number.isFinite(rssSlope) ? +rssSlope.toFixed(2) : null,
          heapSlopeMiBPerHour: Number.isFinite(heapSlope) ? +heapSlope.toFixed(2) : null,
          restarts,
          byClass: Object.fromEntries([...totals].map(([c, w]) => [c, { scrapes: w.scrapes, up: w.up, late: w.late, failures: w.failures }])),
        };
        log(`${final ? 'final' : 'running'} ${JSON.stringify(line)}`);
      };
      gen.on('message', (m: FromScrape) => {
        if (m.type !== 'window') return;
        merge(totals, m.byClass);
        if (m.atMs - sampleMs >= warmupS * 1000) merge(settled, m.byClass);
        if (m.atMs - lastSummary >= 60_000) {
          lastSummary = m.atMs;
          summary(false);
        }
      });
      await next<Extract<FromScrape, { type: 'passed' }>>(
        gen,
        'passed',
        {
          type: 'paced',
          base: e.base,
          targets: ready.targets,
          classes,
          intervalMs,
          durationMs: seconds * 1000,
          windowMs: sampleMs,
          timeoutHeaderSeconds: TIMEOUT_HEADER_SECONDS,
          lateAfterMs: DEADLINE_MS + lateBound,
        } satisfies ToScrape,
        seconds * 1000 + 180_000,
      );
      clearInterval(sampler);
      clearInterval(restarter);
      summary(true);

      const h = healthy(totals);
      const post = samples.filter((s) => s.t >= warmupS);
      const rss = post.map((s) => s.rssMiB);
      const rssSlope = slope(post.map((s) => ({ x: s.t / 3600, y: s.rssMiB })));
      const heapSlope = slope(post.filter((s) => Number.isFinite(s.heapMiB)).map((s) => ({ x: s.t / 3600, y: s.heapMiB })));
      const all = [...totals.values()].flatMap((w) => w.latenciesMs).sort((a, b) => a - b);
      const k = `${count}x${seconds}s`;
      report(
        `rss_slope_after_warmup@${k}`,
        rssSlope,
        'MiB/h',
        `least squares over ${post.length} samples after ${warmupS} s; RSS ${Math.min(...rss).toFixed(0)}-${Math.max(...rss).toFixed(0)} MiB, first ${rss[0]?.toFixed(0)} last ${rss.at(-1)?.toFixed(0)}`,
      );
      report(`heap_slope_after_warmup@${k}`, heapSlope, 'MiB/h', 'V8 heap used (nodejs_heap_size_used_bytes), same samples');
      report(
        `fds_after_warmup_max@${k}`,
        Math.max(...post.map((s) => s.fds)),
        'fds',
        `min ${Math.min(...post.map((s) => s.fds))}; UDP sockets ${Math.min(...post.map((s) => s.udp))}-${Math.max(...post.map((s) => s.udp))}`,
      );
      const hs = healthy(settled);
      const allSettled = [...settled.values()].flatMap((w) => w.latenciesMs).sort((a, b) => a - b);
      report(
        `answers_past_deadline@${k}`,
        h.late,
        'answers',
        `of ${[...totals.values()].reduce((a, w) => a + w.scrapes, 0)}: later than ${DEADLINE_MS} ms + ${lateBound} ms, or none within 60 s; slowest ${h.maxMs.toFixed(0)} ms; p99 ${percentile(all, 99).toFixed(0)} ms (target 0)`,
      );
      report(
        `answers_past_deadline_after_warmup@${k}`,
        hs.late,
        'answers',
        `of ${[...settled.values()].reduce((a, w) => a + w.scrapes, 0)} after ${warmupS} s; slowest ${hs.maxMs.toFixed(0)} ms; p99 ${percentile(allSettled, 99).toFixed(0)} ms`,
      );
      report(
        `healthy_up_share@${k}`,
        (h.up / h.scrapes) * 100,
        '%',
        `${h.up}/${h.scrapes} scrapes of every BMC but the wrong-password one answered 200 with bmc_up 1 (target >= 99.9)`,
      );
      report(`healthy_up_share_after_warmup@${k}`, (hs.up / hs.scrapes) * 100, '%', `${hs.up}/${hs.scrapes} after ${warmupS} s`);
      for (const [cls, w] of totals) {
        report(
          `up_share_${cls}@${k}`,
          (w.up / w.scrapes) * 100,
          '%',
          `${w.up}/${w.scrapes}${
            Object.keys(w.failures).length
              ? `; ${Object.entries(w.failures)
                  .map(([f, n]) => `${f} ${n}`)
                  .join(', ')}`
              : ''
          }`,
        );
      }
      report(`bmc_restarts@${k}`, restarts, 'restarts', `${restarted.length} BMCs restarted every ${restartMs / 1000} s`);
      const trouble = await exporterTrouble(e.base).catch(() => '');
      if (trouble) log(`exporter counters: ${trouble}`);
    } finally {
      if (sampler) clearInterval(sampler);
      if (restarter) clearInterval(restarter);
      if (exp) await exp.stop();
      if (gen.connected) gen.send({ type: 'close' } satisfies ToScrape);
      if (fleet.connected) fleet.send({ type: 'close' } satisfies ToFaultFleet);
      await Promise.all([stopped(gen), stopped(fleet as ChildProcess)]);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
