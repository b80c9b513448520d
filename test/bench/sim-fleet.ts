// The bmc-sim scale benchmark: one process serves ≥ 5,000 BMCs and
// answers ≥ 20,000 commands/s with cipher suite 3. The fleet runs in its own
// process, the load generators in others, so each side gets its own core and
// its own CPU figures.
//
// Two load generators (SIM_BENCH_GENERATOR):
// - wire (default), sim-fleet-wire-child.ts: one UDP socket, per-BMC state
//   objects, no promises or queues per command. It still does the protocol
//   for real: a full RMCP+ suite-3 handshake per BMC, every request signed
//   and AES-encrypted with the library's codecs, and every answer verified in
//   full (integrity, decryption, session id and sequence, rqSeq / NetFn /
//   command matching, completion code, the command's decoder).
// - client, sim-fleet-load-child.ts: our full BmcClient (p-queue, exchanger,
//   promises) over one shared UdpTransport, i.e. what the exporter pays per
//   command (~53-58 us of CPU, more than the fleet's ~38-42 us).
// Why wire is the default: this benchmark measures the fleet. On a 2-core
// machine (fleet on one core, generator on the other) the full client
// saturates its core first, so commands/s would measure the client, not the
// fleet; the wire generator costs less per command than the fleet, so the
// fleet is what saturates and the figure is its real capacity.
//
// Knobs (environment): SIM_BENCH_COUNT (5000), SIM_BENCH_SECONDS (10),
// SIM_BENCH_GENERATOR (wire | client; wire),
// SIM_BENCH_INFLIGHT (commands in flight per generator, 256), SIM_BENCH_GENERATORS (1),
// SIM_BENCH_PROFILE (directory for CPU profiles of the fleet and generators during the drive phase).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './run.js';
import type { FromServer, ToServer } from './sim-fleet-server-child.js';
import type { FromLoad, LoadTarget, ToLoad } from './sim-fleet-load-child.js';
import type { FromWire } from './sim-fleet-wire-child.js';

/** Either child's answers (same protocol; the wire child's 'driven' also counts late answers). */
type FromGenerator = FromLoad | FromWire;
const GENERATORS = { wire: './sim-fleet-wire-child.js', client: './sim-fleet-load-child.js' } as const;

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);

function child(file: string, args: string[] = [], execArgv: string[] = []): ChildProcess {
  return fork(fileURLToPath(new URL(file, import.meta.url)), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
}

function next<T extends { type: string }>(c: ChildProcess, type: T['type'], send?: unknown, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${type}" from child within ${timeoutMs} ms`)), timeoutMs);
    const onMsg = (m: T & { message?: string }) => {
      if (m.type === 'error') {
        clearTimeout(timer);
        c.off('message', onMsg);
        reject(new Error(m.message));
      } else if (m.type === type) {
        clearTimeout(timer);
        c.off('message', onMsg);
        resolve(m);
      }
    };
    c.on('message', onMsg);
    if (send) c.send(send as object);
  });
}

function exited(c: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    const t = setTimeout(resolve, timeoutMs);
    c.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const benchmark: Benchmark = {
  name: 'sim-fleet',
  description: 'bmc-sim: bind a 5,000-BMC fleet in one process, open suite-3 sessions to all, then drive commands for ~10 s',
  async run(report, log) {
    const count = env('SIM_BENCH_COUNT', 5000);
    const seconds = env('SIM_BENCH_SECONDS', 10);
    const inflight = env('SIM_BENCH_INFLIGHT', 256);
    const generators = env('SIM_BENCH_GENERATORS', 1);
    const kind = process.env.SIM_BENCH_GENERATOR || 'wire';
    if (kind !== 'wire' && kind !== 'client') throw new Error(`SIM_BENCH_GENERATOR=${kind}: want wire or client`);
    log(`load generator: ${kind}${kind === 'wire' ? ' (lean: one socket, library codecs, every answer verified)' : ' (full BmcClient)'}`);
    const def = { count, profile: 'server-2s', baseAddress: '127.1.0.1', port: 623, seed: 7 };
    // SIM_BENCH_PROFILE=DIR: the children write fleet-PID.cpuprofile and generator-PID.cpuprofile there (drive phase only).
    const server = child('./sim-fleet-server-child.js', [JSON.stringify(def)]);
    const loads: ChildProcess[] = [];
    try {
      const ready = await next<Extract<FromServer, { type: 'ready' }>>(server, 'ready');
      log(`fleet of ${ready.count} BMCs bound in ${ready.bindMs.toFixed(0)} ms (${ready.fds} fds, ${(ready.rss / 2 ** 20).toFixed(0)} MiB RSS)`);
      report('fleet_bmcs', ready.count, 'BMCs', 'one process');
      report('bind_seconds', ready.bindMs / 1000, 's');
      report('fleet_fds', ready.fds, 'fds');
      report('fleet_rss_idle', ready.rss / 2 ** 20, 'MiB');

      const targets: LoadTarget[] = Object.entries(ready.secrets).map(([hp, c]) => {
        const i = hp.lastIndexOf(':');
        return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)), username: c.username, password: c.password };
      });
      for (let g = 0; g < generators; g++) loads.push(child(GENERATORS[kind]));
      const opened = await Promise.all(
        loads.map((l, g) =>
          next<Extract<FromGenerator, { type: 'opened' }>>(
            l,
            'opened',
            { type: 'open', targets: targets.filter((_, i) => i % generators === g), concurrency: 200, cipherSuite: 3 } satisfies ToLoad,
            90_000,
          ),
        ),
      );
      const ok = opened.reduce((n, o) => n + o.ok, 0);
      const failedOpen = opened.reduce((n, o) => n + o.failed, 0);
      const openMs = Math.max(...opened.map((o) => o.ms));
      log(
        `${ok} suite-3 sessions opened in ${openMs.toFixed(0)} ms${failedOpen ? `, ${failedOpen} failed (${opened.find((o) => o.firstError)?.firstError})` : ''}`,
      );
      report('sessions_opened', ok, 'sessions', failedOpen ? `${failedOpen} failed` : undefined);
      report('session_setup_rate', ok / (openMs / 1000), 'sessions/s');

      const before = await next<Extract<FromServer, { type: 'stats' }>>(server, 'stats', { type: 'stats' } satisfies ToServer);
      const t0 = performance.now();
      const driven = await Promise.all(
        loads.map((l) =>
          next<Extract<FromGenerator, { type: 'driven' }>>(
            l,
            'driven',
            { type: 'drive', durationMs: seconds * 1000, inflight } satisfies ToLoad,
            (seconds + 30) * 1000,
          ),
        ),
      );
      const after = await next<Extract<FromServer, { type: 'stats' }>>(server, 'stats', { type: 'stats' } satisfies ToServer);
      const elapsed = (performance.now() - t0) / 1000;

      const answered = after.commands - before.commands;
      const fleetCpu = after.cpuUser + after.cpuSystem - (before.cpuUser + before.cpuSystem);
      const completed = driven.reduce((n, d) => n + d.completed, 0);
      const errors = driven.reduce((n, d) => n + d.errors, 0);
      const lat = driven.flatMap((d) => d.latenciesMs).sort((a, b) => a - b);
      const genCpu = driven.reduce((n, d) => n + d.cpuUser + d.cpuSystem, 0);
      const late = driven.reduce((n, d) => n + ('late' in d ? d.late : 0), 0);
      report('commands_per_second', answered / elapsed, 'commands/s', `fleet counters, suite 3, ${generators} ${kind} generator(s) x ${inflight} in flight`);
      report(
        'client_completed_per_second',
        completed / elapsed,
        'commands/s',
        `${kind} generator, ${errors ? `${errors} errors: ${driven.find((d) => d.firstError)?.firstError}` : 'no errors'}${late ? `, ${late} late answers` : ''}`,
      );
      report('latency_p50', percentile(lat, 50), 'ms');
      report('latency_p99', percentile(lat, 99), 'ms');
      report('fleet_cpu_seconds', fleetCpu, 's', `${((fleetCpu / elapsed) * 100).toFixed(0)}% of one core over ${elapsed.toFixed(1)} s`);
      // What one fully busy core of the fleet would answer: the figure that matters when the
      // generator, not the fleet, saturates first (the client generator does on a 2-core machine).
      report('fleet_commands_per_cpu_second', answered / fleetCpu, 'commands/s/core');
      report('generator_cpu_seconds', genCpu, 's', `${((genCpu / elapsed / generators) * 100).toFixed(0)}% of one core per ${kind} generator`);
      // CPU per command on each side: steadier than commands/s when other work shares the machine.
      report('fleet_cpu_per_command', (fleetCpu / answered) * 1e6, 'us');
      report('generator_cpu_per_command', (genCpu / completed) * 1e6, 'us', `${kind} generator`);
      report('fleet_rss_loaded', after.rss / 2 ** 20, 'MiB');
      report('fleet_sessions_open', after.sessionsOpen, 'sessions');
      const genBusy = genCpu / elapsed / generators;
      const fleetBusy = fleetCpu / elapsed;
      if (genBusy > 0.9 && fleetBusy < 0.9) {
        log(
          `the load generator is the bottleneck (a core saturated while the fleet had headroom): ${kind === 'client' ? 'try SIM_BENCH_GENERATOR=wire or ' : 'try '}SIM_BENCH_GENERATORS=2`,
        );
      } else if (fleetBusy > 0.9) {
        log('the fleet is the bottleneck (its core saturated)');
      } else {
        log(
          `neither side saturated a core (fleet ${(fleetBusy * 100).toFixed(0)}%, generator ${(genBusy * 100).toFixed(0)}%): other processes share the CPUs, or the ${inflight} in flight are too few`,
        );
      }

      await Promise.all(loads.map((l) => next<Extract<FromGenerator, { type: 'closed' }>>(l, 'closed', { type: 'close' } satisfies ToLoad)));
    } finally {
      // A generator exits by itself after 'closed'; give it a moment (it may be writing a CPU profile).
      await Promise.all(loads.map((l) => exited(l, 5_000)));
      for (const l of loads) if (l.exitCode === null) l.kill();
      if (server.connected) server.send({ type: 'close' } satisfies ToServer);
      await new Promise<void>((resolve) => {
        if (server.exitCode !== null) return resolve();
        server.once('exit', () => resolve());
        setTimeout(() => {
          server.kill();
          resolve();
        }, 10_000).unref();
      });
    }
  },
};
