// The restart benchmark: how soon after a restart every target's scrape is
// complete again, with and without --sdr.cache-dir. N simulated BMCs
// (server-2s); for each mode the exporter CLI is started, every target
// scraped once flat out (cold: session + SDR walk; with the cache this writes
// the files), the exporter stopped and started again, and the targets scraped
// under Prometheus-like pacing (each once per interval, target i at offset
// i/N) for two intervals. A scrape is complete when it answers 200 with
// bmc_up 1 and every series the target exports at best (the most seen for it
// after the restart, but for the SEL's per-event families, which grow as the
// simulated BMCs log events): a scrape the deadline cut short lacks some.
// Figures: per mode, the share of targets with a complete scrape within two
// intervals of the restart and the share whose first scrape was complete;
// the exporter's CPU per cold scrape flat out (a fresh exporter, and one
// restarted with the cache's files, then that one's next pass, every target
// warm, to compare with), and from those the arithmetic for
// 50,000 targets: CPU seconds to bring every target back, and the cores that
// takes to finish within two 30 s intervals.
// Addresses: the fleet binds 127.202.0.0/16, a range no test and no other
// benchmark uses, so a run never needs the peer-test lock.
// Processes: the fleet and the scrape generator pinned to core 1, the
// exporter not pinned (RESTART_PIN_EXPORTER=1 pins it to core 0).
// Knobs (environment): RESTART_TARGETS (2000), RESTART_INTERVAL_SECONDS (30),
// RESTART_COLD_CONCURRENCY (32 scrapes in flight in the flat-out passes),
// RESTART_CIPHER_SUITES (the suites every target pins, comma-separated: 3 by
// default, as the other benches; `discover` pins none, so every login asks
// the BMC for its suites as the exporter's default configuration does),
// RESTART_SEL_ENTRIES (events logged in every BMC's SEL before the first
// start, on top of the profile's own two; 0 by default. Real BMCs often hold
// hundreds, each one Get SEL Entry when the SEL is counted from its start).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExporterCli, type ExporterProcess } from './exporter.js';
import { child, next, pin, procCpu, stopped } from './exporter-proc.js';
import type { FromFaultFleet, ToFaultFleet } from './fault-fleet-child.js';
import type { FromScrape, ScrapeRecord, ToScrape } from './fault-scrape-child.js';
import type { FromRestartScrape, PacedRecord, ToRestartScrape } from './restart-scrape-child.js';
import type { Benchmark } from './run.js';
import { secretsYaml } from './soak.js';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
/** Own loopback range (see the header comment). */
export const RESTART_BASE_ADDRESS = '127.202.0.1';
/** Prometheus' default scrape_timeout, sent as its header; the exporter lowers it by its offset. */
const TIMEOUT_HEADER_SECONDS = 10;
/** The fleet the issue sizes the restart goal for. */
const GOAL_TARGETS = 50_000;

type Ready = Extract<FromFaultFleet, { type: 'ready' }>;

/** Exporter CPU seconds for one flat-out pass over every target, and the pass's records. */
async function flatOutPass(
  gen: ChildProcess,
  exp: ExporterProcess,
  targets: string[],
  concurrency: number,
): Promise<{ cpu: number; seconds: number; records: ScrapeRecord[] }> {
  const before = procCpu(exp.pid).self;
  const done = await next<Extract<FromScrape, { type: 'passed' }>>(
    gen,
    'passed',
    { type: 'pass', base: exp.base, targets, concurrency, passes: 1, timeoutHeaderSeconds: TIMEOUT_HEADER_SECONDS } satisfies ToScrape,
    1_800_000,
  );
  return { cpu: procCpu(exp.pid).self - before, seconds: done.ms / 1000, records: done.records };
}

/** Get SDR commands and IPMI datagrams (sent, and received as answers) since the exporter started. */
type PassCounters = { getSdr: number; sent: number; received: number };

/** The exporter's PassCounters, from its /metrics. */
async function exporterCounters(exp: ExporterProcess): Promise<PassCounters> {
  const text = await (await fetch(`${exp.base}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  return {
    getSdr: value(/^bmc_exporter_command_duration_seconds_count\{command="Get SDR"\} (\S+)$/m),
    sent: value(/^bmc_exporter_packets_sent_total (\S+)$/m),
    received: value(/^bmc_exporter_packets_received_total (\S+)$/m),
  };
}

interface ModeResult {
  paced: PacedRecord[];
  /** A fresh exporter's first pass, with what it sent and received (the process's counters: that pass only). */
  cold: { cpu: number; seconds: number; records: ScrapeRecord[]; counters: PassCounters };
  getSdrAfterRestart: number;
  pacedCpu: number;
  /** With the cache: a flat-out pass right after a second restart (every target's first scrape, files in place). */
  restartedFlatOut?: { cpu: number; seconds: number; records: ScrapeRecord[]; counters: PassCounters };
  /** The same exporter's next flat-out pass: every target warm (session open, SDR known), for comparison. */
  warmFlatOut?: { cpu: number; seconds: number; records: ScrapeRecord[] };
}

export const benchmark: Benchmark = {
  name: 'restart',
  description:
    'restart: N simulated BMCs, the exporter restarted and scraped each target once per interval: share complete within two intervals with and without --sdr.cache-dir; cold-scrape CPU per target',
  async run(report, log) {
    const count = env('RESTART_TARGETS', 2000);
    const intervalMs = env('RESTART_INTERVAL_SECONDS', 30) * 1000;
    const concurrency = env('RESTART_COLD_CONCURRENCY', 32);
    const pinExporter = process.env.RESTART_PIN_EXPORTER ? 0 : -1;
    const dir = mkdtempSync(join(tmpdir(), 'bmc-exporter-restart-'));
    const selEntries = env('RESTART_SEL_ENTRIES', 0);
    const def = {
      count,
      profile: 'server-2s',
      ...(selEntries > 0 ? { extraSelEntries: selEntries } : {}),
      baseAddress: RESTART_BASE_ADDRESS,
      port: 623,
      seed: 31,
    };
    const fleet = child('./fault-fleet-child.js', [JSON.stringify(def)]);
    const gen = child('./fault-scrape-child.js');
    const pacer = child('./restart-scrape-child.js');
    let exp: ExporterProcess | undefined;
    try {
      if (!(pin(fleet.pid!, 1) && pin(gen.pid!, 1) && pin(pacer.pid!, 1))) log('taskset not available: processes are separate but not pinned');
      const ready = await next<Ready>(fleet, 'ready', undefined, 300_000);
      log(`fleet of ${ready.count} BMCs from ${RESTART_BASE_ADDRESS} bound in ${ready.bindMs.toFixed(0)} ms`);
      const suites = process.env.RESTART_CIPHER_SUITES ?? '3';
      const secrets = secretsYaml(ready.secrets, suites === 'discover' ? 'discover' : suites.split(',').map(Number));
      log(`cipher suites: ${suites === 'discover' ? 'discovered at each login' : `pinned to ${suites}`}; ${selEntries} SEL entries added to each BMC's own`);
      const targets = ready.targets;

      const runMode = async (mode: 'no-cache' | 'cache'): Promise<ModeResult> => {
        const cacheDir = join(dir, 'sdr-cache');
        const args = mode === 'cache' ? ['--sdr.cache-dir', cacheDir] : [];
        exp = await startExporterCli(secrets, dir, pinExporter, `exporter-restart-${mode}`, args);
        const cold = { ...(await flatOutPass(gen, exp, targets, concurrency)), counters: await exporterCounters(exp) };
        log(
          `${mode}: cold flat-out pass ${cold.seconds.toFixed(1)} s, exporter CPU ${cold.cpu.toFixed(1)} s, ${cold.records.filter((r) => r.up).length}/${count} bmc_up 1`,
        );
        await exp.stop();
        if (mode === 'cache') log(`cache: ${readdirSync(cacheDir).length} files written`);
        exp = await startExporterCli(secrets, dir, pinExporter, `exporter-restart-${mode}-2`, args);
        const cpu0 = procCpu(exp.pid).self;
        const done = await next<Extract<FromRestartScrape, { type: 'paced-done' }>>(
          pacer,
          'paced-done',
          {
            type: 'paced',
            base: exp.base,
            targets,
            intervalMs,
            durationMs: 2 * intervalMs,
            timeoutHeaderSeconds: TIMEOUT_HEADER_SECONDS,
          } satisfies ToRestartScrape,
          2 * intervalMs + 120_000,
        );
        const pacedCpu = procCpu(exp.pid).self - cpu0;
        const getSdrAfterRestart = (await exporterCounters(exp)).getSdr;
        await exp.stop();
        const result: ModeResult = { paced: done.records, cold, getSdrAfterRestart, pacedCpu };
        if (mode === 'cache') {
          exp = await startExporterCli(secrets, dir, pinExporter, `exporter-restart-${mode}-3`, args);
          const again = await flatOutPass(gen, exp, targets, concurrency);
          result.restartedFlatOut = { ...again, counters: await exporterCounters(exp) };
          result.warmFlatOut = await flatOutPass(gen, exp, targets, concurrency);
          await exp.stop();
        }
        exp = undefined;
        return result;
      };

      const noCache = await runMode('no-cache');
      const cache = await runMode('cache');

      // What a complete scrape of each target holds: the most series seen for it after a restart
      // (paced scrapes, which count them alike: restart-scrape-child's steadySeries).
      const best = new Array<number>(count).fill(0);
      for (const r of [...noCache.paced, ...cache.paced]) best[r.target] = Math.max(best[r.target]!, r.series);
      const complete = (r: { target: number; status: number; up: boolean; series: number }) => r.status === 200 && r.up && r.series >= best[r.target]!;

      const k = `${count}@${intervalMs / 1000}s`;
      for (const [mode, r] of [
        ['no_cache', noCache],
        ['cache', cache],
      ] as const) {
        const within = new Set<number>();
        const first = new Map<number, PacedRecord>();
        for (const rec of [...r.paced].sort((a, b) => a.atMs - b.atMs)) {
          if (!first.has(rec.target)) first.set(rec.target, rec);
          if (complete(rec) && rec.atMs + rec.ms <= 2 * intervalMs) within.add(rec.target);
        }
        const firstComplete = [...first.values()].filter(complete).length;
        const scrapes = r.paced.length;
        const completeScrapes = r.paced.filter(complete).length;
        // Why the others were not: no answer or an HTTP error, bmc_up 0, or series missing (a deadline cut the scrape short).
        const failed = r.paced.filter((p) => p.status !== 200).length;
        const down = r.paced.filter((p) => p.status === 200 && !p.up).length;
        const short = r.paced.filter((p) => p.status === 200 && p.up && !complete(p));
        const shortMs = short.map((p) => p.ms).sort((a, b) => a - b);
        log(
          `${mode}: paced scrapes not complete: ${failed} not 200, ${down} bmc_up 0, ${short.length} short of series (median ${(shortMs[shortMs.length >> 1] ?? 0).toFixed(0)} ms, median shortfall ${
            short.map((p) => best[p.target]! - p.series).sort((a, b) => a - b)[short.length >> 1] ?? 0
          } series)`,
        );
        report(
          `restart_targets_complete_within_2_intervals_${mode}@${k}`,
          (within.size / count) * 100,
          '%',
          `${within.size}/${count} targets had a complete scrape within ${(2 * intervalMs) / 1000} s of the restart; ${completeScrapes}/${scrapes} scrapes complete; ${r.getSdrAfterRestart} Get SDR sent after the restart; exporter CPU ${r.pacedCpu.toFixed(1)} s over the two intervals`,
        );
        report(
          `restart_first_scrape_complete_${mode}@${k}`,
          (firstComplete / count) * 100,
          '%',
          `${firstComplete}/${count} targets' first scrape after the restart was complete`,
        );
      }

      const coldPerTarget = (noCache.cold.cpu / count) * 1000;
      report(
        `cold_scrape_cpu_per_target@${count}`,
        coldPerTarget,
        'ms',
        `exporter CPU of a fresh exporter's first pass (session + SDR walk), flat out with ${concurrency} in flight, ${noCache.cold.seconds.toFixed(1)} s`,
      );
      const restarted = cache.restartedFlatOut!;
      const cachedPerTarget = (restarted.cpu / count) * 1000;
      report(
        `restarted_scrape_cpu_per_target_with_cache@${count}`,
        cachedPerTarget,
        'ms',
        `exporter CPU of a restarted exporter's first pass with --sdr.cache-dir (session + repository info, SDR from file; ${restarted.counters.getSdr} Get SDR sent), flat out, ${restarted.seconds.toFixed(1)} s`,
      );
      const warm = cache.warmFlatOut!;
      const warmPerTarget = (warm.cpu / count) * 1000;
      report(
        `warm_scrape_cpu_per_target@${count}`,
        warmPerTarget,
        'ms',
        `exporter CPU of the same exporter's next flat-out pass (sessions open, SDRs known), ${warm.seconds.toFixed(1)} s, ${warm.records.filter((r) => r.up).length}/${count} bmc_up 1: a restarted target's first scrape costs ${(cachedPerTarget - warmPerTarget).toFixed(2)} ms more (session setup, identity and repository checks, the SDR file), a cold one ${(coldPerTarget - warmPerTarget).toFixed(2)} ms more`,
      );
      // Datagrams the exporter sent per target in each first pass (retries included): what a
      // cold scrape and a restarted one with the cache cost on the wire, beside their CPU.
      for (const [name, c] of [
        ['cold', noCache.cold.counters],
        ['restarted_with_cache', restarted.counters],
      ] as const) {
        report(
          `${name}_scrape_datagrams_sent_per_target@${count}`,
          c.sent / count,
          'datagrams',
          `${(c.received / count).toFixed(1)} answers accepted per target, ${(c.getSdr / count).toFixed(1)} Get SDR per target, in the exporter's first pass`,
        );
      }
      const windowSeconds = (2 * intervalMs) / 1000;
      for (const [name, perTarget] of [
        ['without_cache', coldPerTarget],
        ['with_cache', cachedPerTarget],
      ] as const) {
        const cpuSeconds = (perTarget / 1000) * GOAL_TARGETS;
        report(
          `restart_cores_for_${GOAL_TARGETS}_${name}`,
          cpuSeconds / windowSeconds,
          'cores',
          `${GOAL_TARGETS} × ${perTarget.toFixed(2)} ms = ${cpuSeconds.toFixed(0)} CPU s to bring every target back, over ${windowSeconds} s (two intervals of ${intervalMs / 1000} s); the steady warm load comes on top`,
        );
      }
    } finally {
      if (exp) await exp.stop();
      for (const c of [gen, pacer]) if (c.connected) c.send({ type: 'close' });
      if (fleet.connected) fleet.send({ type: 'close' } satisfies ToFaultFleet);
      await Promise.all([stopped(gen), stopped(pacer), stopped(fleet)]);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
