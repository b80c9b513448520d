import { randomBytes } from 'node:crypto';
import {
  CompletionCode,
  activateSession,
  closeSession,
  getChannelAuthCapabilities,
  getChannelCipherSuites,
  getSessionChallenge,
  getSystemGuid,
  isSupportedCipherSuite,
  setSessionPrivilegeLevel,
} from '@bmc-exporter/ipmi';
import {
  AUTH_TYPE,
  PAYLOAD_TYPE,
  RMCP_CLASS,
  decodeAsfPresencePing,
  decodeLanRequest,
  decodeRmcp,
  decodeV15Packet,
  decodeV20Packet,
  encodeAsfPresencePong,
  encodeCipherSuiteRecords,
  encodeLanResponse,
  encodeV15Packet,
  encodeV20Packet,
  isRmcpAck,
  peekSessionHeader,
  verifyV15AuthCode,
  type LanRequest,
} from '@bmc-exporter/ipmi/wire';
import { isCommand, type CommandHandler, type CommandResult } from '../command-handler.js';
import type { ProtocolConfig, ProtocolHooks, SessionCounters } from './config.js';
import type { ProtocolState } from './protocol-state.js';
import { openSession, rakp1, rakp3, type HandshakeReply } from './rmcpplus-login.js';
import {
  NOT_IN_SESSION,
  answerCloseSession,
  answerGetChannelAuthCapabilities,
  answerGetChannelCipherSuites,
  answerGetSessionChallenge,
  answerSetSessionPrivilegeLevel,
} from './session-commands.js';
import { SessionTable, nextOutSeq, type SimSession } from './session-table.js';
import { activateSessionRequest } from './v15-login.js';

export interface Endpoint {
  address: string;
  port: number;
}

export interface BmcProtocolOptions {
  hooks?: ProtocolHooks;
  /** Milliseconds clock for idle expiry (default Date.now). */
  now?: () => number;
  /** Source of session ids, challenges, RAKP randoms and AES IVs (default crypto.randomBytes). */
  random?: (n: number) => Buffer;
}

interface Reply {
  datagram: Buffer;
  sessionId?: number;
  payloadType?: number;
}

const EMPTY = Buffer.alloc(0);
/** Handler exceptions become "unspecified error" (Table 5-2) rather than silence. */
const UNSPECIFIED_ERROR: CommandResult = { completionCode: CompletionCode.unspecified };

/**
 * The BMC side of IPMI over LAN for one simulated BMC: RMCP/ASF ping,
 * IPMI 1.5 sessions, RMCP+ (IPMI v2.0 §13), the session-management commands,
 * and everything else handed to a CommandHandler. Pure with respect to I/O:
 * `handle` takes a request datagram and returns the response datagrams, so a
 * fleet can multiplex many BMCs over few sockets.
 */
export class BmcProtocol {
  private readonly state: ProtocolState;
  private readonly hooks: ProtocolHooks;
  private readonly now: () => number;
  /** Only a caller-supplied random source picks AES IVs; otherwise the library's pooled IVs do (cheaper per packet). */
  private readonly ivFromRandom: boolean;

  constructor(config: ProtocolConfig, handler: CommandHandler, opts: BmcProtocolOptions = {}) {
    this.hooks = opts.hooks ?? {};
    // Read at each call, so a test's fake clock (vi.useFakeTimers) reaches it.
    this.now = opts.now ?? (() => Date.now());
    this.ivFromRandom = opts.random !== undefined;
    this.state = {
      config: { ...config },
      table: new SessionTable(),
      challenges: new Map(),
      handler,
      hooks: this.hooks,
      random: opts.random ?? randomBytes,
      cipherRecords: EMPTY,
    };
    this.state.cipherRecords = encodeCipherSuiteRecords(config.cipherSuites.filter(isSupportedCipherSuite));
  }

  get counters(): SessionCounters {
    return this.state.table.counters;
  }

  get config(): Readonly<ProtocolConfig> {
    return this.state.config;
  }

  /** Sessions in the table, handshakes included (read-only view for tests and status pages). */
  sessions(): Iterable<Readonly<SimSession>> {
    return this.state.table.all();
  }

  /** Drop every session and pending challenge (a BMC restart). */
  reset(): void {
    this.state.table.clear();
    this.state.challenges.clear();
  }

  /** Change config at run time; established sessions keep their keys (as on a real BMC). */
  update(patch: Partial<ProtocolConfig>): void {
    this.state.config = { ...this.state.config, ...patch };
    if (patch.cipherSuites) this.state.cipherRecords = encodeCipherSuiteRecords(patch.cipherSuites.filter(isSupportedCipherSuite));
  }

  handle(datagram: Buffer, from: Endpoint): Buffer[] {
    if (this.hooks.onRequest && !this.hooks.onRequest(datagram)) return [];
    let reply: Reply | undefined;
    try {
      reply = this.dispatch(datagram, from);
    } catch {
      // Malformed input: a BMC says nothing. (Typed codec errors land here; so would our own bugs,
      // which the tests would then see as silence.)
      return [];
    }
    if (!reply) return [];
    if (this.hooks.onResponse) return this.hooks.onResponse(reply.datagram, { sessionId: reply.sessionId, payloadType: reply.payloadType });
    return [reply.datagram];
  }

  private dispatch(datagram: Buffer, from: Endpoint): Reply | undefined {
    const rmcp = decodeRmcp(datagram);
    if (isRmcpAck(rmcp.messageClass)) return undefined;
    if (rmcp.messageClass === RMCP_CLASS.asf) {
      // IPMI v2.0 §13.2.4: answer Presence Ping with a Pong that says "IPMI supported".
      const ping = decodeAsfPresencePing(rmcp.body);
      return { datagram: encodeAsfPresencePong({ messageTag: ping.messageTag, supportsIpmi: true }) };
    }
    if (rmcp.messageClass !== RMCP_CLASS.ipmi) return undefined;
    const now = this.now();
    this.expire(now);
    const header = peekSessionHeader(rmcp.body);
    if (header.format === 'v2.0') return this.state.config.ipmi20 ? this.handleV20(rmcp.body, header.payloadType, header.sessionId, from, now) : undefined;
    return this.handleV15(rmcp.body, from, now);
  }

  private expire(now: number): void {
    const idle = this.state.config.sessionIdleTimeoutMs;
    if (this.state.table.size > 0) this.state.table.expire(now, idle);
    if (this.state.challenges.size > 0) {
      for (const c of this.state.challenges.values()) if (now - c.createdAt >= idle) this.state.challenges.delete(c.temporaryId);
    }
  }

  // ---- IPMI 1.5 framing (§13.6 Table 13-8; also the pre-session framing RMCP+ consoles use) ----

  private handleV15(body: Buffer, from: Endpoint, now: number): Reply | undefined {
    const pkt = decodeV15Packet(body);
    if (pkt.sessionId === 0) {
      const lan = decodeLanRequest(pkt.payload);
      const result = this.sessionless(lan, now);
      if (!result) return undefined;
      return { datagram: encodeV15Packet({ authType: AUTH_TYPE.none, sessionSeq: 0, sessionId: 0, payload: lanResponse(lan, result) }), sessionId: 0 };
    }
    const ch = this.state.challenges.get(pkt.sessionId);
    if (ch) {
      const lan = decodeLanRequest(pkt.payload);
      if (!isCommand(lan, activateSession)) return undefined;
      const a = activateSessionRequest(this.state, pkt, ch, lan.data, from, now);
      if (!a.result) return undefined;
      return {
        datagram: encodeV15Packet({
          authType: a.authType,
          sessionSeq: a.sessionSeq,
          sessionId: pkt.sessionId,
          password: a.password,
          payload: lanResponse(lan, a.result),
        }),
        sessionId: pkt.sessionId,
      };
    }
    const s = this.state.table.get(pkt.sessionId);
    // Unknown, foreign-version or half-open session: silence, as real BMCs do.
    if (!s || s.version !== '1.5' || !s.established || this.state.config.authTypes15 === null) return undefined;
    if (s.authType !== AUTH_TYPE.none && (pkt.authType !== s.authType || !verifyV15AuthCode(pkt, s.password!))) return undefined;
    if (!s.inbound.accept(pkt.sessionSeq)) return undefined;
    s.lastActivity = now;
    const lan = decodeLanRequest(pkt.payload);
    const result = this.inSession(s, lan);
    if (!result) return undefined;
    return {
      datagram: encodeV15Packet({ authType: s.authType!, sessionSeq: nextOutSeq(s), sessionId: s.id, password: s.password, payload: lanResponse(lan, result) }),
      sessionId: s.id,
    };
  }

  // ---- RMCP+ framing (§13.6, §13.28-13.29) ----

  private handleV20(body: Buffer, payloadType: number, sessionId: number, from: Endpoint, now: number): Reply | undefined {
    if (payloadType !== PAYLOAD_TYPE.ipmi) {
      if (sessionId !== 0) return undefined;
      // Handshake messages travel unauthenticated with session id 0 (§13.17-13.23).
      const { payload } = decodeV20Packet(body);
      let r: HandshakeReply | undefined;
      let rspType: number;
      if (payloadType === PAYLOAD_TYPE.openSessionRequest) {
        r = openSession(this.state, payload, from, now);
        rspType = PAYLOAD_TYPE.openSessionResponse;
      } else if (payloadType === PAYLOAD_TYPE.rakp1) {
        r = rakp1(this.state, payload, now);
        rspType = PAYLOAD_TYPE.rakp2;
      } else if (payloadType === PAYLOAD_TYPE.rakp3) {
        r = rakp3(this.state, payload, now);
        rspType = PAYLOAD_TYPE.rakp4;
      } else {
        return undefined;
      }
      if (!r) return undefined;
      return { datagram: encodeV20Packet({ payloadType: rspType, sessionId: 0, sessionSeq: 0, payload: r.payload }), sessionId: 0, payloadType: rspType };
    }
    if (sessionId === 0) {
      const pkt = decodeV20Packet(body); // authenticated sessionless packets throw: dropped
      const lan = decodeLanRequest(pkt.payload);
      const result = this.sessionless(lan, now);
      if (!result) return undefined;
      return {
        datagram: encodeV20Packet({ payloadType: PAYLOAD_TYPE.ipmi, sessionId: 0, sessionSeq: 0, payload: lanResponse(lan, result) }),
        sessionId: 0,
        payloadType: PAYLOAD_TYPE.ipmi,
      };
    }
    const s = this.state.table.get(sessionId);
    if (!s || s.version !== '2.0' || !s.established || !s.keys) return undefined;
    const keys = s.keys;
    const pkt = decodeV20Packet(body, keys); // integrity failure throws: dropped silently
    if (keys.suite.confidentiality !== 'none' && !pkt.encrypted) return undefined;
    if (!s.inbound.accept(pkt.sessionSeq)) return undefined;
    s.lastActivity = now;
    const lan = decodeLanRequest(pkt.payload);
    const result = this.inSession(s, lan);
    if (!result) return undefined;
    const encrypt = keys.suite.confidentiality !== 'none';
    return {
      datagram: encodeV20Packet({
        payloadType: PAYLOAD_TYPE.ipmi,
        sessionId: s.peerId,
        sessionSeq: nextOutSeq(s),
        payload: lanResponse(lan, result),
        keys,
        iv: encrypt && this.ivFromRandom ? this.state.random(16) : undefined,
        aesFullBlockPad: this.state.config.quirks?.aesPad16 === true,
      }),
      sessionId: s.peerId,
      payloadType: PAYLOAD_TYPE.ipmi,
    };
  }

  // ---- commands ----

  /** Table G-1: only these are answered outside a session; anything else gets silence. */
  private sessionless(lan: Required<LanRequest>, now: number): CommandResult | undefined {
    if (isCommand(lan, getChannelAuthCapabilities)) return answerGetChannelAuthCapabilities(this.state, lan.data);
    if (isCommand(lan, getChannelCipherSuites)) return answerGetChannelCipherSuites(this.state, lan.data);
    if (isCommand(lan, getSessionChallenge)) return answerGetSessionChallenge(this.state, lan.data, now);
    // §22.14: Get System GUID may be used before a session exists (privilege 0).
    if (isCommand(lan, getSystemGuid)) return this.toHandler(lan, 0);
    return undefined;
  }

  private inSession(s: SimSession, lan: Required<LanRequest>): CommandResult | undefined {
    if (isCommand(lan, getChannelAuthCapabilities)) return answerGetChannelAuthCapabilities(this.state, lan.data);
    if (isCommand(lan, getChannelCipherSuites)) return answerGetChannelCipherSuites(this.state, lan.data);
    if (isCommand(lan, setSessionPrivilegeLevel)) return answerSetSessionPrivilegeLevel(s, lan.data);
    if (isCommand(lan, closeSession)) {
      const c = answerCloseSession(this.state, s, lan.data);
      // The answer still goes out under this session's keys; the object outlives its table entry.
      if (c.closeOwn) this.state.table.remove(s.id, 'closed');
      return c.result;
    }
    if (isCommand(lan, getSessionChallenge) || isCommand(lan, activateSession)) return NOT_IN_SESSION;
    return this.toHandler(lan, s.privilege, s);
  }

  private toHandler(lan: Required<LanRequest>, privilege: number, s?: SimSession): CommandResult | undefined {
    this.hooks.onCommand?.(lan.netFn, lan.cmd);
    try {
      return this.state.handler(
        { netFn: lan.netFn, cmd: lan.cmd, lun: lan.rsLun, data: lan.data },
        s ? { privilege, sessionId: s.id, ipmiVersion: s.version } : { privilege },
      );
    } catch {
      return UNSPECIFIED_ERROR;
    }
  }
}

/** §13.8: the response swaps requester and responder, NetFn + 1, same rqSeq and command. */
function lanResponse(lan: Required<LanRequest>, result: CommandResult): Buffer {
  return encodeLanResponse({
    rqAddr: lan.rqAddr,
    netFn: lan.netFn + 1,
    rqLun: lan.rqLun,
    rsAddr: lan.rsAddr,
    rqSeq: lan.rqSeq,
    rsLun: lan.rsLun,
    cmd: lan.cmd,
    completionCode: result.completionCode,
    data: result.data ?? EMPTY,
  });
}
