// `npm run bench -- ipmi-compat`: /ipmi side by side with the exporter it
// replaces. The same ipmi_sim BMC and the same modules file (collectors
// ipmi, dcmi, bmc, chassis, sel) scraped by prometheus-ipmi-exporter (Debian,
// FreeIPMI based: five child processes, five sessions and a full SDR read per
// scrape) and by bmc-exporter's /ipmi (one long-lived session, cached SDR).
// After a warm-up, N sequential scrapes each; CPU per scrape is the
// process's utime+stime, plus for ipmi_exporter its reaped children's
// (cutime+cstime: the FreeIPMI tools); p50 is the HTTP round trip. Between
// the two, the commands of one warm /ipmi scrape are sent through BmcClient
// alone (ipmi-compat-library-child.ts) to split ours into the library's
// per-command path and the rest.
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
const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const WARMUP = Number(process.env.IPMI_COMPAT_BENCH_WARMUP ?? 20);
const SCRAPES = Number(process.env.IPMI_COMPAT_BENCH_SCRAPES ?? 200);
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

/** Warm up, then N sequential scrapes; CPU from /proc of `pid` across the measured scrapes only. */
async function measure(pid: number, url: string): Promise<Run> {
  const check = (body: string): string | undefined => {
    const down = [...body.matchAll(/^ipmi_up\{collector="([^"]+)"\} (\d+)/gm)].filter((m) => (m[2] === '1') === EXPECTED_DOWN.has(m[1]!)).map((m) => m[1]);
    return down.length ? `unexpected ipmi_up for ${down.join(', ')}` : undefined;
  };
  for (let i = 0; i < WARMUP; i++) await (await fetch(url)).text();
  const c0 = procCpu(pid);
  const ms: number[] = [];
  let bad = 0;
  let firstBad: string | undefined;
  for (let i = 0; i < SCRAPES; i++) {
    const t = performance.now();
    const res = await fetch(url);
    const body = await res.text();
    ms.push(performance.now() - t);
    const why = res.ok ? check(body) : `HTTP ${res.status}`;
    if (why) {
      bad++;
      firstBad ??= why;
    }
  }
  const c1 = procCpu(pid);
  ms.sort((a, b) => a - b);
  return {
    cpuSelfMs: ((c1.self - c0.self) / SCRAPES) * 1000,
    cpuChildrenMs: ((c1.children - c0.children) / SCRAPES) * 1000,
    p50Ms: percentile(ms, 50),
    p90Ms: percentile(ms, 90),
    bad,
    ...(firstBad ? { firstBad } : {}),
  };
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
    log(`${WARMUP} warm-up then ${SCRAPES} measured scrapes each of /ipmi?target=${SIM_HOST}&module=default (collectors ${COLLECTORS.join(', ')})`);

    const oursPort = await freePort();
    const prof = process.env.EXPORTER_BENCH_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.EXPORTER_BENCH_PROFILE}`, '--cpu-prof-name=ipmi-compat.cpuprofile']
      : [];
    const ours = await runExporter(
      process.execPath,
      [HEAP_GROWTH_NODE_FLAG, ...prof, CLI, '--config.file', config, '--web.listen-address', `127.0.0.1:${oursPort}`, '--log.level', 'error'],
      `http://127.0.0.1:${oursPort}/-/ready`,
      0,
    );
    let o: Run;
    try {
      o = await measure(ours.pid, `http://127.0.0.1:${oursPort}/ipmi?target=${SIM_HOST}&module=default`);
    } finally {
      await ours.stop();
    }
    if (o.bad) log(`ours: ${o.bad} bad scrapes, first: ${o.firstBad}`);
    report('ours_cpu_ms_per_scrape', o.cpuSelfMs, 'ms', `bmc-exporter /ipmi, one process${o.bad ? `; ${o.bad} bad: ${o.firstBad}` : ''}`);
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

    const peerPort = await freePort();
    const peer = await runExporter(
      peerBin,
      [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${peerPort}`, '--log.level=error'],
      `http://127.0.0.1:${peerPort}/metrics`,
      0,
    );
    let t: Run;
    try {
      t = await measure(peer.pid, `http://127.0.0.1:${peerPort}/ipmi?target=${SIM_HOST}&module=default`);
    } finally {
      await peer.stop();
    }
    if (t.bad) log(`ipmi_exporter: ${t.bad} bad scrapes, first: ${t.firstBad}; stderr ${peer.stderr().slice(-300)}`);
    const theirsCpu = t.cpuSelfMs + t.cpuChildrenMs;
    report(
      'ipmi_exporter_cpu_ms_per_scrape',
      theirsCpu,
      'ms',
      `exporter ${t.cpuSelfMs.toFixed(1)} ms + FreeIPMI children ${t.cpuChildrenMs.toFixed(1)} ms${t.bad ? `; ${t.bad} bad: ${t.firstBad}` : ''}`,
    );
    report('ipmi_exporter_p50', t.p50Ms, 'ms', `p90 ${t.p90Ms.toFixed(1)} ms`);
    report('cpu_ratio_ipmi_exporter_over_ours', theirsCpu / o.cpuSelfMs, 'x', 'target: at least 20x');
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
