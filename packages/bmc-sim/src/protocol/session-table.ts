import type { CipherSuite } from '@bmc-exporter/ipmi';
import { nextSessionSeq, type RakpExchange, type SequenceWindow, type SessionKeys } from '@bmc-exporter/ipmi/wire';
import type { SessionCounters, SimUser } from './config.js';

/** An RMCP+ session between Open Session and RAKP 4 (§13.15-13.23). */
export interface RmcpPlusHandshakeState {
  suite: CipherSuite;
  messageTag: number;
  /** Privilege byte of our Open Session Response (what the rakpOpenSessionPrivilege quirk hashes). */
  openPrivilege: number;
  /** Retransmitted requests get the same answer, so a lost response costs no extra session. */
  openSessionResponse: Buffer;
  exchange?: RakpExchange;
  /** The RAKP1 that produced `rakp2Response` (a retransmitted RAKP1 is recognised by equality). */
  rakp1?: Buffer;
  rakp2Response?: Buffer;
  rakp4Response?: Buffer;
}

export interface SimSession {
  /** The id the console puts in its packets: for RMCP+ the BMC session id, for 1.5 the only id. */
  id: number;
  version: '1.5' | '2.0';
  /** The id we put in packets to the console (RMCP+: the console session id; 1.5: `id`). */
  peerId: number;
  address: string;
  port: number;
  established: boolean;
  user?: SimUser;
  /** Highest privilege Set Session Privilege Level may reach (negotiated at activation / RAKP1). */
  maxPrivilege: number;
  privilege: number;
  lastActivity: number;
  /** Next session sequence number we send (never 0). */
  outSeq: number;
  /** Inbound session sequence numbers accepted (the library's window with the BMC's rules). */
  inbound: SequenceWindow;
  // RMCP+
  handshake?: RmcpPlusHandshakeState;
  keys?: SessionKeys;
  // IPMI 1.5
  authType?: number;
  password?: Buffer;
}

/** The session sequence number for our next packet, advancing the counter. */
export function nextOutSeq(s: SimSession): number {
  const seq = s.outSeq;
  s.outSeq = nextSessionSeq(s.outSeq);
  return seq;
}

/**
 * The per-BMC session table: ids, the session limit (handshakes in progress
 * hold a slot, as on real BMCs), lazy idle expiry and the counters.
 */
export class SessionTable {
  private readonly sessions = new Map<number, SimSession>();
  readonly counters: SessionCounters = { open: 0, maxOpen: 0, openedTotal: 0, closedTotal: 0, expiredTotal: 0 };

  get size(): number {
    return this.sessions.size;
  }

  get(id: number): SimSession | undefined {
    return this.sessions.get(id);
  }

  /** Every session, handshakes included (for tests and the fleet's status page). */
  all(): IterableIterator<SimSession> {
    return this.sessions.values();
  }

  /** A fresh non-zero id not in use; `draw` supplies random 32-bit values. */
  freshId(draw: () => number): number {
    for (;;) {
      const id = draw() >>> 0;
      if (id !== 0 && !this.sessions.has(id)) return id;
    }
  }

  add(s: SimSession): void {
    this.sessions.set(s.id, s);
    if (s.established) this.established(s);
  }

  /** Marks a session established and counts it. */
  established(s: SimSession): void {
    s.established = true;
    const c = this.counters;
    c.open++;
    c.openedTotal++;
    if (c.open > c.maxOpen) c.maxOpen = c.open;
  }

  remove(id: number, why: 'closed' | 'expired' | 'failed'): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    if (!s.established) return;
    this.counters.open--;
    if (why === 'closed') this.counters.closedTotal++;
    else if (why === 'expired') this.counters.expiredTotal++;
  }

  /** Drop sessions idle for `idleMs` or more. Cheap: the table never holds more than the session limit. */
  expire(now: number, idleMs: number): void {
    for (const s of this.sessions.values()) {
      if (now - s.lastActivity >= idleMs) this.remove(s.id, 'expired');
    }
  }

  clear(): void {
    for (const id of [...this.sessions.keys()]) this.remove(id, 'closed');
  }
}
