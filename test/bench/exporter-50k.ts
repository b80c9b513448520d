// The exporter at 50,000 targets: one exporter, 50,000 simulated BMCs
// configured, every one scraped cold and then warm. Figures at that size: RSS
// and V8 heap per warm target, descriptors and UDP sockets, exporter CPU per
// warm scrape and what it makes for 50,000 targets every 30 s, warm p50/p99
// at the concurrency used, and how many scrapes answered bmc_up 1.
//
// Why no paced phase (every target once per 30 s, as `exporter` runs): that is
// 1,667 scrapes/s. The fleet alone needs well over a core to answer it, and
// the exporter needs its CPU per warm scrape x 1,667/s on top; this benchmark
// is meant for a 2-core machine, which cannot pace 50,000 targets with both.
// So the warm figures come from flat-out passes over every target at a
// concurrency the machine sustains, and cores_for_50k_at_30s is the arithmetic
// (CPU per warm scrape x 50,000 / 30 s), not a paced measurement.
//
// Steps: the fleet (several processes, EXPORTER_50K_PER_FLEET BMCs each, all
// pinned to core 1 with the HTTP load generator; one process could not hold
// 50,000 sockets under a 20,000-descriptor limit), the idle exporter (one
// target configured, settled) as the RSS baseline, then the exporter with
// every target configured (pinned to core 0). The cold pass (session + SDR
// walk per target) runs in chunks so progress is logged and its time is
// bounded (EXPORTER_BENCH_COLD_SECONDS; past it the run stops with an error,
// as the warm figures would not be of every target); targets whose cold
// scrape failed are retried once. Then EXPORTER_BENCH_WARM_PASSES passes over
// every target; the figures are those of the last pass, whose scrapes
// are all of targets scraped warm before.
// rss_per_warm_target: (the exporter's RSS after the last warm pass, once it
// has stopped falling - the idle exporter's) / targets. heap_used_per_warm_target:
// the same with V8's heap used as the exporter's own /metrics reports it
// (garbage not yet collected included).
// Addresses: 127.205.0.0/16 (254 BMCs per /24, from 127.205.0.1), a range no
// test and no other benchmark uses, so a run never needs the peer-test lock.
// Knobs (environment): EXPORTER_BENCH_COUNTS (targets, 50000; a list runs each
// in turn against one fleet of the largest), EXPORTER_BENCH_CONCURRENCY (warm
// scrapes in flight, 64), EXPORTER_BENCH_COLD_CONCURRENCY (64),
// EXPORTER_BENCH_COLD_SECONDS (1500), EXPORTER_BENCH_WARM_PASSES (2),
// EXPORTER_50K_PER_FLEET (BMCs per fleet process, 12500),
// EXPORTER_BENCH_HEAPSNAPSHOT (directory: a heap snapshot of the exporter after
// the RSS figure is read), EXPORTER_BENCH_PROFILE and EXPORTER_BENCH_CIPHER_SUITES
// (as for `exporter`).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endpointAt } from '@bmc-exporter/bmc-sim';
import { heapSnapshot, settledRss, startExporterCli, yamlFor } from './exporter.js';
import type { FromFleet, ToFleet } from './exporter-fleet-child.js';
import type { FromLoad, ToLoad } from './exporter-load-child.js';
import { child, COMMAND_NAMES, exporterMemory, exporterTrouble, next, percentile, pin, procCpu, procFds, procRss, stopped } from './exporter-proc.js';
import type { Benchmark, Report } from './run.js';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
/** Own loopback range (see the header comment): 127.205.0.0/16, numbered from its first host. */
const RANGE = '127.205.';
const FIRST = `${RANGE}0.1`;
const GOAL_TARGETS = 50_000;
const MiB = 2 ** 20;
/** How much of the cold pass one message to the load generator carries: progress is logged, and the time bound checked, between chunks. */
const COLD_CHUNK = 2_000;

type Credentials = { username: string; password: string };
type Stats = Extract<FromFleet, { type: 'stats' }>;

/** The i-th address of the range, numbered as the fleets number their BMCs (bmc-sim's endpointAt); past the range's end, an error. */
function addressAt(i: number): string {
  const { address } = endpointAt({ count: i + 1, baseAddress: FIRST }, i);
  if (!address.startsWith(RANGE)) throw new Error(`${i + 1} BMCs do not fit in ${RANGE}0.0/16`);
  return address;
}

/** Commands and CPU summed over every fleet process. */
async function fleetStats(fleets: ChildProcess[]): Promise<Stats> {
  const all = await Promise.all(fleets.map((f) => next<Stats>(f, 'stats', { type: 'stats' } satisfies ToFleet, 120_000)));
  const sum: Stats = { type: 'stats', commands: {}, commandsTotal: 0, sessionsOpened: 0, sessionsOpen: 0, cpuUser: 0, cpuSystem: 0 };
  for (const s of all) {
    for (const [k, n] of Object.entries(s.commands)) sum.commands[k] = (sum.commands[k] ?? 0) + n;
    sum.commandsTotal += s.commandsTotal;
    sum.sessionsOpened += s.sessionsOpened;
    sum.sessionsOpen += s.sessionsOpen;
    sum.cpuUser += s.cpuUser;
    sum.cpuSystem += s.cpuSystem;
  }
  return sum;
}

/** A number from the exporter's /metrics (the first series of that name), NaN when absent. */
async function exporterGauge(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(60_000) })).text();
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

async function atCount(
  count: number,
  idle: { rss: number; heapUsed: number; external: number },
  fleets: ChildProcess[],
  load: ChildProcess,
  secrets: [string, Credentials][],
  dir: string,
  report: Report,
  log: (l: string) => void,
): Promise<void> {
  const k = `${count}`;
  const concurrency = env('EXPORTER_BENCH_CONCURRENCY', 64);
  const coldConcurrency = env('EXPORTER_BENCH_COLD_CONCURRENCY', 64);
  const coldBudgetMs = env('EXPORTER_BENCH_COLD_SECONDS', 1500) * 1000;
  const warmPasses = Math.max(1, env('EXPORTER_BENCH_WARM_PASSES', 2));
  const mine = secrets.slice(0, count);
  const targets = mine.map(([t]) => t);
  // Every target stays configured and warm for the whole run, however long the cold pass takes.
  const exp = await startExporterCli(yamlFor(mine), dir, 0, `exporter-${count}`, ['--target.idle-timeout', '6h'], 300_000);
  const pass = (ts: string[], inFlight: number, timeoutMs: number) =>
    next<FromLoad>(
      load,
      'passed',
      { type: 'pass', base: exp.base, targets: ts, concurrency: inFlight, minSeconds: 0, maxPasses: 1 } satisfies ToLoad,
      timeoutMs,
    );
  try {
    const configuredRss = procRss(exp.pid);
    log(`${count} targets configured: exporter RSS ${(configuredRss / MiB).toFixed(0)} MiB before any scrape`);
    report(`rss_per_configured_target@${k}`, (configuredRss - idle.rss) / count / 1024, 'KiB', 'secrets entries loaded, nothing scraped, not settled');

    // Cold: session + SDR walk per target, in chunks, bounded in time.
    const s0 = await fleetStats(fleets);
    const cpu0 = procCpu(exp.pid).self;
    const t0 = performance.now();
    let coldUp = 0;
    let failed: string[] = [];
    let firstFailure: string | undefined;
    for (let from = 0; from < count; from += COLD_CHUNK) {
      const elapsed = performance.now() - t0;
      if (elapsed > coldBudgetMs) {
        throw new Error(`cold pass over its ${coldBudgetMs / 1000} s bound after ${from} of ${count} targets (EXPORTER_BENCH_COLD_SECONDS)`);
      }
      const r = await pass(targets.slice(from, from + COLD_CHUNK), coldConcurrency, coldBudgetMs - elapsed + 60_000);
      coldUp += r.up;
      failed.push(...r.failedTargets);
      firstFailure ??= r.firstFailure;
      const done = Math.min(count, from + COLD_CHUNK);
      if (done % (COLD_CHUNK * 5) === 0 || done === count) {
        log(
          `cold: ${done}/${count} targets in ${((performance.now() - t0) / 1000).toFixed(0)} s, ${coldUp} up, exporter CPU ${(procCpu(exp.pid).self - cpu0).toFixed(0)} s, RSS ${(procRss(exp.pid) / MiB).toFixed(0)} MiB`,
        );
      }
    }
    const coldMs = performance.now() - t0;
    const cpu1 = procCpu(exp.pid).self;
    const sc = await fleetStats(fleets);
    report(
      `cold_pass_seconds@${k}`,
      coldMs / 1000,
      's',
      `${coldUp}/${count} bmc_up 1, ${coldConcurrency} in flight${firstFailure ? `; first failure: ${firstFailure}` : ''}`,
    );
    report(`cold_cpu_ms_per_target@${k}`, ((cpu1 - cpu0) / count) * 1000, 'ms', 'exporter CPU per first scrape: session setup + SDR walk');
    report(
      `cold_round_trips_per_target@${k}`,
      (sc.commandsTotal - s0.commandsTotal) / count,
      'commands',
      `simulator counters, session setup not included; Get SDR ${(((sc.commands['0x0a:0x23'] ?? 0) - (s0.commands['0x0a:0x23'] ?? 0)) / count).toFixed(1)}`,
    );
    if (failed.length) {
      log(`cold: ${failed.length} targets failed (${firstFailure}); retrying them once, 16 in flight`);
      const r = await pass(failed, 16, 600_000);
      failed = r.failedTargets;
      report(`cold_retried@${k}`, r.scrapes, 'targets', `${r.up} up on the retry${r.firstFailure ? `; first failure: ${r.firstFailure}` : ''}`);
    }
    if (failed.length)
      throw new Error(`${failed.length} targets never answered bmc_up 1 cold (e.g. ${failed[0]}): the warm figures would not be of every target`);

    // Warm: passes over every target; the figures are the last pass's.
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, procRss(exp.pid))), 1000);
    let last: { r: FromLoad; cpu: number; s1: Stats; s2: Stats } | undefined;
    try {
      for (let p = 1; p <= warmPasses; p++) {
        const s1 = await fleetStats(fleets);
        const c1 = procCpu(exp.pid).self;
        const r = await pass(targets, concurrency, 3_600_000);
        const cpu = procCpu(exp.pid).self - c1;
        const s2 = await fleetStats(fleets);
        const lat = [...r.latenciesMs].sort((a, b) => a - b);
        log(
          `warm pass ${p}/${warmPasses}: ${r.scrapes} scrapes in ${(r.ms / 1000).toFixed(0)} s, ${r.up} bmc_up 1, ${((cpu / r.scrapes) * 1e6).toFixed(0)} us exporter CPU per scrape, p50 ${percentile(lat, 50).toFixed(0)} ms p99 ${percentile(lat, 99).toFixed(0)} ms, RSS ${(procRss(exp.pid) / MiB).toFixed(0)} MiB`,
        );
        last = { r, cpu, s1, s2 };
      }
    } finally {
      clearInterval(sampler);
    }
    const { r: warm, cpu, s1, s2 } = last!;
    const trouble = await exporterTrouble(exp.base);
    if (trouble) log(`exporter counters after the warm passes: ${trouble}`);
    const fds = procFds(exp.pid);

    const perScrapeUs = (cpu / warm.scrapes) * 1e6;
    const lat = [...warm.latenciesMs].sort((a, b) => a - b);
    const failures = warm.scrapes - warm.up;
    report(
      `warm_bmc_up@${k}`,
      warm.up,
      'scrapes',
      `of ${warm.scrapes} in the last warm pass${failures ? `; ${failures} failed: ${warm.firstFailure} (${JSON.stringify(warm.failures)})` : ', every one bmc_up 1'}`,
    );
    report(
      `warm_cpu_us_per_scrape@${k}`,
      perScrapeUs,
      'us',
      `default collectors, exporter process only, pass ${warmPasses} over every target, ${concurrency} in flight; ${((cpu / (warm.ms / 1000)) * 100).toFixed(0)}% of a core while loaded`,
    );
    report(
      `cores_for_50k_at_30s@${k}`,
      (perScrapeUs * GOAL_TARGETS) / 30 / 1e6,
      'cores',
      `arithmetic, not paced: ${perScrapeUs.toFixed(0)} us x ${GOAL_TARGETS} / 30 s (target <= 1); paced phase skipped: 1,667 scrapes/s is more than a 2-core machine answers with fleet and exporter both on it`,
    );
    report(`warm_scrapes_per_second@${k}`, warm.scrapes / (warm.ms / 1000), 'scrapes/s', `${concurrency} in flight`);
    report(`warm_scrape_p50@${k}`, percentile(lat, 50), 'ms', `${concurrency} in flight, exporter pinned to one core`);
    report(`warm_scrape_p99@${k}`, percentile(lat, 99), 'ms', `${concurrency} in flight, exporter pinned to one core`);
    report(
      `round_trips_per_warm_scrape@${k}`,
      (s2.commandsTotal - s1.commandsTotal) / warm.scrapes,
      'commands',
      `simulator counters; sessions opened during the pass: ${s2.sessionsOpened - s1.sessionsOpened}; ${Object.entries(s2.commands)
        .map(([c, n]) => [c, n - (s1.commands[c] ?? 0)] as const)
        .filter(([, n]) => n > 0)
        .map(([c, n]) => `${COMMAND_NAMES[c] ?? c} ${(n / warm.scrapes).toFixed(2)}`)
        .join(', ')}`,
    );
    report(`udp_sockets@${k}`, fds.udp, 'sockets', 'target <= 16');
    report(`open_fds@${k}`, fds.total, 'fds', `${fds.tcp} TCP (the generator's keep-alive connections and /metrics), ${fds.udp} UDP`);

    // RSS once every target has had its warm scrapes and the exporter is idle again.
    const rss = await settledRss(exp.pid, log, `exporter with ${count} warm targets`);
    const heapUsed = await exporterGauge(exp.base, 'nodejs_heap_size_used_bytes');
    const external = await exporterGauge(exp.base, 'nodejs_external_memory_bytes');
    log(`${count} warm targets, settled: ${await exporterMemory(exp.base)}`);
    report(
      `rss_per_warm_target@${k}`,
      (rss - idle.rss) / count / 1024,
      'KiB',
      `(${(rss / MiB).toFixed(0)} MiB: RSS after every target's warm scrapes, settled - ${(idle.rss / MiB).toFixed(0)} MiB: the idle exporter) / ${count} (target <= 24)`,
    );
    report(
      `rss_per_warm_target_peak@${k}`,
      (peakRss - idle.rss) / count / 1024,
      'KiB',
      `(${(peakRss / MiB).toFixed(0)} MiB: the highest RSS sampled each second during the warm passes - the idle exporter) / ${count}`,
    );
    report(
      `heap_used_per_warm_target@${k}`,
      (heapUsed - idle.heapUsed) / count / 1024,
      'KiB',
      `(${(heapUsed / MiB).toFixed(0)} MiB V8 heap used - ${(idle.heapUsed / MiB).toFixed(0)} MiB idle) / ${count}, as the exporter's /metrics reports it`,
    );
    report(
      `external_per_warm_target@${k}`,
      (external - idle.external) / count / 1024,
      'KiB',
      `(${(external / MiB).toFixed(0)} MiB external (Buffers) - ${(idle.external / MiB).toFixed(0)} MiB idle) / ${count}`,
    );
    const heapDir = process.env.EXPORTER_BENCH_HEAPSNAPSHOT;
    if (heapDir) await heapSnapshot(exp.pid, heapDir, log);
  } finally {
    // On SIGTERM the exporter closes every session (Close Session to each BMC): at 50,000 that takes a while.
    const t = performance.now();
    await exp.stop(300_000);
    log(
      `exporter for ${count} targets ${exp.proc.exitCode === 0 ? 'exited cleanly' : `exited ${exp.proc.exitCode ?? exp.proc.signalCode}`} ${((performance.now() - t) / 1000).toFixed(0)} s after SIGTERM${exp.proc.exitCode === 0 ? '' : `: ${exp.stderr().slice(-500)}`}`,
    );
  }
}

export const benchmark: Benchmark = {
  name: 'exporter-50k',
  description:
    'exporter at 50,000 simulated BMCs (fleet in several processes on core 1, exporter on core 0): RSS and heap per warm target, sockets, CPU per warm scrape, warm p50/p99',
  async run(report, log) {
    const counts = (process.env.EXPORTER_BENCH_COUNTS ?? String(GOAL_TARGETS)).split(',').map(Number);
    const max = Math.max(...counts);
    addressAt(max - 1);
    const perFleet = env('EXPORTER_50K_PER_FLEET', 12_500);
    const dir = mkdtempSync(join(tmpdir(), 'bmc-exporter-bench-50k-'));
    const fleets: ChildProcess[] = [];
    const load = child('./exporter-load-child.js');
    try {
      pin(load.pid!, 1);
      for (let from = 0; from < max; from += perFleet) {
        // seed + index is each BMC's variation: seed 11 + from gives BMC i the variation it would have in one fleet of seed 11.
        const def = {
          count: Math.min(perFleet, max - from),
          profile: 'server-2s',
          baseAddress: addressAt(from),
          port: 623,
          seed: 11 + from,
          sessionIdleTimeoutMs: 6 * 3_600_000,
        };
        const f = child('./exporter-fleet-child.js', [JSON.stringify(def)]);
        pin(f.pid!, 1);
        fleets.push(f);
      }
      const readies = await Promise.all(fleets.map((f) => next<Extract<FromFleet, { type: 'ready' }>>(f, 'ready', undefined, 600_000)));
      const secrets = readies.flatMap((r) => Object.entries(r.secrets));
      log(`fleet of ${secrets.length} BMCs in ${fleets.length} processes, bound in ${Math.max(...readies.map((r) => r.bindMs)).toFixed(0)} ms`);

      // The baseline: the exporter with one target configured and none scraped, settled.
      const idleExp = await startExporterCli(yamlFor(secrets.slice(0, 1)), dir, 0, 'exporter-idle');
      const idle = await (async () => {
        const rss = await settledRss(idleExp.pid, log);
        return {
          rss,
          heapUsed: await exporterGauge(idleExp.base, 'nodejs_heap_size_used_bytes'),
          external: await exporterGauge(idleExp.base, 'nodejs_external_memory_bytes'),
        };
      })().finally(() => idleExp.stop());
      report('exporter_idle_rss', idle.rss / MiB, 'MiB', 'one target configured, none scraped, settled');
      for (const count of counts) await atCount(count, idle, fleets, load, secrets, dir, report, log);
    } finally {
      if (load.connected) load.send({ type: 'close' } satisfies ToLoad);
      for (const f of fleets) if (f.connected) f.send({ type: 'close' } satisfies ToFleet);
      await Promise.all([stopped(load), ...fleets.map((f) => stopped(f, 60_000))]);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
