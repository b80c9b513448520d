// The client benchmark: what @bmc-exporter/ipmi's BmcClient costs in CPU per
// warm command, against the node:dgram floor measured in the same run.
// - floor: a bare node:dgram request/response loop with K datagrams in flight
//   (exporter-floor-child.ts), datagrams the size of the chosen suite's Get
//   Sensor Reading, against an echo server in the fleet process.
// - fleet: K BmcClients' commands in flight over many simulated BMCs (one
//   command per BMC at a time), Get Sensor Reading in RMCP+ sessions of one
//   cipher suite: 3 (HMAC-SHA1-96, AES-CBC-128) by default, or 17
//   (HMAC-SHA256-128, AES-CBC-128), which the exporter negotiates with any
//   BMC that offers it (the simulator's server-2s does).
// - bare: the same commands in the same sessions with nothing of the library
//   but its session framer, on a bare socket (client-child.ts, bare()): what
//   the library's own machinery adds is the fleet figure over this one.
// - bare, suite 0: the same in suite-0 sessions (no AuthCode, no AES), the
//   round trip to these BMCs at their own pace with nothing of ours but the
//   framing; the simulator offers suite 0, as many BMCs no longer do.
// - single: one command in flight against one BMC, back to back.
// - scrape: the exporter's own Targets scraping the same BMCs (default
//   collectors, a warm scrape's 22 commands), K scrapes in flight, without the
//   HTTP server (client-child.ts, scrapes()): the rung between BmcClient and
//   the exporter bench's /bmc figure, so each layer's share shows.
// Each command goes as the exporter sends it: with a deadline signal (one per
// 22 commands, a warm scrape's worth) and metric hooks that count packets and
// commands.
// Processes: the bmc-sim fleet (+ echo server) pinned to core 1, the floor and
// the client child pinned to core 0, each measured with its own CPU time.
// Loopback range 127.207.0.0/16 (used by no test or other benchmark), so this run needs no lock
// and does not disturb peer tests.
// Knobs (environment): CLIENT_BENCH_BMCS (1000), CLIENT_BENCH_INFLIGHT (256),
// CLIENT_BENCH_BASE_ADDRESS (first BMC's address, 127.207.0.1; another
// loopback range when something else holds that one), CLIENT_BENCH_LIBRARY
// (absolute path of another build's dist/index.js to measure instead),
// CLIENT_BENCH_SUITE (3 or 17, 3),
// CLIENT_BENCH_SECONDS (measured seconds per phase, 5), CLIENT_BENCH_NODE_FLAGS
// (extra node flags for the client child, e.g. --cpu-prof or --perf-basic-prof).
import type { ChildProcess } from 'node:child_process';
import type { Benchmark } from './run.js';
import type { ClientSet, ClientTarget, FromClient, ToClient } from './client-child.js';
import type { FromFleet, ToFleet } from './exporter-fleet-child.js';
import type { FromFloor } from './exporter-floor-child.js';
import { child, next, pin, stopped } from './exporter-proc.js';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
/**
 * An RMCP+ Get Sensor Reading's bytes per suite: 4 RMCP + 12 session header +
 * 16 IV + 16 encrypted + 2 pad + 2 + the AuthCode (12 for HMAC-SHA1-96, 16 for
 * HMAC-SHA256-128).
 */
const SENSOR_READING_BYTES = { 3: 64, 17: 68 } as const;
const BASE_ADDRESS = process.env.CLIENT_BENCH_BASE_ADDRESS ?? '127.207.0.1';

export const benchmark: Benchmark = {
  name: 'client',
  description:
    "client: BmcClient CPU per warm Get Sensor Reading (RMCP+ suite 3, or CLIENT_BENCH_SUITE) vs the node:dgram floor, K in flight over a bmc-sim fleet and single-flight; the framer alone; the exporter's scrapes without HTTP",
  async run(report, log) {
    const count = env('CLIENT_BENCH_BMCS', 1000);
    if (!/^127\./.test(BASE_ADDRESS)) throw new Error(`CLIENT_BENCH_BASE_ADDRESS ${BASE_ADDRESS} is not loopback`);
    const inflight = Math.min(env('CLIENT_BENCH_INFLIGHT', 256), count);
    const seconds = env('CLIENT_BENCH_SECONDS', 5);
    const suite = env('CLIENT_BENCH_SUITE', 3);
    if (suite !== 3 && suite !== 17) throw new Error(`CLIENT_BENCH_SUITE ${suite}: give 3 or 17`);
    const bytes = SENSOR_READING_BYTES[suite];
    log(`cipher suite ${suite}, ${bytes}-byte datagrams`);
    const def = { count, profile: 'server-2s', baseAddress: BASE_ADDRESS, port: 623, seed: 11, sessionIdleTimeoutMs: 3_600_000 };
    const fleet = child('./exporter-fleet-child.js', [JSON.stringify(def), String(bytes)]);
    const flags = (process.env.CLIENT_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    const client = child('./client-child.js', [], flags);
    let floor: ChildProcess | undefined;
    try {
      if (!(pin(fleet.pid!, 1) && pin(client.pid!, 0))) log('taskset not available: processes are separate but not pinned');
      const ready = await next<Extract<FromFleet, { type: 'ready' }>>(fleet, 'ready', undefined, 120_000);
      log(`fleet of ${ready.count} BMCs bound in ${ready.bindMs.toFixed(0)} ms`);

      const floorAt = async (k: number, addressed = false): Promise<number> => {
        floor = child('./exporter-floor-child.js', [JSON.stringify({ port: ready.echoPort, size: bytes, inflight: k, seconds: 3, addressed })]);
        pin(floor.pid!, 0);
        const f = await next<FromFloor>(floor, 'floor', undefined, 30_000);
        await stopped(floor);
        floor = undefined;
        return ((f.cpuUser + f.cpuSystem) / f.roundTrips) * 1e6;
      };
      const floorK = await floorAt(inflight);
      report('floor_dgram_cpu_us_per_round_trip', floorK, 'us', `node:dgram, ${bytes}-byte datagrams, ${inflight} in flight`);
      const floorAddressed = await floorAt(inflight, true);
      report(
        'floor_dgram_addressed_cpu_us_per_round_trip',
        floorAddressed,
        'us',
        'the same on an unconnected socket naming the peer on every send, as one socket for a fleet must',
      );
      const floor1 = await floorAt(1);
      report('floor_dgram_cpu_us_per_round_trip@1', floor1, 'us', `node:dgram, ${bytes}-byte datagrams, one in flight`);

      const targets: ClientTarget[] = Object.entries(ready.secrets).map(([t, c]) => {
        const colon = t.lastIndexOf(':');
        return { host: t.slice(0, colon), port: Number(t.slice(colon + 1)), ...c };
      });
      const open = async (set: ClientSet, cipherSuite: 0 | 3 | 17) => {
        const t0 = performance.now();
        const opened = await next<Extract<FromClient, { type: 'opened' }>>(
          client,
          'opened',
          { type: 'open', set, targets, concurrency: 64, cipherSuite } satisfies ToClient,
          300_000,
        );
        log(
          `${opened.ok} suite-${cipherSuite} sessions opened in ${((performance.now() - t0) / 1000).toFixed(1)} s${opened.failed ? `, ${opened.failed} failed: ${opened.firstError}` : ''}`,
        );
        if (opened.ok < targets.length) throw new Error(`only ${opened.ok}/${targets.length} sessions opened: ${opened.firstError}`);
      };
      await open('main', suite);

      const phase = async (lanes: number, clients: number, bare?: ClientSet): Promise<{ us: number; note: string }> => {
        const run = { lanes, clients, warmupMs: 2000, durationMs: seconds * 1000 };
        const d = await next<Extract<FromClient, { type: 'driven' }>>(
          client,
          'driven',
          (bare ? { type: 'bare', set: bare, ...run } : { type: 'drive', ...run }) satisfies ToClient,
          (seconds + 60) * 1000,
        );
        if (d.errors) throw new Error(`${d.errors} commands failed: ${d.firstError}`);
        const us = ((d.cpuUser + d.cpuSystem) / d.commands) * 1e6;
        const note = `${d.commands} commands in ${(d.ms / 1000).toFixed(1)} s (${(d.commands / (d.ms / 1000)).toFixed(0)}/s), user ${((d.cpuUser / d.commands) * 1e6).toFixed(1)} us + system ${((d.cpuSystem / d.commands) * 1e6).toFixed(1)} us`;
        return { us, note };
      };
      const many = await phase(inflight, count);
      report(`cpu_us_per_command@${inflight}`, many.us, 'us', `suite ${suite}, ${inflight} in flight over ${count} BMCs; ${many.note}`);
      report(`cpu_per_command_vs_floor@${inflight}`, many.us / floorK, 'x', `BmcClient CPU per command / dgram round trip, ${inflight} in flight`);
      report(
        `cpu_per_command_vs_addressed_floor@${inflight}`,
        many.us / floorAddressed,
        'x',
        `BmcClient CPU per command / dgram round trip on an unconnected socket, ${inflight} in flight`,
      );
      // The same commands with nothing of the library but its session framer (client-child.ts, bare()).
      const bare = await phase(inflight, count, 'main');
      report(
        `bare_cpu_us_per_command@${inflight}`,
        bare.us,
        'us',
        `the library's framer alone: suite ${suite}, ${inflight} in flight over ${count} BMCs; ${bare.note}`,
      );
      report(
        `cpu_per_command_vs_bare@${inflight}`,
        many.us / bare.us,
        'x',
        'BmcClient CPU per command / the framer alone: what its queue, promises, timers and hooks add',
      );
      report(
        `bare_vs_floor@${inflight}`,
        bare.us / floorK,
        'x',
        'the framer alone / dgram round trip: what a client with no machinery of its own pays for these packets',
      );
      // Suite 0 (no AuthCode, no AES): the round trip to these BMCs at their own pace, nothing of ours but the framing.
      await open('plain', 0);
      const plain = await phase(inflight, count, 'plain');
      report(
        `bare_suite0_cpu_us_per_command@${inflight}`,
        plain.us,
        'us',
        `the framer alone in suite-0 sessions (no integrity, no confidentiality), ${inflight} in flight; ${plain.note}`,
      );
      report(
        `bare_suite0_vs_floor@${inflight}`,
        plain.us / floorK,
        'x',
        'the same round trips to the simulated BMCs without crypto / dgram round trip to an echo server',
      );

      const single = await phase(1, 1);
      report('cpu_us_per_command@1', single.us, 'us', `suite ${suite}, one BMC, one command in flight; ${single.note}`);
      report('cpu_per_command_vs_floor@1', single.us / floor1, 'x', 'BmcClient CPU per command / dgram round trip, one in flight');

      // The exporter's own scrapes of the same BMCs without its HTTP server (client-child.ts, scrapes()).
      const sc = await next<Extract<FromClient, { type: 'driven' }>>(
        client,
        'driven',
        { type: 'scrape', targets, cipherSuite: suite, lanes: inflight, warmupMs: 2000, durationMs: seconds * 1000 } satisfies ToClient,
        (seconds + 300) * 1000,
      );
      if (sc.errors || !sc.scrapes) throw new Error(`${sc.errors} of ${sc.scrapes ?? 0} scrapes failed: ${sc.firstError}`);
      const cpu = sc.cpuUser + sc.cpuSystem;
      const perScrape = (cpu / sc.scrapes) * 1e6;
      const perCommand = (cpu / sc.commands) * 1e6;
      const scNote = `suite ${suite}, ${inflight} scrapes in flight over ${count} BMCs, default collectors, no HTTP; ${sc.scrapes} scrapes, ${(sc.commands / sc.scrapes).toFixed(1)} commands each, ${(sc.scrapes / (sc.ms / 1000)).toFixed(0)} scrapes/s`;
      report(`scrape_cpu_us_per_scrape@${inflight}`, perScrape, 'us', scNote);
      report(`scrape_cpu_us_per_command@${inflight}`, perCommand, 'us', scNote);
      report(
        `scrape_per_command_vs_client@${inflight}`,
        perCommand / many.us,
        'x',
        "the exporter's scrapes / BmcClient's back-to-back commands, per command: what its collectors, scrape context and exposition add",
      );
      report(`scrape_per_command_vs_floor@${inflight}`, perCommand / floorK, 'x', "the exporter's scrapes without HTTP, per command / dgram round trip");
    } finally {
      if (client.connected) client.send({ type: 'close' } satisfies ToClient);
      if (fleet.connected) fleet.send({ type: 'close' } satisfies ToFleet);
      await Promise.all([stopped(client, 30_000), stopped(fleet), ...(floor ? [stopped(floor)] : [])]);
    }
  },
};
