import { NETFN, getSdr } from '@bmc-exporter/ipmi';
import { AUTH_TYPE, RMCP_CLASS, RMCP_HEADER_LENGTH } from '@bmc-exporter/ipmi/wire';
import { isCommand } from '../command-handler.js';
import type { ProtocolHooks } from '../protocol/index.js';
import { NO_FAULTS, type FaultConfig } from './fault-config.js';
import { SeededRandom } from './prng.js';

/** Packets the fault layer threw away, by fault. */
export interface FaultDropCounters {
  loss: number;
  noAnswer: number;
}

/** Answers the fault layer changed or held, by fault. */
export interface FaultAlterCounters {
  delay: number;
  duplicate: number;
  reorder: number;
  corrupt: number;
  truncate: number;
  wrongSessionId: number;
  badIntegrity: number;
  slowSdr: number;
  slowSel: number;
}

export interface FaultCounters {
  dropped: FaultDropCounters;
  altered: FaultAlterCounters;
}

export interface FaultTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Calls the globals at call time, so test fake timers apply. */
const GLOBAL_TIMERS: FaultTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface FaultInjectorOptions {
  seed?: number;
  timers?: FaultTimers;
}

export type SendFn = (datagram: Buffer) => void;

/** Storage commands 0x40-0x4F are the SEL's (§31, Appendix G). */
const CMD_SEL_FIRST = 0x40;
const CMD_SEL_LAST = 0x4f;

interface Layout {
  /** Offset of the 4-byte session id (little endian), if the datagram has one. */
  sessionIdAt?: number;
  /** Where the IPMI message (or ASF body) starts. */
  messageAt: number;
  /** Offset of a byte inside the auth code / integrity trailer, if authenticated. */
  integrityByteAt?: number;
}

/**
 * Where things are in an answer datagram, per IPMI v2.0 §13.6 Table 13-8:
 *   RMCP (4) | v1.5: auth type (1) seq (4) id (4) [auth code (16)] length (1) msg
 *            | v2.0: 0x06 (1) payload type (1) id (4) seq (4) length (2) payload [pad, pad len, next hdr, auth code]
 * The fault layer only mangles bytes it knows the place of; it never parses payloads.
 */
function layout(d: Buffer): Layout {
  if (d.length < RMCP_HEADER_LENGTH + 1 || (d[3]! & 0x1f) !== RMCP_CLASS.ipmi) return { messageAt: Math.min(RMCP_HEADER_LENGTH, d.length) };
  const authType = d[RMCP_HEADER_LENGTH]! & 0x0f;
  if (authType === AUTH_TYPE.rmcpPlus) {
    const authenticated = d.length > 5 && (d[5]! & 0x40) !== 0;
    return { sessionIdAt: 6, messageAt: 16, integrityByteAt: authenticated ? d.length - 1 : undefined };
  }
  const authenticated = authType !== 0;
  return { sessionIdAt: 9, messageAt: authenticated ? 30 : 14, integrityByteAt: authenticated ? 13 : undefined };
}

/**
 * Per-BMC packet faults around the synchronous protocol engine. As
 * ProtocolHooks it drops requests (loss, no answer) and mangles answers
 * (duplicate, corrupt, truncate, wrong session id, bad integrity); `transmit`
 * is the asynchronous half the socket layer calls with what `handle`
 * returned: it adds delay, jitter, slow-SDR time and reordering.
 * Every random choice comes from one seeded PRNG.
 */
export class FaultInjector implements ProtocolHooks {
  readonly counters: FaultCounters = {
    dropped: { loss: 0, noAnswer: 0 },
    altered: { delay: 0, duplicate: 0, reorder: 0, corrupt: 0, truncate: 0, wrongSessionId: 0, badIntegrity: 0, slowSdr: 0, slowSel: 0 },
  };
  private cfg: FaultConfig = { ...NO_FAULTS };
  /**
   * Whether onResponse can change anything. With every percentage at 0 no
   * random number is drawn either (SeededRandom.chance(0) draws none), so
   * skipping the work keeps the fault sequence of a later config the same.
   */
  private altersAnswers = false;
  private readonly rng: SeededRandom;
  private readonly timers: FaultTimers;
  private sdrAnswerPending = false;
  private selAnswerPending = false;
  private held: { datagram: Buffer; send: SendFn; timer: unknown } | undefined;
  private readonly pendingTimers = new Set<unknown>();

  constructor(config: Partial<FaultConfig> = {}, opts: FaultInjectorOptions = {}) {
    this.rng = new SeededRandom(opts.seed ?? 1);
    this.timers = opts.timers ?? GLOBAL_TIMERS;
    this.update(config);
  }

  get config(): Readonly<FaultConfig> {
    return this.cfg;
  }

  update(patch: Partial<FaultConfig>): void {
    this.cfg = { ...this.cfg, ...patch };
    const c = this.cfg;
    this.altersAnswers = c.wrongSessionIdPercent > 0 || c.badIntegrityPercent > 0 || c.corruptPercent > 0 || c.truncatePercent > 0 || c.duplicatePercent > 0;
    if (!this.cfg.reorder) this.flushHeld();
  }

  // ---- ProtocolHooks (synchronous, inside BmcProtocol.handle) ----

  readonly onRequest = (_datagram: Buffer): boolean => {
    this.sdrAnswerPending = false;
    this.selAnswerPending = false;
    if (this.cfg.noAnswer) {
      this.counters.dropped.noAnswer++;
      return false;
    }
    if (this.rng.chance(this.cfg.lossPercent)) {
      this.counters.dropped.loss++;
      return false;
    }
    return true;
  };

  readonly onCommand = (netFn: number, cmd: number): void => {
    if (isCommand({ netFn, cmd }, getSdr)) this.sdrAnswerPending = true;
    if (netFn === NETFN.storage && cmd >= CMD_SEL_FIRST && cmd <= CMD_SEL_LAST) this.selAnswerPending = true;
  };

  readonly onResponse = (datagram: Buffer, info: { sessionId?: number; payloadType?: number }): Buffer[] => {
    if (!this.altersAnswers) return [datagram];
    const c = this.cfg;
    const a = this.counters.altered;
    let d = datagram;
    const at = layout(d);
    const inSession = info.sessionId !== undefined && info.sessionId !== 0;
    if (inSession && at.sessionIdAt !== undefined && this.rng.chance(c.wrongSessionIdPercent)) {
      d = Buffer.from(d);
      d.writeUInt32LE((d.readUInt32LE(at.sessionIdAt) ^ 0x5a5a5a5a) >>> 0, at.sessionIdAt);
      a.wrongSessionId++;
    }
    if (at.integrityByteAt !== undefined && at.integrityByteAt < d.length && this.rng.chance(c.badIntegrityPercent)) {
      d = flip(d, at.integrityByteAt);
      a.badIntegrity++;
    }
    if (d.length > at.messageAt && this.rng.chance(c.corruptPercent)) {
      d = flip(d, at.messageAt + this.rng.int(d.length - at.messageAt));
      a.corrupt++;
    }
    if (d.length > 1 && this.rng.chance(c.truncatePercent)) {
      // Keep at least the RMCP header so the loss shows as a short packet, not an empty one.
      const keep = Math.min(d.length - 1, RMCP_HEADER_LENGTH + this.rng.int(Math.max(1, d.length - RMCP_HEADER_LENGTH)));
      d = Buffer.from(d.subarray(0, keep));
      a.truncate++;
    }
    if (this.rng.chance(c.duplicatePercent)) {
      a.duplicate++;
      return [d, d];
    }
    return [d];
  };

  // ---- asynchronous half (the socket layer) ----

  /** Send what BmcProtocol.handle returned, applying delay, jitter, slow SDR and reordering. */
  transmit(datagrams: Buffer[], send: SendFn): void {
    const c = this.cfg;
    let delay = c.delayMs + (c.jitterMs > 0 ? this.rng.next() * c.jitterMs : 0);
    if (delay > 0) this.counters.altered.delay += datagrams.length;
    if (this.sdrAnswerPending && c.slowSdrMs > 0) {
      delay += c.slowSdrMs;
      this.counters.altered.slowSdr++;
    }
    if (this.selAnswerPending && c.slowSelMs > 0) {
      delay += c.slowSelMs;
      this.counters.altered.slowSel++;
    }
    this.sdrAnswerPending = false;
    this.selAnswerPending = false;
    if (datagrams.length === 0) return;
    if (delay <= 0 && !c.reorder) {
      for (const d of datagrams) send(d);
      return;
    }
    const out = () => (c.reorder ? this.sendReordered(datagrams, send) : datagrams.forEach((d) => send(d)));
    if (delay <= 0) return out();
    const t = this.timers.setTimeout(() => {
      this.pendingTimers.delete(t);
      out();
    }, delay);
    this.pendingTimers.add(t);
  }

  /** Cancel delayed and held answers (the BMC is going away). */
  dispose(): void {
    for (const t of this.pendingTimers) this.timers.clearTimeout(t);
    this.pendingTimers.clear();
    if (this.held) this.timers.clearTimeout(this.held.timer);
    this.held = undefined;
  }

  /** Pairs of answers leave swapped: the first is held until the second has gone (or reorderHoldMs passes). */
  private sendReordered(datagrams: Buffer[], send: SendFn): void {
    for (const d of datagrams) {
      const prev = this.held;
      if (!prev) {
        const timer = this.timers.setTimeout(() => this.flushHeld(), this.cfg.reorderHoldMs);
        this.held = { datagram: d, send, timer };
        continue;
      }
      this.held = undefined;
      this.timers.clearTimeout(prev.timer);
      this.counters.altered.reorder++;
      send(d);
      prev.send(prev.datagram);
    }
  }

  private flushHeld(): void {
    const h = this.held;
    if (!h) return;
    this.held = undefined;
    this.timers.clearTimeout(h.timer);
    h.send(h.datagram);
  }
}

function flip(d: Buffer, index: number): Buffer {
  const copy = Buffer.from(d);
  copy[index] = copy[index]! ^ 0xff;
  return copy;
}
