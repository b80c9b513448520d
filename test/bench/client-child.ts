// Child process of the client benchmark: BmcClients over one shared
// UdpTransport, an RMCP+ session each (suite 3 or 17, as the parent asks),
// then warm Get Sensor Reading commands back to back. Only this process's CPU
// (process.cpuUsage) over the measured window counts: the library's
// per-command path, node:dgram and the kernel's loopback send and receive,
// nothing of the exporter.
// The bare loop sends the same commands in the same sessions with nothing of
// the library but its session framer (the code that writes and reads an
// RMCP+ packet: framing, AES, AuthCode, sequence window): one unconnected
// dgram socket and a callback per datagram; no queue, promise, timer, abort
// signal or hook. It is what any client on node:dgram pays for these packets
// against these BMCs, so the library's figure over it is what the library's
// own machinery costs. It has no retransmission: a lost datagram stalls its
// lane, counted as lost when the window ends.
// The scrape phase runs the exporter's own Targets (default collectors, scrape
// context, exposition, self-metrics) over this transport, whole warm scrapes
// as /bmc runs them but without the HTTP server, so the exporter bench's figure
// over it is what HTTP and the rest of the exporter process cost. It always
// uses this checkout's library and src (CLIENT_BENCH_LIBRARY does not apply).
import dgram from 'node:dgram';
import type { ServerResponse } from 'node:http';
import * as ipmi from '@bmc-exporter/ipmi';
import { parseTargetAddress } from '../../src/targets/target-address.js';
import { Target } from '../../src/targets/target.js';
import { benchMetrics, benchScrape, quietResponse } from './bench-scrape.js';

// CLIENT_BENCH_LIBRARY: another build of the library (its dist/index.js) to
// measure instead, e.g. main's, for a before/after on the same machine state.
const { BmcClient, getSensorReading, UdpTransport } = (process.env.CLIENT_BENCH_LIBRARY ? await import(process.env.CLIENT_BENCH_LIBRARY) : ipmi) as typeof ipmi;

export interface ClientTarget {
  host: string;
  port: number;
  username: string;
  password: string;
}
/** Which sessions: `main` in the suite measured, `plain` in suite 0 (no integrity, no confidentiality) for the bare loop only. */
export type ClientSet = 'main' | 'plain';
export type ToClient =
  | { type: 'open'; set: ClientSet; targets: ClientTarget[]; concurrency: number; cipherSuite: 0 | 3 | 17 }
  | { type: 'drive'; lanes: number; clients: number; warmupMs: number; durationMs: number }
  | { type: 'bare'; set: ClientSet; lanes: number; clients: number; warmupMs: number; durationMs: number }
  | { type: 'scrape'; targets: ClientTarget[]; cipherSuite: 3 | 17; lanes: number; warmupMs: number; durationMs: number }
  | { type: 'close' };
export type FromClient =
  | { type: 'opened'; ok: number; failed: number; firstError?: string }
  | { type: 'driven'; commands: number; errors: number; firstError?: string; ms: number; cpuUser: number; cpuSystem: number; scrapes?: number }
  | { type: 'closed' }
  | { type: 'error'; message: string };

const send = (m: FromClient) => process.send!(m);
/** What the exporter hangs on every client: counters bumped per packet and per command. */
const counted = { sent: 0, received: 0, dropped: 0, completed: 0, seconds: 0 };
const hooks = {
  packetSent: () => void counted.sent++,
  packetReceived: () => void counted.received++,
  packetDropped: () => void counted.dropped++,
  commandCompleted: (_name: string, seconds: number) => {
    counted.completed++;
    counted.seconds += seconds;
  },
};
/** Commands answered and failed in one run, with the first failure's message (and the scrapes, in the scrape phase). */
type Tally = { commands: number; errors: number; firstError?: string; scrapes?: number };
/** Commands per scrape signal, as a warm exporter scrape sends them (one deadline per scrape). */
const COMMANDS_PER_SIGNAL = 22;
const transport = new UdpTransport({ receiveBufferSize: 16 * 1024 * 1024 });
const sets: Record<ClientSet, ipmi.BmcClient[]> = { main: [], plain: [] };
/** Sensor 1 exists on every bmc-sim profile. */
const REQUEST = { sensorNumber: 0x01 };

/**
 * `lanes` loops, lane i owning clients i, i+lanes, ... of the first
 * `count`: `lanes` commands in flight, never two on one BMC (as the exporter
 * runs a scrape per BMC).
 */
async function drive(lanes: number, count: number, until: number, tally: Tally) {
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      let k = lane;
      let signal = AbortSignal.timeout(10_000);
      for (let n = 1; performance.now() < until; n++) {
        const c = sets.main[k]!;
        k += lanes;
        if (k >= count) k = lane;
        if (n % COMMANDS_PER_SIGNAL === 0) signal = AbortSignal.timeout(10_000);
        try {
          await c.execute(getSensorReading, REQUEST, { signal });
          tally.commands++;
        } catch (err) {
          tally.errors++;
          tally.firstError ??= (err as Error).message;
        }
      }
    }),
  );
}

/** What the bare loop uses of a session: the library's RMCP+ framer for it (BmcClient keeps it private). */
interface BareFramer {
  wrapRequest(netFn: number, cmd: number, rqSeq: number, rsLun: number, data: Buffer): Buffer;
  /** The payload, or a Drop (an object with the reason). */
  unwrap(d: Buffer): Buffer | { reason: string };
}
interface BareTarget {
  host: string;
  port: number;
  framer: BareFramer;
  rqSeq: number;
  lane: number;
}

/** The open session's framer, reached past BmcClient's privacy (this bench alone does): a clear error if the client's insides changed. */
function bareTarget(c: ipmi.BmcClient, i: number): BareTarget {
  const framer = (c as unknown as { active?: { framer?: Partial<BareFramer> } }).active?.framer;
  if (typeof framer?.wrapRequest !== 'function' || typeof framer.unwrap !== 'function') {
    throw new Error(`client ${i} has no open session framer with wrapRequest/unwrap: BmcClient's insides changed, mend bareTarget`);
  }
  const { host, port } = parseTargetAddress(c.target);
  return { host, port, framer: framer as BareFramer, rqSeq: 0, lane: 0 };
}

/** The request the bare loop sends, as the library encodes it. */
const SENSOR_DATA = getSensorReading.encode(REQUEST);

/**
 * `lanes` commands in flight over `bmcs` for `ms`, lane i taking BMCs i,
 * i+lanes, ... as drive() does: a Get Sensor Reading written by the
 * session's framer, sent on a bare socket, its answer read by the framer,
 * matched (command, rqSeq, completion code) and decoded, then the lane's next.
 */
async function bare(bmcs: BareTarget[], lanes: number, ms: number, tally: Tally): Promise<void> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 16 * 1024 * 1024, lookup: (address, _o, cb) => cb(null, address, 4) });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const byHost = new Map(bmcs.map((b) => [b.host, b]));
  const nextOf: number[] = [];
  let live = lanes;
  let stop = false;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const fail = (why: string) => {
    tally.errors++;
    tally.firstError ??= why;
  };
  const sendTo = (b: BareTarget) => {
    b.rqSeq = (b.rqSeq + 1) & 0x3f;
    socket.send(b.framer.wrapRequest(getSensorReading.netFn, getSensorReading.cmd, b.rqSeq, 0, SENSOR_DATA), b.port, b.host);
  };
  socket.on('message', (d, rinfo) => {
    const b = byHost.get(rinfo.address);
    if (b === undefined || rinfo.port !== b.port) return fail(`answer from ${rinfo.address}:${rinfo.port}, no such BMC`);
    const p = b.framer.unwrap(d);
    // The LAN response (§13.8): rqAddr, netFn/rqLUN, checksum, rsAddr, rqSeq/rsLUN, cmd, completion code, data, checksum.
    if (!Buffer.isBuffer(p)) fail(`dropped: ${p.reason}`);
    else if (p.length < 8 || p[5] !== getSensorReading.cmd || p[4]! >> 2 !== b.rqSeq || p[6] !== 0) fail('not the answer asked for');
    else {
      getSensorReading.decode(p.subarray(7, p.length - 1));
      tally.commands++;
    }
    const lane = b.lane;
    if (stop) {
      if (--live === 0) done();
      return;
    }
    let k = (nextOf[lane]! += lanes);
    if (k >= bmcs.length) k = nextOf[lane] = lane;
    const n = bmcs[k]!;
    n.lane = lane;
    sendTo(n);
  });
  for (let lane = 0; lane < lanes; lane++) {
    nextOf[lane] = lane;
    bmcs[lane]!.lane = lane;
    sendTo(bmcs[lane]!);
  }
  await new Promise((resolve) => setTimeout(resolve, ms));
  stop = true;
  // A lane whose datagram was lost never comes back: give the rest 2 s, then count the missing as lost.
  const grace = setTimeout(done, 2000);
  await finished;
  clearTimeout(grace);
  if (live > 0) {
    tally.errors += live;
    tally.firstError ??= `${live} lanes lost a datagram`;
  }
  await new Promise<void>((resolve) => socket.close(resolve));
}

/** The scrape phase's targets and their one response object each (see bench-scrape.ts). */
let scrapeTargets: { target: Target; res: ServerResponse }[] = [];

/**
 * `lanes` scrapes in flight over the targets for `ms`, lane i taking targets
 * i, i+lanes, ... as drive() does BMCs: each a whole warm scrape, its commands
 * counted from the target's status; one not up, partial or with errors counts
 * as an error.
 */
async function scrapes(lanes: number, ms: number, tally: Tally): Promise<void> {
  const until = performance.now() + ms;
  tally.scrapes ??= 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, scrapeTargets.length) }, async (_, lane) => {
      for (let k = lane; performance.now() < until; k = k + lanes < scrapeTargets.length ? k + lanes : lane) {
        const { target, res } = scrapeTargets[k]!;
        await benchScrape(target, res);
        const s = target.status;
        tally.scrapes!++;
        tally.commands += s.commands;
        if (!s.up || s.partial || s.errors?.length) {
          tally.errors++;
          tally.firstError ??= `${target.key}: up ${s.up}, partial ${s.partial}, ${s.errors?.[0] ?? s.lastError ?? 'no error'}`;
        }
      }
    }),
  );
}

/** The exporter's Targets over this process's transport, each with its first (cold) scrape done; the clients' sessions are closed first. */
async function makeScrapeTargets(m: Extract<ToClient, { type: 'scrape' }>): Promise<void> {
  // One session per BMC at a time, as the exporter keeps: the bench's own clients are done by now.
  await Promise.all([...sets.main, ...sets.plain].map((c) => c.close()));
  sets.main = [];
  sets.plain = [];
  const made: Target[] = [];
  const { health, metrics } = benchMetrics(transport, () => made.length);
  for (const t of m.targets) {
    const address = parseTargetAddress(`${t.host}:${t.port}`);
    made.push(new Target({ address, credentials: { username: t.username, password: t.password, cipherSuites: [m.cipherSuite] }, transport, metrics, health }));
  }
  scrapeTargets = made.map((target) => ({ target, res: quietResponse() }));
  // Cold scrapes (session, SDR walk) 64 at a time, as the exporter bench's cold pass.
  const cold: Tally = { commands: 0, errors: 0 };
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < scrapeTargets.length) {
        const { target, res } = scrapeTargets[next++]!;
        await benchScrape(target, res, 60_000);
        if (!target.status.up) {
          cold.errors++;
          cold.firstError ??= `${target.key}: ${target.status.lastError ?? 'not up'}`;
        }
      }
    }),
  );
  if (cold.errors) throw new Error(`${cold.errors} cold scrapes failed: ${cold.firstError}`);
}

/**
 * A warm-up run of `loop` (every client's path compiled and its session used
 * before the window), then the measured one: its commands, errors, wall
 * time and this process's CPU sent to the parent.
 */
async function measured(loop: (ms: number, tally: Tally) => Promise<void>, warmupMs: number, durationMs: number): Promise<void> {
  await loop(warmupMs, { commands: 0, errors: 0 });
  const tally: Tally = { commands: 0, errors: 0 };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await loop(durationMs, tally);
  const cpu = process.cpuUsage(cpu0);
  send({ type: 'driven', ...tally, ms: performance.now() - t0, cpuUser: cpu.user / 1e6, cpuSystem: cpu.system / 1e6 });
}

process.on('message', (m: ToClient) => {
  void (async () => {
    if (m.type === 'open') {
      const clients = m.targets.map((t) => new BmcClient({ ...t, transport, cipherSuites: [m.cipherSuite], hooks }));
      sets[m.set] = clients;
      let ok = 0;
      let failed = 0;
      let firstError: string | undefined;
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(m.concurrency, clients.length) }, async () => {
          while (next < clients.length) {
            try {
              await clients[next++]!.open();
              ok++;
            } catch (err) {
              failed++;
              firstError ??= (err as Error).message;
            }
          }
        }),
      );
      send({ type: 'opened', ok, failed, firstError });
    } else if (m.type === 'drive') {
      const lanes = Math.min(m.lanes, m.clients);
      await measured((ms, tally) => drive(lanes, m.clients, performance.now() + ms, tally), m.warmupMs, m.durationMs);
    } else if (m.type === 'bare') {
      const lanes = Math.min(m.lanes, m.clients);
      const bmcs = sets[m.set].slice(0, m.clients).map(bareTarget);
      await measured((ms, tally) => bare(bmcs, lanes, ms, tally), m.warmupMs, m.durationMs);
    } else if (m.type === 'scrape') {
      await makeScrapeTargets(m);
      await measured((ms, tally) => scrapes(m.lanes, ms, tally), m.warmupMs, m.durationMs);
    } else if (m.type === 'close') {
      await Promise.all([...sets.main, ...sets.plain].map((c) => c.close()));
      await Promise.all(scrapeTargets.map(({ target }) => target.close()));
      await transport.close();
      send({ type: 'closed' });
      process.exit(0);
    }
  })().catch((err: Error) => send({ type: 'error', message: err.message }));
});
