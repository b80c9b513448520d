// The config benchmark: the real CLI (dist/src/cli.js) started with a
// 50,000-entry secrets file as `npm run sim -- --count 50000 --secrets-out`
// writes it (the simulator's formatSecretsFile), then reloaded by SIGHUP and
// by POST /-/reload, with the same file and with one entry changed. Figures:
// the exporter's CPU (utime+stime from /proc, all its threads: the parsing
// worker included) until /-/ready answers 200; each reload's CPU and wall
// time; the worst /-/healthy latency a poller saw while a reload ran (an
// event-loop stall shows there; idle_worst_healthy_ms is the same poller
// with nothing reloading, for scale on a loaded machine) and the exporter's
// own worst event-loop delay meanwhile (its nodejs_eventloop_lag_max_seconds,
// which prom-client resets at every /metrics); and the time of GET
// /discover, / and /metrics with that many entries. Nothing is scraped: the
// keys are in 127.224.0.0/16, a loopback range no test uses, and no packet
// goes to them.
// Each reload also reports the CPU of the exporter's main thread alone (the
// event loop's: what it spent there cannot be spent serving), and what a
// probe loaded into the exporter (loop-probe-child.ts) saw of its event loop:
// the longest gap split into the time the thread ran and the time it waited
// for a CPU, and the most time it ran within one gap (the synchronous work
// holding the loop, which a loaded machine does not inflate the way it does
// the delays).
// Knobs (environment): CONFIG_BENCH_ENTRIES (50000), CONFIG_BENCH_REPEATS
// (3 of each reload kind), CONFIG_BENCH_NODE_ARGS (extra node flags for the
// exporter, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), CONFIG_BENCH_CLI
// (another build's dist/src/cli.js, to compare two builds back to back).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSecretsFile, type SecretsFile } from '@bmc-exporter/bmc-sim';
import { freePort, procCpu, stopped } from './exporter-proc.js';
import type { LoopProbeWindow } from './loop-probe-child.js';
import type { Benchmark, Report } from './run.js';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);

/** The bench's secrets file: entry `changed` with another password, or with `rotated` every password another. */
function fleet(count: number, changed?: number, rotated = false): SecretsFile {
  const secrets: SecretsFile = {};
  for (let i = 0; i < count; i++) {
    const password = rotated ? `rotated-${i.toString(36)}` : i === changed ? 'changed-password' : `pw-${i.toString(36)}`;
    secrets[`127.224.${i >> 8}.${i & 255}:623`] = { username: 'admin', password };
  }
  return secrets;
}

let clockTicks: number | undefined;

/** CPU seconds of `pid`'s main thread (the event loop's), from /proc/PID/task/PID/stat (utime+stime, proc(5)). */
function mainThreadCpu(pid: number): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  // Fields after "(comm)": utime is field 14, stime 15.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / clockTicks;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function timed(url: string, init?: RequestInit): Promise<{ ms: number; status: number; bytes: number }> {
  const t0 = performance.now();
  const r = await fetch(url, init);
  const body = await r.arrayBuffer();
  return { ms: performance.now() - t0, status: r.status, bytes: body.byteLength };
}

/** GETs /-/healthy back to back until stopped; the worst latency seen. */
function healthPoller(base: string): { stop(): Promise<number> } {
  let running = true;
  let worst = 0;
  const loop = (async () => {
    while (running) {
      const { ms } = await timed(`${base}/-/healthy`);
      worst = Math.max(worst, ms);
      // Often enough to see a 100 ms stall, rarely enough to cost the exporter little CPU of its own.
      await sleep(20);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return worst;
    },
  };
}

/** The exporter's standard error, watched for a log line (the SIGHUP reload's end). */
class LogWatch {
  private text = '';
  private waiters: Array<{ re: RegExp; from: number; resolve: () => void }> = [];
  constructor(c: ChildProcess) {
    c.stderr?.setEncoding('utf8');
    c.stderr?.on('data', (d: string) => {
      this.text += d;
      this.waiters = this.waiters.filter((w) => {
        if (!w.re.test(this.text.slice(w.from))) return true;
        w.resolve();
        return false;
      });
    });
  }
  get length(): number {
    return this.text.length;
  }
  tail(): string {
    return this.text.slice(-2000);
  }
  /** The first match of `re` in what was logged after offset `from`. */
  match(from: number, re: RegExp): RegExpExecArray | null {
    return re.exec(this.text.slice(from));
  }
  /** Resolves when `re` appears in what was logged after offset `from`. */
  after(from: number, re: RegExp, timeoutMs: number): Promise<void> {
    if (re.test(this.text.slice(from))) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${re} in the exporter's log within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        re,
        from,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      });
    });
  }
}

/** The exporter's own worst event-loop delay since its previous /metrics (prom-client resets it on every collection), ms. */
async function loopLagMaxMs(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = /^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text);
  if (!m) throw new Error('no nodejs_eventloop_lag_max_seconds on /metrics');
  return Number(m[1]) * 1000;
}

/** The exporter's loop probe (loop-probe-child.ts) since its previous call: its worst gap, and the most on-CPU time within a gap. */
async function loopProbe(exporter: ChildProcess, logs: LogWatch): Promise<LoopProbeWindow> {
  const from = logs.length;
  exporter.kill('SIGUSR2');
  const line = /loop-probe (\{.*\})\n/;
  await logs.after(from, line, 10_000);
  return JSON.parse(logs.match(from, line)![1]!) as LoopProbeWindow;
}

interface Measured {
  cpu: number;
  mainCpu: number;
  wall: number;
  worstHealthyMs: number;
  loopLagMs: number;
  probe: LoopProbeWindow;
}

/**
 * CPU seconds the exporter spent from now until `work` resolves (all its
 * threads, and its main thread alone), its wall time, the worst /-/healthy
 * latency meanwhile, and the exporter's own worst event-loop delay over the
 * same time.
 */
async function measured(exporter: ChildProcess, logs: LogWatch, base: string, work: () => Promise<void>): Promise<Measured> {
  const pid = exporter.pid!;
  const poller = healthPoller(base);
  await sleep(50);
  await loopLagMaxMs(base); // resets the exporter's maximum
  await loopProbe(exporter, logs); // and the probe's
  const cpu0 = procCpu(pid).self;
  const main0 = mainThreadCpu(pid);
  const t0 = performance.now();
  await work();
  const wall = (performance.now() - t0) / 1000;
  const cpu = procCpu(pid).self - cpu0;
  const mainCpu = mainThreadCpu(pid) - main0;
  const probe = await loopProbe(exporter, logs);
  const loopLagMs = await loopLagMaxMs(base);
  const worstHealthyMs = await poller.stop();
  return { cpu, mainCpu, wall, worstHealthyMs, loopLagMs, probe };
}

/** The loop probe's figures over `runs`: the worst gap with its on-CPU and waiting parts, and the most on-CPU time in any gap. */
function reportProbe(report: Report, prefix: string, runs: Measured[], note: string): void {
  const worst = runs.reduce((a, b) => (b.probe.worstGapMs > a.probe.worstGapMs ? b : a)).probe;
  const what = "the exporter's main thread, 1 ms timer probe";
  report(`${prefix}_loop_gap_max_ms`, worst.worstGapMs, 'ms', `${note}; ${what}: longest gap between ticks, worst of all runs`);
  report(`${prefix}_loop_gap_max_on_cpu_ms`, worst.worstGapOnCpuMs, 'ms', `${note}; ${what}: of that gap, the time the thread ran`);
  report(`${prefix}_loop_gap_max_waiting_ms`, worst.worstGapWaitMs, 'ms', `${note}; ${what}: of that gap, the time it waited runnable for a CPU`);
  report(
    `${prefix}_loop_busy_max_ms`,
    Math.max(...runs.map((r) => r.probe.worstOnCpuMs)),
    'ms',
    `${note}; ${what}: the most on-CPU time within one gap (work holding the loop; the load does not add to it), worst of all runs`,
  );
}

export const benchmark: Benchmark = {
  name: 'config',
  description:
    'secrets file at 50,000 entries: the CLI exporter reaching /-/ready, SIGHUP and POST /-/reload CPU and stalls, /discover, / and /metrics (no BMC traffic)',
  async run(report, log) {
    const count = env('CONFIG_BENCH_ENTRIES', 50_000);
    const repeats = env('CONFIG_BENCH_REPEATS', 3);
    const nodeArgs = (process.env.CONFIG_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const dir = await mkdtemp(join(tmpdir(), 'bench-config-'));
    const file = join(dir, 'secrets.yml');
    const same = formatSecretsFile(fleet(count));
    const changed = formatSecretsFile(fleet(count, Math.floor(count / 2)));
    const rotated = formatSecretsFile(fleet(count, undefined, true));
    await writeFile(file, same, { mode: 0o600 });
    log(`${count} entries, ${(same.length / 2 ** 20).toFixed(1)} MiB`);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const cli = process.env.CONFIG_BENCH_CLI ?? fileURLToPath(new URL('../../src/cli.js', import.meta.url));
    const note = (what: string) => `${count} entries; ${what}; load average ${loadavg()[0]!.toFixed(1)}`;
    const probe = fileURLToPath(new URL('./loop-probe-child.js', import.meta.url));
    const exporter = spawn(process.execPath, [...nodeArgs, '--import', probe, cli, '--secrets.static', file, '--web.listen-address', `127.0.0.1:${port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: dir,
    });
    const logs = new LogWatch(exporter);
    const pid = exporter.pid!;
    try {
      const t0 = performance.now();
      let cpuReady = NaN;
      for (;;) {
        if (exporter.exitCode !== null) throw new Error(`the exporter exited (${exporter.exitCode}): ${logs.tail()}`);
        if (performance.now() - t0 > 120_000) throw new Error('no /-/ready within 120 s');
        const ok = await fetch(`${base}/-/ready`).then(
          (r) => r.arrayBuffer().then(() => r.ok),
          () => false,
        );
        if (ok) {
          cpuReady = procCpu(pid).self;
          break;
        }
        await sleep(20);
      }
      report('start_cpu_s', cpuReady, 's', note('exporter CPU from exec to /-/ready answering 200 (all threads)'));
      report('start_wall_s', (performance.now() - t0) / 1000, 's', note('exec to /-/ready'));
      await sleep(1000);
      // The poller's worst latency with nothing reloading: what the machine's load alone costs it.
      const idle = await measured(exporter, logs, base, () => sleep(3000));
      report('idle_worst_healthy_ms', idle.worstHealthyMs, 'ms', note('/-/healthy polled for 3 s with no reload running'));
      report('idle_eventloop_lag_max_ms', idle.loopLagMs, 'ms', note("the exporter's nodejs_eventloop_lag_max_seconds over 3 s with no reload running"));
      reportProbe(report, 'idle', [idle], note('over 3 s with no reload running'));

      const kinds: Array<{ name: string; what: string; run: () => Promise<void> }> = [
        {
          name: 'sighup',
          what: 'SIGHUP until "secrets reloaded" is logged',
          run: async () => {
            const from = logs.length;
            exporter.kill('SIGHUP');
            await logs.after(from, /secrets reloaded/, 120_000);
          },
        },
        {
          name: 'post',
          what: 'POST /-/reload until its 200',
          run: async () => {
            const r = await timed(`${base}/-/reload`, { method: 'POST' });
            if (r.status !== 200) throw new Error(`POST /-/reload: HTTP ${r.status}`);
          },
        },
      ];
      for (const kind of kinds) {
        for (const variant of ['same', 'changed', 'rotated'] as const) {
          const runs: Measured[] = [];
          for (let i = 0; i < repeats; i++) {
            // "changed" alternates between two files, so every run changes one entry; "rotated"
            // likewise changes every password (each slice differs: a new table is built).
            if (variant === 'changed') await writeFile(file, i % 2 === 0 ? changed : same);
            if (variant === 'rotated') await writeFile(file, i % 2 === 0 ? rotated : same);
            runs.push(await measured(exporter, logs, base, () => kind.run()));
            await sleep(500);
          }
          const what = { same: 'same file', changed: 'one entry changed', rotated: 'every password changed' }[variant];
          const n = note(`${kind.what}, ${what}; median of ${repeats}`);
          report(`reload_${kind.name}_${variant}_cpu_s`, median(runs.map((r) => r.cpu)), 's', n);
          report(`reload_${kind.name}_${variant}_cpu_s_max`, Math.max(...runs.map((r) => r.cpu)), 's', n);
          report(
            `reload_${kind.name}_${variant}_main_thread_cpu_s`,
            median(runs.map((r) => r.mainCpu)),
            's',
            `${n}; the exporter's main thread (event loop) alone; its health poller and /metrics included`,
          );
          report(`reload_${kind.name}_${variant}_wall_s`, median(runs.map((r) => r.wall)), 's', n);
          report(`reload_${kind.name}_${variant}_worst_healthy_ms`, Math.max(...runs.map((r) => r.worstHealthyMs)), 'ms', `${n}; worst of all runs`);
          report(
            `reload_${kind.name}_${variant}_eventloop_lag_max_ms`,
            Math.max(...runs.map((r) => r.loopLagMs)),
            'ms',
            `${n}; nodejs_eventloop_lag_max_seconds, worst of all runs`,
          );
          reportProbe(report, `reload_${kind.name}_${variant}`, runs, n);
        }
      }
      await writeFile(file, same);

      for (const [name, path] of [
        ['discover', '/discover'],
        ['homepage', '/'],
        ['metrics', '/metrics'],
      ] as const) {
        await timed(`${base}${path}`); // warm
        const times: number[] = [];
        let bytes = 0;
        for (let i = 0; i < 5; i++) {
          const r = await timed(`${base}${path}`);
          if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status}`);
          times.push(r.ms);
          bytes = r.bytes;
        }
        report(`get_${name}_ms`, median(times), 'ms', note(`GET ${path}, median of 5, ${bytes} bytes`));
      }
    } finally {
      exporter.kill('SIGTERM');
      await stopped(exporter, 20_000);
      await rm(dir, { recursive: true, force: true });
    }
  },
};
