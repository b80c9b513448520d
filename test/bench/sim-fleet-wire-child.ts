// Child process of the sim-fleet benchmark: a lean "wire" load generator.
// Same IPC protocol as sim-fleet-load-child.ts ('open' → 'opened', 'drive' →
// 'driven', 'close' → 'closed'), but no BmcClient: one node:dgram socket for
// every BMC, datagrams dispatched by source address:port to a per-BMC state
// object, no promises, queues or timers per command. It still does the real
// protocol work with the library's own codecs: a full RMCP+ suite-3 handshake
// per BMC (RmcpPlusHandshake), every request integrity-protected and
// AES-encrypted, and every answer verified in full (RMCP, session id,
// HMAC-SHA1-96 integrity, AES decryption, session sequence, LAN checksums,
// rqSeq / NetFn + 1 / command, completion code 0, the command's decoder).
// What it leaves out is what the exporter's client adds on top (p-queue,
// exchanger, promises, retry policy): that cost is what the 'client'
// generator (sim-fleet-load-child.ts) measures.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import {
  CompletionCodeError,
  IntegrityError,
  MalformedPacketError,
  PRIVILEGE,
  cipherSuite,
  closeSession,
  getDeviceId,
  getSensorReading,
  type Command,
} from '@bmc-exporter/ipmi';
import {
  PAYLOAD_TYPE,
  RMCP_CLASS,
  RmcpPlusHandshake,
  decodeLanResponse,
  decodeRmcp,
  decodeV20Packet,
  encodeLanRequest,
  encodeV20Packet,
  peekSessionHeader,
  type LanResponse,
  type SessionKeys,
} from '@bmc-exporter/ipmi/wire';
import { PhaseProfiler } from './profile-phase.js';
import type { FromLoad, LoadTarget, ToLoad } from './sim-fleet-load-child.js';

/** What this child answers: FromLoad, with 'driven' also counting late answers (to commands that had timed out). */
export type FromWire = Exclude<FromLoad, { type: 'driven' }> | (Extract<FromLoad, { type: 'driven' }> & { late: number });
export type { LoadTarget, ToLoad };

const send = (m: FromWire) => process.send!(m);

/** Per handshake step: first wait, then doubled per retransmit (as BmcClient's defaults: 1 s, 3 attempts). */
const STEP_TIMEOUT_MS = 1000;
const STEP_ATTEMPTS = 3;
/** A command unanswered this long counts as an error and its lane moves on. */
const COMMAND_TIMEOUT_MS = 1000;
/** How often in-flight commands are checked against COMMAND_TIMEOUT_MS (one sweep, not a timer per command). */
const SWEEP_MS = 100;

type AnyCommand = Command<unknown, unknown>;
const sensorReading = getSensorReading as AnyCommand;
const deviceId = getDeviceId as AnyCommand;
const SENSOR_REQ = { sensorNumber: 0x01 };

interface Step {
  name: string;
  datagram: Buffer;
  payloadType: number;
  accept: (payload: Buffer) => 'ok' | 'mismatch';
  attempt: number;
  timer: NodeJS.Timeout;
  resolve: () => void;
  reject: (err: Error) => void;
}

interface Bmc {
  host: string;
  port: number;
  target: LoadTarget;
  /** Set while the handshake waits for an answer. */
  step?: Step;
  keys?: SessionKeys;
  bmcSessionId: number;
  consoleSessionId: number;
  outSeq: number;
  /** Highest inbound session sequence accepted (0: none yet). */
  inSeq: number;
  rqSeq: number;
  /** The command in flight (one per BMC, as the exporter does), or undefined. */
  pending?: AnyCommand;
  pendingRqSeq: number;
  sentAt: number;
  lane: number;
  /** rqSeq of the last command that timed out: its late answer is not a protocol error. */
  timedOutRqSeq: number;
  closing: boolean;
}

const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 16 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024 });
const bound = new Promise<void>((resolve, reject) => {
  socket.once('error', reject);
  socket.bind(0, () => {
    socket.off('error', reject);
    resolve();
  });
});
socket.on('error', (err) => noteError(`socket: ${err.message}`));

const byPeer = new Map<string, Bmc>();
let bmcs: Bmc[] = [];
/** BMCs with an established session, in target order. */
let ready: Bmc[] = [];

// Counters of the current phase.
let completed = 0;
let errors = 0;
let late = 0;
let firstError: string | undefined;
let latenciesMs: number[] = [];
function noteError(text: string): void {
  errors++;
  firstError ??= text;
}

function sendTo(b: Bmc, datagram: Buffer): void {
  socket.send(datagram, b.port, b.host);
}

socket.on('message', (msg, rinfo) => {
  const b = byPeer.get(`${rinfo.address}:${rinfo.port}`);
  if (!b) return; // nothing of ours; not counted (no other peer talks to this socket)
  if (b.step) onHandshakeAnswer(b, b.step, msg);
  else if (b.pending) onAnswer(b, msg);
  else if (b.closing) onCloseAnswer(b, msg);
  else late++; // an answer after its command timed out and the lane moved on, or a duplicate
});

// ---- session setup ----

function onHandshakeAnswer(b: Bmc, s: Step, msg: Buffer): void {
  let verdict: 'ok' | 'mismatch';
  try {
    const rmcp = decodeRmcp(msg);
    if (rmcp.messageClass !== RMCP_CLASS.ipmi) return;
    const h = peekSessionHeader(rmcp.body);
    if (h.format !== 'v2.0' || h.payloadType !== s.payloadType) return;
    verdict = s.accept(decodeV20Packet(rmcp.body).payload);
  } catch (err) {
    // As the library's exchanger: a malformed packet is dropped (the step may still be answered
    // or retransmitted); a refusal (typed error from the handshake) ends this handshake.
    if (err instanceof MalformedPacketError) return;
    clearTimeout(s.timer);
    b.step = undefined;
    s.reject(new Error(`${s.name}: ${(err as Error).message}`));
    return;
  }
  if (verdict !== 'ok') return; // not part of this handshake: keep waiting
  clearTimeout(s.timer);
  b.step = undefined;
  s.resolve();
}

function step(b: Bmc, name: string, datagram: Buffer, payloadType: number, accept: Step['accept']): Promise<void> {
  return new Promise((resolve, reject) => {
    const s: Step = { name, datagram, payloadType, accept, attempt: 1, timer: undefined!, resolve, reject };
    const arm = (ms: number) => {
      s.timer = setTimeout(() => {
        if (s.attempt >= STEP_ATTEMPTS) {
          b.step = undefined;
          reject(new Error(`${name}: no answer after ${s.attempt} attempt(s)`));
          return;
        }
        s.attempt++;
        sendTo(b, datagram); // retransmitted unchanged, as the library does
        arm(ms * 2);
      }, ms);
    };
    b.step = s;
    arm(STEP_TIMEOUT_MS);
    sendTo(b, datagram);
  });
}

async function openSession(b: Bmc, suiteId: number): Promise<void> {
  const consoleSessionId = randomBytes(4).readUInt32LE(0) >>> 0 || 1;
  const hs = new RmcpPlusHandshake({
    suite: cipherSuite(suiteId),
    username: b.target.username,
    password: Buffer.from(b.target.password, 'utf8'),
    privilege: PRIVILEGE.user,
    consoleSessionId,
  });
  await step(b, 'Open Session', hs.openSessionRequest(), PAYLOAD_TYPE.openSessionResponse, (p) => hs.acceptOpenSessionResponse(p));
  await step(b, 'RAKP 1', hs.rakp1(), PAYLOAD_TYPE.rakp2, (p) => hs.acceptRakp2(p));
  await step(b, 'RAKP 3', hs.rakp3(), PAYLOAD_TYPE.rakp4, (p) => hs.acceptRakp4(p));
  b.keys = hs.keys;
  b.bmcSessionId = hs.bmcSessionId;
  b.consoleSessionId = hs.consoleSessionId;
  b.outSeq = 1;
  b.inSeq = 0;
}

async function pool<T>(items: T[], concurrency: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

// ---- commands ----

/** Wraps one request into an integrity-protected, encrypted RMCP+ packet of b's session. */
function request(b: Bmc, command: AnyCommand, req: unknown): Buffer {
  b.rqSeq = (b.rqSeq + 1) & 0x3f;
  const payload = encodeLanRequest({ netFn: command.netFn, cmd: command.cmd, rqSeq: b.rqSeq, rsLun: 0, data: command.encode(req) });
  const sessionSeq = b.outSeq;
  b.outSeq = (b.outSeq + 1) >>> 0 || 1;
  return encodeV20Packet({ payloadType: PAYLOAD_TYPE.ipmi, sessionId: b.bmcSessionId, sessionSeq, payload, keys: b.keys });
}

/**
 * Checks that a datagram is an authentic answer in b's session: RMCP class,
 * RMCP+ header and session id, integrity (HMAC-SHA1-96), AES-CBC-128
 * decryption, a session sequence above the last one accepted, and the LAN
 * message checksums. Throws a typed error for anything else.
 */
function unwrap(b: Bmc, msg: Buffer): LanResponse {
  const rmcp = decodeRmcp(msg);
  if (rmcp.messageClass !== RMCP_CLASS.ipmi) throw new MalformedPacketError(`RMCP class 0x${rmcp.messageClass.toString(16)} is not IPMI`);
  const h = peekSessionHeader(rmcp.body);
  if (h.format !== 'v2.0' || h.payloadType !== PAYLOAD_TYPE.ipmi) throw new MalformedPacketError(`answer is not an RMCP+ IPMI payload (${h.format})`);
  if (h.sessionId !== b.consoleSessionId) throw new MalformedPacketError(`answer names session 0x${h.sessionId.toString(16)}, not ours`);
  // Suite 3: an answer must be both authenticated and encrypted.
  if (!h.authenticated || !h.encrypted) throw new IntegrityError('answer in a suite-3 session is not authenticated and encrypted');
  const pkt = decodeV20Packet(rmcp.body, b.keys); // integrity check, then AES-CBC-128 decryption
  // One command in flight per session: each answer's sequence is above the last one accepted.
  if (pkt.sessionSeq === 0 || (b.inSeq !== 0 && ((pkt.sessionSeq - b.inSeq) | 0) <= 0)) {
    throw new IntegrityError(`stale session sequence ${pkt.sessionSeq} (last ${b.inSeq})`);
  }
  b.inSeq = pkt.sessionSeq;
  return decodeLanResponse(pkt.payload);
}

// Drive state: lane i owns ready[i], ready[i + lanes], ...
let lanes = 0;
let laneNext: number[] = [];
let laneCount: number[] = [];
let laneBusy = 0;
let driveEnd = 0;
let onDriveDone: (() => void) | undefined;

function sendNext(lane: number): void {
  const now = performance.now();
  if (now >= driveEnd) {
    if (--laneBusy === 0) onDriveDone?.();
    return;
  }
  let k = laneNext[lane]!;
  const b = ready[k]!;
  k += lanes;
  laneNext[lane] = k >= ready.length ? lane : k;
  const sensor = laneCount[lane]!++ % 2 === 0;
  const c = sensor ? sensorReading : deviceId;
  const datagram = request(b, c, sensor ? SENSOR_REQ : undefined);
  b.pending = c;
  b.pendingRqSeq = b.rqSeq;
  b.lane = lane;
  b.sentAt = now;
  sendTo(b, datagram);
}

function onAnswer(b: Bmc, msg: Buffer): void {
  const c = b.pending!;
  let rsp: LanResponse;
  try {
    rsp = unwrap(b, msg);
    if (rsp.rqSeq !== b.pendingRqSeq || rsp.netFn !== c.netFn + 1 || rsp.cmd !== c.cmd) {
      if (rsp.rqSeq === b.timedOutRqSeq) {
        late++; // the answer to a command that already timed out
        return;
      }
      throw new MalformedPacketError(
        `answer does not match ${c.name}: rqSeq ${rsp.rqSeq} (want ${b.pendingRqSeq}), netFn 0x${rsp.netFn.toString(16)}, cmd 0x${rsp.cmd.toString(16)}`,
      );
    }
  } catch (err) {
    // Not an authentic answer to the pending command: counted and dropped, never taken
    // as the answer (invariant 2 in docs/architecture.md). The command keeps waiting; the sweep times it out.
    noteError(`${(err as Error).name}: ${(err as Error).message}`);
    return;
  }
  b.pending = undefined;
  try {
    if (rsp.completionCode !== 0) throw new CompletionCodeError(c.name, rsp.completionCode);
    c.decode(rsp.data);
  } catch (err) {
    // The answer to our command, but not a good one: the command ends in an error, as execute() would.
    noteError(`${(err as Error).name}: ${(err as Error).message}`);
    sendNext(b.lane);
    return;
  }
  latenciesMs.push(performance.now() - b.sentAt);
  completed++;
  sendNext(b.lane);
}

/** Times out commands whose answer is overdue, so a lost packet never stalls a lane. */
function sweep(): void {
  const now = performance.now();
  for (const b of ready) {
    if (b.pending && now - b.sentAt >= COMMAND_TIMEOUT_MS) {
      noteError(`${b.pending.name}: no answer within ${COMMAND_TIMEOUT_MS} ms`);
      b.timedOutRqSeq = b.pendingRqSeq;
      b.pending = undefined;
      sendNext(b.lane);
    }
  }
}

// ---- close ----

let closeWaiting = 0;
let onClosed: (() => void) | undefined;
function onCloseAnswer(b: Bmc, msg: Buffer): void {
  try {
    const rmcp = decodeRmcp(msg);
    const h = peekSessionHeader(rmcp.body);
    if (h.format !== 'v2.0' || h.sessionId !== b.consoleSessionId) return;
    decodeV20Packet(rmcp.body, b.keys);
  } catch {
    return;
  }
  b.closing = false;
  if (--closeWaiting === 0) onClosed?.();
}

process.on('message', (m: ToLoad) => {
  void (async () => {
    await bound;
    if (m.type === 'open') {
      const t0 = performance.now();
      bmcs = m.targets.map((t) => ({
        host: t.host,
        port: t.port,
        target: t,
        bmcSessionId: 0,
        consoleSessionId: 0,
        outSeq: 1,
        inSeq: 0,
        rqSeq: 0,
        pendingRqSeq: -1,
        sentAt: 0,
        lane: 0,
        timedOutRqSeq: -1,
        closing: false,
      }));
      for (const b of bmcs) byPeer.set(`${b.host}:${b.port}`, b);
      let ok = 0;
      let failed = 0;
      let openError: string | undefined;
      await pool(bmcs, m.concurrency, async (b) => {
        try {
          await openSession(b, m.cipherSuite);
          ok++;
        } catch (err) {
          failed++;
          openError ??= (err as Error).message;
        }
      });
      ready = bmcs.filter((b) => b.keys !== undefined);
      send({ type: 'opened', ok, failed, firstError: openError, ms: performance.now() - t0 });
    } else if (m.type === 'drive') {
      completed = 0;
      errors = 0;
      late = 0;
      firstError = undefined;
      latenciesMs = [];
      const profiler = new PhaseProfiler('generator');
      profiler.start();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      driveEnd = t0 + m.durationMs;
      lanes = Math.min(m.inflight, ready.length);
      laneNext = Array.from({ length: lanes }, (_, i) => i);
      laneCount = new Array<number>(lanes).fill(0);
      laneBusy = lanes;
      const done = new Promise<void>((resolve) => {
        onDriveDone = resolve;
        if (lanes === 0) resolve();
      });
      const sweeper = setInterval(sweep, SWEEP_MS);
      for (let lane = 0; lane < lanes; lane++) sendNext(lane);
      await done;
      clearInterval(sweeper);
      onDriveDone = undefined;
      const cpu = process.cpuUsage(cpu0);
      const ms = performance.now() - t0;
      await profiler.stop();
      send({ type: 'driven', completed, errors, firstError, ms, latenciesMs, cpuUser: cpu.user / 1e6, cpuSystem: cpu.system / 1e6, late });
    } else if (m.type === 'close') {
      // Close Session in each session (fire, then wait up to 2 s for the answers), as BmcClient.close() does.
      const closing = ready.filter((b) => !b.pending);
      closeWaiting = closing.length;
      const allAnswered = new Promise<void>((resolve) => {
        onClosed = resolve;
        if (closeWaiting === 0) resolve();
      });
      for (const b of closing) {
        b.closing = true;
        sendTo(b, request(b, closeSession as AnyCommand, { sessionId: b.bmcSessionId }));
      }
      await Promise.race([allAnswered, new Promise((r) => setTimeout(r, 2000).unref())]);
      socket.close();
      send({ type: 'closed' });
      process.exit(0);
    }
  })().catch((err: Error) => {
    process.send!({ type: 'error', message: `wire generator: ${err.message}` });
  });
});
