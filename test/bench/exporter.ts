// The exporter benchmark: warm /bmc scrapes per second and CPU per
// warm scrape at 1,000 and 10,000 targets, RSS per target, descriptors and UDP
// sockets, round trips per warm scrape counted by the simulator, the node:dgram
// floor and the node:http floor (Node's HTTP server answering a warm scrape's
// text from memory) and what the two make a warm scrape cost with nothing of
// ours in it, the bare scrape (the same commands through our session framer
// and decoders with none of the exporter's structure: bare-scrape-child.ts)
// on the same targets, a side-by-side with prometheus-ipmi-exporter on one ipmi_sim BMC, and
// the default collectors' CPU and round trips per warm scrape against
// the bmc_exporter-compatible set (?collectors=) on the same warm targets.
// RSS per warm target: after the cold pass, every target is scraped once per 30 s interval,
// spread over the interval as Prometheus does; the highest RSS sampled each second over the
// last interval, minus the RSS of an idle exporter with one target configured (settled, start-up
// garbage collected), over the target count. The same after the flat-out passes is reported as well.
// Processes: the fleet (+ echo server) pinned to core 1, the exporter (the CLI
// as users run it) pinned to core 0, the HTTP load generator on core 1; every
// CPU figure is read from /proc for that process alone.
// Knobs (environment): EXPORTER_BENCH_COUNTS ("1000,10000"), EXPORTER_BENCH_SECONDS
// (warm seconds per count, 8), EXPORTER_BENCH_CONCURRENCY (scrapes in flight, 256),
// EXPORTER_BENCH_PEER_SCRAPES (20; 0 skips the prometheus-ipmi-exporter comparison),
// EXPORTER_BENCH_PROFILE (directory: --cpu-prof of the exporter processes),
// EXPORTER_BENCH_HEAPSNAPSHOT (directory: a heap snapshot of each exporter after its paced intervals;
// writing one grows the exporter's RSS, so the flat-out RSS figure that follows is not comparable),
// EXPORTER_BENCH_INTERVALS (30 s intervals of paced scraping before RSS is read, 2),
// EXPORTER_BENCH_NODE_FLAGS (extra node flags for the exporter processes, for experiments),
// EXPORTER_BENCH_PACED_FLOOR_SPIN_US (the paced floor's echo: µs of CPU before each answer, 250;
// about a simulated BMC's answer time when paced),
// EXPORTER_BENCH_CIPHER_SUITES (the suites every target pins: 3 by default;
// `discover` pins none, as the exporter's default configuration, so
// server-2s sessions run suite 17; see yamlFor).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HEAP_GROWTH_NODE_FLAG } from '../../src/heap-growth.js';
import type { Benchmark, Report } from './run.js';
import type { FromFleet, ToFleet } from './exporter-fleet-child.js';
import type { FloorRequest, FromFloor } from './exporter-floor-child.js';
import type { EchoRequest, FromEcho } from './floor-echo-child.js';
import type { FromLoad, ToLoad } from './exporter-load-child.js';
import type { FromHttpFloor, ToHttpFloor } from './http-floor-child.js';
import type { BareRequest, FromBare } from './bare-scrape-child.js';
import {
  child,
  COMMAND_NAMES,
  exporterMemory,
  exporterTrouble,
  freePort,
  next,
  percentile,
  pin,
  procCpu,
  procFds,
  procLoopSleeps,
  procRss,
  stopped,
  udpRcvbufErrors,
  waitHttp,
} from './exporter-proc.js';
import { compareWithIpmiExporter } from './exporter-vs-ipmi.js';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
/** RMCP+ suite 3 (HMAC-SHA1-96 + AES-CBC-128) Get Sensor Reading: 4 RMCP + 12 session header + 16 IV + 16 encrypted + 2 pad + 2 + 12 auth code. */
const SUITE3_SENSOR_READING_BYTES = 64;
const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

export interface ExporterProcess {
  proc: ChildProcess;
  pid: number;
  base: string;
  stderr: () => string;
  /** SIGTERM, then SIGKILL if it has not exited within timeoutMs (15 s). */
  stop(timeoutMs?: number): Promise<void>;
}

/** Start the exporter CLI on a free loopback port with a secrets file, pinned to `cpu` (negative: not pinned), with `extraArgs` after the others; resolves once /-/ready answers (within readyTimeoutMs). */
export async function startExporterCli(
  secretsYaml: string,
  dir: string,
  cpu: number,
  name: string,
  extraArgs: readonly string[] = [],
  readyTimeoutMs = 20_000,
): Promise<ExporterProcess> {
  const secrets = join(dir, `${name}-secrets.yml`);
  writeFileSync(secrets, secretsYaml, { mode: 0o600 });
  const port = await freePort();
  const prof = process.env.EXPORTER_BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.EXPORTER_BENCH_PROFILE}`, `--cpu-prof-name=${name}.cpuprofile`]
    : [];
  const heap = heapDir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${heapDir}`] : [];
  const flags = (process.env.EXPORTER_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  // The launcher's own node flag, as every way of starting the exporter gives it; EXPORTER_BENCH_NODE_FLAGS after it wins.
  const args = [
    HEAP_GROWTH_NODE_FLAG,
    ...flags,
    ...prof,
    ...heap,
    CLI,
    '--web.listen-address',
    `127.0.0.1:${port}`,
    '--secrets.static',
    secrets,
    '--log.level',
    'warn',
    ...extraArgs,
  ];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  if (cpu >= 0) pin(proc.pid!, cpu);
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitHttp(`${base}/-/ready`, readyTimeoutMs, () => proc.exitCode === null);
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${err}`);
  }
  return {
    proc,
    pid: proc.pid!,
    base,
    stderr: () => err,
    stop: async (timeoutMs = 15_000) => {
      proc.kill('SIGTERM');
      await stopped(proc, timeoutMs);
    },
  };
}

type Stats = Extract<FromFleet, { type: 'stats' }>;
const stats = (fleet: ChildProcess) => next<Stats>(fleet, 'stats', { type: 'stats' } satisfies ToFleet);

/** gebn/bmc_exporter's families only: what a scrape costs without the collectors that are ours alone. */
const COMPATIBLE_COLLECTORS = 'bmc_info,chassis,processor_temperature,power_draw';

/** Commands between two fleet snapshots per scrape, by name, most frequent first. */
function byCommand(a: Stats, b: Stats, scrapes: number): string[] {
  return Object.entries(b.commands)
    .map(([key, n]) => [key, n - (a.commands[key] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .sort((x, y) => y[1] - x[1])
    .map(([key, n]) => `${COMMAND_NAMES[key] ?? key} ${(n / scrapes).toFixed(2)}`);
}

const heapDir = process.env.EXPORTER_BENCH_HEAPSNAPSHOT;

/** SIGUSR2 (the exporter runs with --heapsnapshot-signal) and wait until the new snapshot stops growing. */
export async function heapSnapshot(pid: number, dir: string, log: (l: string) => void): Promise<void> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  let last = -1;
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const f = readdirSync(dir).find((n) => !before.has(n) && n.endsWith('.heapsnapshot'));
    if (!f) continue;
    const size = statSync(join(dir, f)).size;
    if (size > 0 && size === last) return log(`heap snapshot ${join(dir, f)} (${(size / 2 ** 20).toFixed(0)} MiB)`);
    last = size;
  }
  log('heap snapshot did not finish within 300 s');
}

/** The suite numbers EXPORTER_BENCH_CIPHER_SUITES names; none for `discover`. */
function suiteIds(suites: string): number[] {
  const ids = suites === 'discover' ? [] : suites.split(',').map(Number);
  if (ids.some((n) => !Number.isInteger(n) || n < 0 || n > 255))
    throw new Error(`EXPORTER_BENCH_CIPHER_SUITES ${suites}: give suite numbers (e.g. 17,3) or discover`);
  return ids;
}

/** One run of the load generator against `base`: at least `minSeconds` of passes over `targets` (at most `maxPasses`), `concurrency` in flight. */
function loadPass(
  load: ChildProcess,
  base: string,
  targets: string[],
  concurrency: number,
  minSeconds: number,
  maxPasses: number,
  query?: string,
): Promise<FromLoad> {
  return next<FromLoad>(
    load,
    'passed',
    { type: 'pass', base, targets, concurrency, minSeconds, maxPasses, ...(query ? { query } : {}) } satisfies ToLoad,
    600_000,
  );
}

/** EXPORTER_BENCH_CIPHER_SUITES as given, or its default (see yamlFor). */
const BENCH_CIPHER_SUITES = process.env.EXPORTER_BENCH_CIPHER_SUITES ?? '3';

/**
 * The secrets file for these targets. Every entry pins the cipher suites of
 * EXPORTER_BENCH_CIPHER_SUITES (comma-separated; 3 by default, as the other
 * benches), or none with `discover`: the exporter's default configuration,
 * which asks the BMC and takes suite 17 where offered (server-2s offers it).
 */
export function yamlFor(targets: [string, { username: string; password: string }][], suites = BENCH_CIPHER_SUITES): string {
  const ids = suiteIds(suites);
  const pin = ids.length ? `  cipher_suites: [${ids.join(', ')}]\n` : '';
  return targets.map(([t, c]) => `${t}:\n  username: ${JSON.stringify(c.username)}\n  password: ${JSON.stringify(c.password)}\n${pin}`).join('');
}

/** RSS once it has stopped falling: sampled each second, until 30 s pass without a new low (at most 90 s; V8 waits 8 s of quiet before it even starts reducing). */
export async function settledRss(pid: number, log: (l: string) => void, what = 'exporter idle'): Promise<number> {
  const t0 = performance.now();
  let low = procRss(pid);
  let lowAt = t0;
  while (performance.now() - lowAt < 30_000 && performance.now() - t0 < 90_000) {
    await new Promise((r) => setTimeout(r, 1000));
    const r = procRss(pid);
    if (r < low - 2 ** 20) [low, lowAt] = [r, performance.now()];
  }
  log(`${what} RSS settled at ${(low / 2 ** 20).toFixed(0)} MiB after ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return low;
}

async function atScale(
  baselineRss: number,
  count: number,
  fleet: ChildProcess,
  load: ChildProcess,
  secrets: [string, { username: string; password: string }][],
  dir: string,
  report: Report,
  log: (l: string) => void,
  /** The dgram floor of this run: CPU per round trip, µs. */
  floorUs: number,
): Promise<{ cpuPerCommand: number; pacedCpuPerCommand: number; rss0: number; rss: number }> {
  const seconds = env('EXPORTER_BENCH_SECONDS', 8);
  const concurrency = env('EXPORTER_BENCH_CONCURRENCY', 256);
  const mine = secrets.slice(0, count);
  const exp = await startExporterCli(yamlFor(mine), dir, 0, `exporter-${count}`);
  const k = `${count}`;
  try {
    const rss0 = baselineRss;
    const cpu0 = procCpu(exp.pid).self;
    const targets = mine.map(([t]) => t);
    const pass = (minSeconds: number, maxPasses: number, inFlight = concurrency, query?: string) =>
      loadPass(load, exp.base, targets, inFlight, minSeconds, maxPasses, query);

    const s0 = await stats(fleet);
    // Cold scrapes are CPU-bound in the exporter: fewer in flight keeps each under the 8 s
    // deadline, so no SDR walk is left half done for the warm passes to redo.
    const cold = await pass(0, 1, 64);
    const cpu1 = procCpu(exp.pid).self;
    const sc = await stats(fleet);
    report(
      `cold_round_trips_per_target@${k}`,
      (sc.commandsTotal - s0.commandsTotal) / count,
      'commands',
      `simulator counters, session setup not included; Get SDR ${(((sc.commands['0x0a:0x23'] ?? 0) - (s0.commands['0x0a:0x23'] ?? 0)) / count).toFixed(1)}`,
    );
    log(
      `${count} targets: cold pass (session + SDR walk each) ${(cold.ms / 1000).toFixed(1)} s, ${cold.up}/${cold.scrapes} up, exporter CPU ${(cpu1 - cpu0).toFixed(2)} s`,
    );
    report(
      `cold_pass_seconds@${k}`,
      cold.ms / 1000,
      's',
      `${cold.up}/${cold.scrapes} bmc_up 1${cold.firstFailure ? `; first failure: ${cold.firstFailure}` : ''}`,
    );
    report(`cold_cpu_ms_per_target@${k}`, ((cpu1 - cpu0) / count) * 1000, 'ms', 'exporter CPU per first scrape: session setup + SDR walk');

    // RSS as a deployment sees it: every target scraped once per 30 s interval (Prometheus
    // spreads targets over the interval), sampled each second over the last interval.
    const intervals = env('EXPORTER_BENCH_INTERVALS', 2);
    const rssSamples: number[] = [];
    const pacedStart = performance.now();
    const sampler = setInterval(() => {
      if (performance.now() - pacedStart >= (intervals - 1) * 30_000) rssSamples.push(procRss(exp.pid));
    }, 1000);
    const cp0 = procCpu(exp.pid).self;
    const sl0 = procLoopSleeps(exp.pid);
    const paced = await next<FromLoad>(
      load,
      'passed',
      { type: 'paced', base: exp.base, targets, intervalMs: 30_000, intervals } satisfies ToLoad,
      (intervals * 30 + 120) * 1000,
    ).finally(() => clearInterval(sampler));
    const cp1 = procCpu(exp.pid).self;
    const sl1 = procLoopSleeps(exp.pid);
    rssSamples.push(procRss(exp.pid));
    const rss = Math.max(...rssSamples);
    const pacedLat = [...paced.latenciesMs].sort((a, b) => a - b);
    const pacedFailures = paced.scrapes - paced.up;
    log(
      `${count} targets at a 30 s interval: ${paced.scrapes} scrapes in ${(paced.ms / 1000).toFixed(0)} s, exporter ${(((cp1 - cp0) / (paced.ms / 1000)) * 100).toFixed(0)}% of a core; ${await exporterMemory(exp.base)}`,
    );
    report(
      `paced_scrape_p50@${k}`,
      percentile(pacedLat, 50),
      'ms',
      `every target once per 30 s, ${intervals} intervals; p99 ${percentile(pacedLat, 99).toFixed(1)} ms; ${pacedFailures ? `${pacedFailures} failed: ${paced.firstFailure}` : 'all bmc_up 1'}`,
    );
    report(`paced_cores@${k}`, (cp1 - cp0) / (paced.ms / 1000), 'cores', 'exporter CPU while scraping every target once per 30 s');
    // The same CPU per scrape, to set against the flat-out figure below: at this pace the event loop
    // sleeps between datagrams, so most answers cost a wake-up. Everything else the process did in
    // those intervals is in it too (its timers while idle).
    report(
      `paced_cpu_us_per_scrape@${k}`,
      ((cp1 - cp0) / paced.scrapes) * 1e6,
      'us',
      `exporter CPU over the paced intervals / scrapes; its event loop slept ${((sl1 - sl0) / paced.scrapes).toFixed(1)} times a scrape`,
    );
    report(`paced_loop_sleeps_per_scrape@${k}`, (sl1 - sl0) / paced.scrapes, 'count', "voluntary context switches of the exporter's main thread / scrapes");
    report(
      `rss_per_warm_target@${k}`,
      (rss - rss0) / count / 1024,
      'KiB',
      `(${(rss / 2 ** 20).toFixed(0)} MiB, the highest RSS sampled each second over the last 30 s interval - ${(rss0 / 2 ** 20).toFixed(0)} MiB: the idle exporter) / ${count} (target <= 32)`,
    );

    if (heapDir) await heapSnapshot(exp.pid, heapDir, log);

    const s1 = await stats(fleet);
    const pacedCommands = s1.commandsTotal - sc.commandsTotal;
    const pacedCpuPerCommand = (cp1 - cp0) / pacedCommands;
    report(
      `paced_cpu_us_per_command@${k}`,
      pacedCpuPerCommand * 1e6,
      'us',
      `exporter CPU over the paced intervals / round trips in them (${(pacedCommands / paced.scrapes).toFixed(1)} a scrape; p50 scrape ${percentile(pacedLat, 50).toFixed(1)} ms)`,
    );
    const drops1 = udpRcvbufErrors();
    const c1 = procCpu(exp.pid).self;
    const w0 = procLoopSleeps(exp.pid);
    const warm = await pass(seconds, 1000);
    const c2 = procCpu(exp.pid).self;
    const w1 = procLoopSleeps(exp.pid);
    const drops2 = udpRcvbufErrors();
    const s2 = await stats(fleet);
    const trouble = await exporterTrouble(exp.base);
    if (trouble) log(`${count} targets: exporter counters after warm passes: ${trouble}`);
    report(`udp_rcvbuf_drops_warm@${k}`, drops2 - drops1, 'datagrams', 'kernel-wide /proc/net/snmp RcvbufErrors during the warm passes');
    const rssFlatOut = procRss(exp.pid);
    const fds = procFds(exp.pid);
    log(`${count} targets: after warm passes: ${await exporterMemory(exp.base)}`);

    const cpu = c2 - c1;
    const perScrapeUs = (cpu / warm.scrapes) * 1e6;
    const commands = s2.commandsTotal - s1.commandsTotal;
    const rtPerScrape = commands / warm.scrapes;
    const lat = [...warm.latenciesMs].sort((a, b) => a - b);
    const failures = warm.scrapes - warm.up;
    report(
      `warm_scrapes_per_second@${k}`,
      warm.scrapes / (warm.ms / 1000),
      'scrapes/s',
      `${warm.passes} passes, ${concurrency} in flight, ${failures ? `${failures} failed: ${warm.firstFailure}` : 'all bmc_up 1'}`,
    );
    report(
      `warm_cpu_us_per_scrape@${k}`,
      perScrapeUs,
      'us',
      `default collectors; exporter process only; ${((cpu / (warm.ms / 1000)) * 100).toFixed(0)}% of a core while loaded`,
    );
    report(
      `warm_loop_sleeps_per_scrape@${k}`,
      (w1 - w0) / warm.scrapes,
      'count',
      "voluntary context switches of the exporter's main thread / scrapes, flat out",
    );
    report(`cores_for_10k_targets_at_30s@${k}`, (perScrapeUs * 10_000) / 30 / 1e6, 'cores', 'CPU per warm scrape x 10,000 / 30 s (target <= 1)');
    report(`warm_scrape_p50@${k}`, percentile(lat, 50), 'ms', `p99 ${percentile(lat, 99).toFixed(1)} ms, with ${concurrency} in flight`);
    report(
      `rss_per_target_flat_out@${k}`,
      (rssFlatOut - rss0) / count / 1024,
      'KiB',
      `(${(rssFlatOut / 2 ** 20).toFixed(0)} MiB right after the flat-out warm passes, ${concurrency} in flight - ${(rss0 / 2 ** 20).toFixed(0)} MiB: the idle exporter) / ${count}`,
    );
    report(`udp_sockets@${k}`, fds.udp, 'sockets', 'target <= 16');
    report(`open_fds@${k}`, fds.total, 'fds', `${fds.tcp} TCP (the generator's keep-alive connections), ${fds.udp} UDP`);
    report(
      `round_trips_per_warm_scrape@${k}`,
      rtPerScrape,
      'commands',
      `default collectors, simulator counters; sessions opened during warm passes: ${s2.sessionsOpened - s1.sessionsOpened}`,
    );
    log(`${count} targets: per warm scrape (default collectors): ${byCommand(s1, s2, warm.scrapes).join(', ')}`);
    for (const [key, n] of Object.entries(s2.commands)) {
      const d = n - (s1.commands[key] ?? 0);
      if (d > 0) report(`commands_per_warm_scrape@${k}`, d / warm.scrapes, 'commands', `${key} ${COMMAND_NAMES[key] ?? ''}`.trim());
    }
    const cpuPerCommand = cpu / commands;
    report(`cpu_us_per_command@${k}`, cpuPerCommand * 1e6, 'us', 'exporter CPU per warm scrape / round trips per warm scrape');
    report(
      `fleet_cpu_share@${k}`,
      (s2.cpuUser + s2.cpuSystem - s1.cpuUser - s1.cpuSystem) / (warm.ms / 1000),
      'cores',
      `generator ${((warm.cpuUser + warm.cpuSystem) / (warm.ms / 1000)).toFixed(2)} cores`,
    );

    // What the default collectors cost per warm scrape, against the
    // bmc_exporter-compatible set asked for with ?collectors= on the same warm targets.
    const s3 = await stats(fleet);
    const c3 = procCpu(exp.pid).self;
    const compat = await pass(seconds, 1000, concurrency, `&collectors=${COMPATIBLE_COLLECTORS}`);
    const c4 = procCpu(exp.pid).self;
    const s4 = await stats(fleet);
    const compatUs = ((c4 - c3) / compat.scrapes) * 1e6;
    const compatRt = (s4.commandsTotal - s3.commandsTotal) / compat.scrapes;
    const compatFailures = compat.scrapes - compat.up;
    report(
      `warm_cpu_us_per_scrape_compatible@${k}`,
      compatUs,
      'us',
      `?collectors=${COMPATIBLE_COLLECTORS}; ${(compat.scrapes / (compat.ms / 1000)).toFixed(0)} scrapes/s, ${compatFailures ? `${compatFailures} failed: ${compat.firstFailure}` : 'all bmc_up 1'}`,
    );
    report(`round_trips_per_warm_scrape_compatible@${k}`, compatRt, 'commands', byCommand(s3, s4, compat.scrapes).join(', '));
    report(
      `default_collectors_extra_cpu_us_per_scrape@${k}`,
      perScrapeUs - compatUs,
      'us',
      `default ${perScrapeUs.toFixed(0)} us vs compatible-only ${compatUs.toFixed(0)} us (x${(perScrapeUs / compatUs).toFixed(2)})`,
    );
    report(
      `default_collectors_extra_round_trips_per_scrape@${k}`,
      rtPerScrape - compatRt,
      'commands',
      `default ${rtPerScrape.toFixed(2)} vs compatible-only ${compatRt.toFixed(2)}`,
    );
    log(`${count} targets: per warm scrape (compatible-only): ${compatUs.toFixed(0)} us CPU, ${byCommand(s3, s4, compat.scrapes).join(', ')}`);

    // The least a warm scrape could cost in Node: its round trips at the dgram floor, and Node's HTTP server
    // answering the same bytes from memory (the HTTP floor), with the same generator and scrapes in flight.
    const body = await (await fetch(`${exp.base}/bmc?target=${encodeURIComponent(targets[0]!)}`)).text();
    const httpUs = await httpFloor(body, targets, load, seconds, concurrency, log);
    report(`floor_http_cpu_us_per_request@${k}`, httpUs, 'us', `node:http answering one warm scrape's text from memory, keep-alive, ${concurrency} in flight`);
    const floorScrapeUs = rtPerScrape * floorUs + httpUs;
    report(
      `floor_cpu_us_per_scrape@${k}`,
      floorScrapeUs,
      'us',
      `${rtPerScrape.toFixed(2)} round trips x ${floorUs.toFixed(1)} us (dgram floor) + ${httpUs.toFixed(0)} us (HTTP floor): a warm scrape with nothing of ours`,
    );
    report(`warm_cpu_per_scrape_vs_floor@${k}`, perScrapeUs / floorScrapeUs, 'x', `${perScrapeUs.toFixed(0)} us / ${floorScrapeUs.toFixed(0)} us`);
    report(
      `floor_cores_for_50k_targets_at_30s@${k}`,
      (floorScrapeUs * 50_000) / 30 / 1e6,
      'cores',
      'the floor per scrape x 50,000 / 30 s: what the 50,000-target goal (<= 1 core) leaves for everything of ours',
    );

    // The bare scrape: the same commands through our session framer, checks and decoders, with nothing of the
    // exporter's structure around them (see bare-scrape-child.ts), on these targets (at most BARE_TARGETS of them).
    const bare = await bareScrape(mine.slice(0, BARE_TARGETS), Buffer.byteLength(body), load, seconds, concurrency, log);
    const bareK = `${Math.min(count, BARE_TARGETS)}`;
    report(
      `bare_cpu_us_per_scrape@${k}`,
      bare.usPerScrape,
      'us',
      `${bareK} targets, ${bare.commandsPerScrape} commands a scrape through the library's session framer and decoders, one node:dgram socket, node:http; no queue, promise, signal, collector or retransmit; answers padded to ${bare.bodyBytes} bytes`,
    );
    const bareCommandUs = bare.usPerScrape / bare.commandsPerScrape;
    report(`bare_cpu_us_per_command@${k}`, bareCommandUs, 'us', 'bare CPU per scrape / its commands');
    report(`bare_cpu_per_command_vs_floor@${k}`, bareCommandUs / floorUs, 'x', `${bareCommandUs.toFixed(1)} us / ${floorUs.toFixed(1)} us (the goal: <= 3)`);
    report(`bare_cores_for_50k_targets_at_30s@${k}`, (bare.usPerScrape * 50_000) / 30 / 1e6, 'cores', 'bare CPU per scrape x 50,000 / 30 s (the goal: <= 1)');
    report(
      `warm_cpu_per_scrape_vs_bare@${k}`,
      perScrapeUs / bare.usPerScrape,
      'x',
      `${perScrapeUs.toFixed(0)} us / ${bare.usPerScrape.toFixed(0)} us: what the exporter's structure costs over the protocol's work`,
    );
    return { cpuPerCommand, pacedCpuPerCommand, rss0, rss };
  } finally {
    await exp.stop();
    if (exp.proc.exitCode !== 0) log(`exporter for ${count} targets exited ${exp.proc.exitCode ?? exp.proc.signalCode}: ${exp.stderr().slice(-500)}`);
  }
}

/**
 * Node's HTTP server alone, per scrape: a child on the exporter's core answers every /bmc request with `body`, the text
 * of one warm scrape of the exporter (bmc_up 1 in it, so the generator counts it up), for `seconds` of flat-out passes.
 */
async function httpFloor(body: string, targets: string[], load: ChildProcess, seconds: number, concurrency: number, log: (l: string) => void): Promise<number> {
  const server = child('./http-floor-child.js');
  try {
    pin(server.pid!, 0);
    const { port } = await next<FromHttpFloor>(server, 'ready', { type: 'serve', body } satisfies ToHttpFloor, 30_000);
    const c0 = procCpu(server.pid!).self;
    const r = await loadPass(load, `http://127.0.0.1:${port}`, targets, concurrency, seconds, 1000);
    const cpu = procCpu(server.pid!).self - c0;
    if (r.up !== r.scrapes) throw new Error(`HTTP floor: ${r.scrapes - r.up} of ${r.scrapes} requests failed: ${r.firstFailure}`);
    log(
      `HTTP floor: ${r.scrapes} requests of ${Buffer.byteLength(body)} bytes in ${(r.ms / 1000).toFixed(1)} s, server ${((cpu / (r.ms / 1000)) * 100).toFixed(0)}% of a core`,
    );
    return (cpu / r.scrapes) * 1e6;
  } finally {
    // A child that failed has exited already (its stderr says why): disconnecting it again would throw over that error.
    if (server.connected) server.disconnect();
    await stopped(server);
  }
}

/** The bare scrape runs on at most this many of the targets (the default counts' largest): each needs a session and an SDR walk first, about 6 ms of CPU. */
const BARE_TARGETS = 10_000;

/**
 * The bare scrape (bare-scrape-child.ts) on the exporter's core: sessions and SDR walks first, then `seconds` of flat-out
 * passes under the same generator and scrapes in flight as the exporter's warm passes. CPU per scrape, read from /proc.
 */
async function bareScrape(
  secrets: [string, { username: string; password: string }][],
  padTo: number,
  load: ChildProcess,
  seconds: number,
  concurrency: number,
  log: (l: string) => void,
): Promise<{ usPerScrape: number; commandsPerScrape: number; bodyBytes: number }> {
  const ids = suiteIds(BENCH_CIPHER_SUITES);
  const bare = child('./bare-scrape-child.js');
  try {
    pin(bare.pid!, 0);
    const request: BareRequest = {
      type: 'serve',
      targets: secrets.map(([target, c]) => ({ target, username: c.username, password: c.password })),
      ...(ids.length ? { cipherSuites: ids } : {}),
      padTo,
      deadlineMs: 8000,
    };
    const ready = await next<Extract<FromBare, { type: 'ready' }>>(bare, 'ready', request, 600_000);
    const targets = secrets.map(([t]) => t);
    const base = `http://127.0.0.1:${ready.port}`;
    // One pass first: every target's first bare scrape, so the measured passes are all warm.
    await loadPass(load, base, targets, concurrency, 0, 1);
    const c0 = procCpu(bare.pid!).self;
    const before = await next<Extract<FromBare, { type: 'counts' }>>(bare, 'counts', { type: 'counts' });
    const r = await loadPass(load, base, targets, concurrency, seconds, 1000);
    const cpu = procCpu(bare.pid!).self - c0;
    const after = await next<Extract<FromBare, { type: 'counts' }>>(bare, 'counts', { type: 'counts' });
    if (r.up !== r.scrapes) throw new Error(`bare scrape: ${r.scrapes - r.up} of ${r.scrapes} failed: ${r.firstFailure}`);
    const commandsPerScrape = (after.roundTrips - before.roundTrips) / r.scrapes;
    if (commandsPerScrape !== ready.commandsPerScrape)
      throw new Error(`bare scrape: ${commandsPerScrape} round trips a scrape, ${ready.commandsPerScrape} expected`);
    log(
      `bare scrape: ${targets.length} targets logged in and walked in ${(ready.loginMs / 1000).toFixed(1)} s; ${r.scrapes} scrapes of ${commandsPerScrape} commands in ${(r.ms / 1000).toFixed(1)} s, ${((cpu / (r.ms / 1000)) * 100).toFixed(0)}% of a core, ${after.dropped} datagrams dropped`,
    );
    return { usPerScrape: (cpu / r.scrapes) * 1e6, commandsPerScrape, bodyBytes: ready.bodyBytes };
  } finally {
    // A child that failed its set-up has exited already (its stderr says why): disconnecting it again would throw over that error.
    if (bare.connected) bare.disconnect();
    await stopped(bare);
  }
}

export const benchmark: Benchmark = {
  name: 'exporter',
  description:
    'exporter: warm /bmc scrapes at 1,000 and 10,000 simulated BMCs (fleet core 1, exporter core 0), dgram and HTTP floors, the bare scrape, vs prometheus-ipmi-exporter on ipmi_sim',
  async run(report, log) {
    const counts = (process.env.EXPORTER_BENCH_COUNTS ?? '1000,10000').split(',').map(Number);
    const max = Math.max(...counts);
    const dir = mkdtempSync(join(tmpdir(), 'bmc-exporter-bench-'));
    const def = { count: max, profile: 'server-2s', baseAddress: '127.2.0.1', port: 623, seed: 11, sessionIdleTimeoutMs: 3_600_000 };
    const fleet = child('./exporter-fleet-child.js', [JSON.stringify(def), String(SUITE3_SENSOR_READING_BYTES)]);
    const load = child('./exporter-load-child.js');
    let floor: ChildProcess | undefined;
    try {
      const pinned = pin(fleet.pid!, 1) && pin(load.pid!, 1);
      if (!pinned) log('taskset not available: processes are separate but not pinned');
      const ready = await next<Extract<FromFleet, { type: 'ready' }>>(fleet, 'ready', undefined, 120_000).catch((err: Error) => {
        throw new Error(`${err.message}${/EADDRINUSE/.test(err.message) ? ' (is another exporter benchmark running? it would skew every CPU figure)' : ''}`);
      });
      log(`fleet of ${ready.count} BMCs bound in ${ready.bindMs.toFixed(0)} ms; cipher suites ${BENCH_CIPHER_SUITES}`);

      // The floor, while nothing else runs: client on the exporter's core, echo server in the fleet process,
      // as many datagrams in flight as the warm passes have (one command in flight per scrape).
      const floorReq = { port: ready.echoPort, size: SUITE3_SENSOR_READING_BYTES, inflight: env('EXPORTER_BENCH_CONCURRENCY', 256), seconds: 3 };
      const floorRun = async (req: Partial<FloorRequest>): Promise<{ us: number; roundTrips: number }> => {
        floor = child('./exporter-floor-child.js', [JSON.stringify({ ...floorReq, ...req } satisfies FloorRequest)]);
        pin(floor.pid!, 0);
        const f = await next<FromFloor>(floor, 'floor', undefined, 30_000);
        await stopped(floor);
        floor = undefined;
        return { us: ((f.cpuUser + f.cpuSystem) / f.roundTrips) * 1e6, roundTrips: f.roundTrips };
      };
      const connected = await floorRun({ addressed: false });
      const floorUs = connected.us;
      report(
        'floor_dgram_cpu_us_per_round_trip',
        floorUs,
        'us',
        `node:dgram client on a connected socket, ${SUITE3_SENSOR_READING_BYTES}-byte datagrams, ${floorReq.inflight} in flight, ${connected.roundTrips} round trips`,
      );
      // What one socket for a whole fleet pays at least: the peer named on every send.
      const addressed = await floorRun({ addressed: true });
      report(
        'floor_dgram_addressed_cpu_us_per_round_trip',
        addressed.us,
        'us',
        `the same on an unconnected socket naming the peer on every send, ${addressed.roundTrips} round trips`,
      );

      // The paced floor: one datagram in flight, to an echo that takes its time (as a BMC does) before each answer, so the
      // client sleeps before every answer as the exporter does at Prometheus' pace. Echo on the fleet's core, on
      // 127.208.0.1 (a range no test and no other benchmark uses).
      const pacedSpinUs = env('EXPORTER_BENCH_PACED_FLOOR_SPIN_US', 250);
      const pacedEcho = child('./floor-echo-child.js', [
        JSON.stringify({ base: '127.208.0.1', count: 1, port: 623, size: SUITE3_SENSOR_READING_BYTES, spinUs: pacedSpinUs } satisfies EchoRequest),
      ]);
      let pacedFloorUs: number;
      try {
        pin(pacedEcho.pid!, 1);
        await next<FromEcho>(pacedEcho, 'ready', undefined, 30_000);
        const paced = await floorRun({ port: 623, inflight: 1, peers: { base: '127.208.0.1', count: 1 } });
        pacedFloorUs = paced.us;
        report(
          'floor_paced_cpu_us_per_round_trip',
          pacedFloorUs,
          'us',
          `node:dgram, one in flight, unconnected socket, an echo spending ${pacedSpinUs} us of CPU before each answer; ${paced.roundTrips} round trips`,
        );
      } finally {
        pacedEcho.disconnect();
        await stopped(pacedEcho);
      }

      const secrets = Object.entries(ready.secrets);
      // The baseline every RSS figure is taken against: the exporter with one target configured
      // and none scraped, once its start-up garbage is collected. Everything a target costs,
      // its secrets entry and V8's grown young generation included, counts against the targets.
      const idle = await startExporterCli(yamlFor(secrets.slice(0, 1)), dir, 0, 'exporter-idle');
      const baseline = await settledRss(idle.pid, log).finally(() => idle.stop());
      report('exporter_idle_rss', baseline / 2 ** 20, 'MiB', 'one target configured, none scraped, after start-up garbage is collected');
      const rssAt: { count: number; rss: number }[] = [];
      for (const count of counts) {
        const { cpuPerCommand, pacedCpuPerCommand, rss } = await atScale(baseline, count, fleet, load, secrets, dir, report, log, floorUs);
        report(`cpu_per_command_vs_floor@${count}`, (cpuPerCommand * 1e6) / floorUs, 'x', 'exporter CPU per IPMI command / dgram round trip');
        report(
          `cpu_per_command_vs_addressed_floor@${count}`,
          (cpuPerCommand * 1e6) / addressed.us,
          'x',
          'exporter CPU per IPMI command / dgram round trip on an unconnected socket',
        );
        report(
          `paced_cpu_per_command_vs_paced_floor@${count}`,
          (pacedCpuPerCommand * 1e6) / pacedFloorUs,
          'x',
          'exporter CPU per IPMI command at a 30 s interval / dgram round trip one in flight to a slow echo',
        );
        rssAt.push({ count, rss });
      }
      // Fixed costs (JIT code, V8's young generation, pools) weigh on the small count; the
      // slope between two counts is what each further target costs.
      const [lo, hi] = [rssAt[0], rssAt.at(-1)];
      if (lo && hi && hi.count > lo.count) {
        report(
          `rss_per_target_marginal@${lo.count}-${hi.count}`,
          (hi.rss - lo.rss) / (hi.count - lo.count) / 1024,
          'KiB',
          `(RSS at a 30 s interval at ${hi.count} - at ${lo.count}) / ${hi.count - lo.count} (target <= 32)`,
        );
      }

      const peerScrapes = env('EXPORTER_BENCH_PEER_SCRAPES', 20);
      if (peerScrapes > 0) await compareWithIpmiExporter(peerScrapes, dir, report, log);
    } finally {
      if (load.connected) load.send({ type: 'close' } satisfies ToLoad);
      if (fleet.connected) fleet.send({ type: 'close' } satisfies ToFleet);
      await Promise.all([stopped(load), stopped(fleet), ...(floor ? [stopped(floor)] : [])]);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
