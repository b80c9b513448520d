// `npm run bench -- ipmi-compat`: /ipmi side by side with the exporter it
// replaces. The same ipmi_sim BMC and the same modules file (collectors
// ipmi, dcmi, bmc, chassis, sel) scraped by prometheus-ipmi-exporter (Debian,
// FreeIPMI based: five child processes, five sessions and a full SDR read per
// scrape) and by bmc-exporter's /ipmi (one long-lived session, cached SDR).
// N sequential scrapes each are measured; CPU per scrape is the process's
// utime+stime, plus for ipmi_exporter its reaped children's (cutime+cstime:
// the FreeIPMI tools); p50 is the HTTP round trip. Between the two, the
// commands of one warm /ipmi scrape are sent through BmcClient alone
// (ipmi-compat-library-child.ts) to split ours into the library's
// per-command path and the rest.
//
// Steady state: both sides first make FIRST_SCRAPES untimed scrapes (ours
// opens its session and walks the SDR there). ipmi_exporter, a Go binary
// forking FreeIPMI tools, costs the same from then on. Ours is a JavaScript
// process whose per-scrape code V8 compiles with TurboFan (on background
// threads, counted in the process's CPU) only after it has run hundreds of
// times: in our runs, CPU per scrape over scrapes 21-220 was 1.2 to 2.7
// times what it was past scrape 1,000, and about a fifth of it was TurboFan's
// threads. So ours is measured twice:
// scrapes 21-220 of the fresh process (`ours_cold_*`, JIT compilation
// included), then N scrapes after WARMUP in all (the steady state the ratio
// compares), in BLOCKS blocks alternating with ipmi_exporter's N, so both
// sides see the same moments of a shared machine's load. The library child
// warms up for as many rounds.
//
// Knobs: IPMI_COMPAT_BENCH_SCRAPES (N, default 200), IPMI_COMPAT_BENCH_WARMUP
// (ours' scrapes before the measured ones, default 1000), IPMI_COMPAT_BENCH_BLOCKS
// (default 10; 1: ours' N, then ipmi_exporter's), EXPORTER_BENCH_NODE_FLAGS
// (extra node flags for ours, e.g. --perf-basic-prof), EXPORTER_BENCH_PROFILE.
//
// Loopback range: the BMC binds 127.201.0.2, outside every test's addresses,
// so the bench runs without the peer-test lock.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark, Report } from './run.js';
import { freePort, percentile, pin, procCpu, stopped, waitHttp } from './exporter-proc.js';
import { HEAP_GROWTH_NODE_FLAG } from '../../src/heap-growth.js';

const SIM_HOST = '127.201.0.2';
/** The steady-state scrapes of each side, in this many alternating blocks. */
const BLOCKS = Math.max(1, Number(process.env.IPMI_COMPAT_BENCH_BLOCKS ?? 10));
const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
/** Untimed scrapes of a fresh process (ours: session set-up, SDR walk). */
const FIRST_SCRAPES = 20;
const SCRAPES = Number(process.env.IPMI_COMPAT_BENCH_SCRAPES ?? 200);
/** Ours' scrapes before the measured ones: past TurboFan's tier-up of the per-scrape code. */
const WARMUP = Math.max(FIRST_SCRAPES + SCRAPES, Number(process.env.IPMI_COMPAT_BENCH_WARMUP ?? 1000));
const COLLECTORS = ['ipmi', 'dcmi', 'bmc', 'chassis', 'sel'];
/** ipmi_sim has no DCMI: dcmi is down on both sides, every other collector must be up. */
const EXPECTED_DOWN = new Set(['dcmi']);

/** tsc does not copy the simulator's lan.conf/SDR sources into dist: point dist at them. */
function simConfigInDist(): void {
  const inDist = fileURLToPath(new URL('../peers/ipmi-sim', import.meta.url));
  const source = fileURLToPath(new URL('../../../test/peers/ipmi-sim', import.meta.url));
  if (!existsSync(inDist) && existsSync(source)) symlinkSync(source, inDist, 'dir');
}

interface Run {
  cpuSelfMs: number;
  cpuChildrenMs: number;
  p50Ms: number;
  p90Ms: number;
  bad: number;
  firstBad?: string;
}

const check = (body: string): string | undefined => {
  const down = [...body.matchAll(/^ipmi_up\{collector="([^"]+)"\} (\d+)/gm)].filter((m) => (m[2] === '1') === EXPECTED_DOWN.has(m[1]!)).map((m) => m[1]);
  return down.length ? `unexpected ipmi_up for ${down.join(', ')}` : undefined;
};

async function untimed(url: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await (await fetch(url)).text();
}

/** Sequential scrapes measured in blocks: CPU from /proc of `pid` across the blocks only. */
class Tally {
  private cpuSelf = 0;
  private cpuChildren = 0;
  private readonly ms: number[] = [];
  private bad = 0;
  private firstBad: string | undefined;

  constructor(
    private readonly pid: number,
    private readonly url: string,
  ) {}

  async block(n: number): Promise<void> {
    const c0 = procCpu(this.pid);
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const res = await fetch(this.url);
      const body = await res.text();
      this.ms.push(performance.now() - t);
      const why = res.ok ? check(body) : `HTTP ${res.status}`;
      if (why) {
        this.bad++;
        this.firstBad ??= why;
      }
    }
    const c1 = procCpu(this.pid);
    this.cpuSelf += c1.self - c0.self;
    this.cpuChildren += c1.children - c0.children;
  }

  result(): Run {
    const n = this.ms.length;
    const ms = [...this.ms].sort((a, b) => a - b);
    return {
      cpuSelfMs: (this.cpuSelf / n) * 1000,
      cpuChildrenMs: (this.cpuChildren / n) * 1000,
      p50Ms: percentile(ms, 50),
      p90Ms: percentile(ms, 90),
      bad: this.bad,
      ...(this.firstBad ? { firstBad: this.firstBad } : {}),
    };
  }
}

async function runExporter(cmd: string, args: string[], ready: string, cpu: number): Promise<{ pid: number; stop(): Promise<void>; stderr(): string }> {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  pin(proc.pid!, cpu);
  try {
    await waitHttp(ready, 20_000, () => proc.exitCode === null);
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${err}`);
  }
  return {
    pid: proc.pid!,
    stderr: () => err,
    async stop() {
      proc.kill('SIGTERM');
      await stopped(proc, 10_000);
    },
  };
}

/** Run ipmi-compat-library-child.js against the simulator, pinned where ours ran; its JSON line. */
async function libraryPath(username: string, password: string): Promise<{ cpuMsPerRound: number; commandsPerRound: number }> {
  const file = fileURLToPath(new URL('./ipmi-compat-library-child.js', import.meta.url));
  const proc = spawn(process.execPath, [file, SIM_HOST, '623', username, password, String(WARMUP), String(SCRAPES)], { stdio: ['ignore', 'pipe', 'pipe'] });
  pin(proc.pid!, 0);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  if (code !== 0) throw new Error(`library-path child exited ${code}: ${err}`);
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as { cpuMsPerRound: number; commandsPerRound: number };
}

async function run(report: Report, log: (l: string) => void): Promise<void> {
  let peerBin: string;
  try {
    peerBin = execFileSync('sh', ['-c', 'command -v prometheus-ipmi-exporter'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'prometheus-ipmi-exporter is not installed (Debian package prometheus-ipmi-exporter; node scripts/ensure-test-deps.mjs installs it as root)',
    );
  }
  simConfigInDist();
  const { startIpmiSim } = await import('../peers/ipmi-sim.js');
  const sim = await startIpmiSim({ address: SIM_HOST, port: 623 });
  pin(sim.pid, 1);
  const dir = mkdtempSync(join(tmpdir(), 'bmc-bench-ipmi-compat-'));
  try {
    const { username, password } = sim.users.admin;
    const config = join(dir, 'ipmi.yml');
    writeFileSync(
      config,
      `modules:\n  default:\n    user: ${JSON.stringify(username)}\n    pass: ${JSON.stringify(password)}\n    driver: "LAN_2_0"\n    privilege: "admin"\n` +
        `    workaround_flags: ["opensesspriv"]\n    collectors: [${COLLECTORS.join(', ')}]\n`,
      { mode: 0o600 },
    );
    log(
      `${SCRAPES} measured scrapes each (ours after ${WARMUP}, ipmi_exporter after ${FIRST_SCRAPES}) of /ipmi?target=${SIM_HOST}&module=default (collectors ${COLLECTORS.join(', ')})`,
    );

    const oursPort = await freePort();
    const prof = process.env.EXPORTER_BENCH_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.EXPORTER_BENCH_PROFILE}`, '--cpu-prof-name=ipmi-compat.cpuprofile']
      : [];
    // Extra node flags for ours, for experiments (e.g. --perf-basic-prof for perf record).
    const flags = (process.env.EXPORTER_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    const ours = await runExporter(
      process.execPath,
      [HEAP_GROWTH_NODE_FLAG, ...flags, ...prof, CLI, '--config.file', config, '--web.listen-address', `127.0.0.1:${oursPort}`, '--log.level', 'error'],
      `http://127.0.0.1:${oursPort}/-/ready`,
      0,
    );
    const oursUrl = `http://127.0.0.1:${oursPort}/ipmi?target=${SIM_HOST}&module=default`;
    let cold: Run;
    let o: Run;
    let t: Run;
    let peer: Awaited<ReturnType<typeof runExporter>> | undefined;
    try {
      await untimed(oursUrl, FIRST_SCRAPES);
      const coldTally = new Tally(ours.pid, oursUrl);
      await coldTally.block(SCRAPES);
      cold = coldTally.result();
      await untimed(oursUrl, WARMUP - FIRST_SCRAPES - SCRAPES);

      const peerPort = await freePort();
      peer = await runExporter(
        peerBin,
        [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${peerPort}`, '--log.level=error'],
        `http://127.0.0.1:${peerPort}/metrics`,
        0,
      );
      const peerUrl = `http://127.0.0.1:${peerPort}/ipmi?target=${SIM_HOST}&module=default`;
      await untimed(peerUrl, FIRST_SCRAPES);
      // Measured in alternating blocks, so that both see the same moments of a shared machine's load.
      const oursTally = new Tally(ours.pid, oursUrl);
      const peerTally = new Tally(peer.pid, peerUrl);
      const per = Math.max(1, Math.round(SCRAPES / BLOCKS));
      for (let done = 0, round = 0; done < SCRAPES; done += per, round++) {
        const n = Math.min(per, SCRAPES - done);
        for (const tally of round % 2 === 0 ? [oursTally, peerTally] : [peerTally, oursTally]) await tally.block(n);
      }
      o = oursTally.result();
      t = peerTally.result();
    } finally {
      await ours.stop();
      await peer?.stop();
    }
    if (o.bad) log(`ours: ${o.bad} bad scrapes, first: ${o.firstBad}`);
    if (cold.bad) log(`ours (cold): ${cold.bad} bad scrapes, first: ${cold.firstBad}`);
    report(
      'ours_cold_cpu_ms_per_scrape',
      cold.cpuSelfMs,
      'ms',
      `scrapes ${FIRST_SCRAPES + 1}-${FIRST_SCRAPES + SCRAPES} of a fresh process, JIT compilation included`,
    );
    report(
      'ours_cpu_ms_per_scrape',
      o.cpuSelfMs,
      'ms',
      `bmc-exporter /ipmi, one process, after ${WARMUP} scrapes${o.bad ? `; ${o.bad} bad: ${o.firstBad}` : ''}`,
    );
    report('ours_p50', o.p50Ms, 'ms', `p90 ${o.p90Ms.toFixed(1)} ms`);

    // The same commands through BmcClient alone, on the same CPU: how much of ours is the library's per-command path.
    const lib = await libraryPath(username, password);
    report(
      'ours_library_path_cpu_ms_per_scrape',
      lib.cpuMsPerRound,
      'ms',
      `the ${lib.commandsPerRound} commands of a warm scrape through BmcClient alone (no HTTP, targets, collectors)`,
    );
    report(
      'ours_outside_library_cpu_ms_per_scrape',
      o.cpuSelfMs - lib.cpuMsPerRound,
      'ms',
      'HTTP, targets, collectors, exposition: ours minus the library path',
    );

    if (t.bad) log(`ipmi_exporter: ${t.bad} bad scrapes, first: ${t.firstBad}; stderr ${peer.stderr().slice(-300)}`);
    const theirsCpu = t.cpuSelfMs + t.cpuChildrenMs;
    report(
      'ipmi_exporter_cpu_ms_per_scrape',
      theirsCpu,
      'ms',
      `exporter ${t.cpuSelfMs.toFixed(1)} ms + FreeIPMI children ${t.cpuChildrenMs.toFixed(1)} ms${t.bad ? `; ${t.bad} bad: ${t.firstBad}` : ''}`,
    );
    report('ipmi_exporter_p50', t.p50Ms, 'ms', `p90 ${t.p90Ms.toFixed(1)} ms`);
    report('cpu_ratio_ipmi_exporter_over_ours', theirsCpu / o.cpuSelfMs, 'x', 'steady state; target: at least 20x');
    report('cpu_ratio_ipmi_exporter_over_ours_cold', theirsCpu / cold.cpuSelfMs, 'x', `ours over scrapes ${FIRST_SCRAPES + 1}-${FIRST_SCRAPES + SCRAPES}`);
    report('p50_ratio_ipmi_exporter_over_ours', t.p50Ms / o.p50Ms, 'x');
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  name: 'ipmi-compat',
  description: '/ipmi vs prometheus-ipmi-exporter on one ipmi_sim BMC: CPU per scrape (FreeIPMI children counted) and p50',
  run,
};
