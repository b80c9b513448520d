import { IntegrityError, MalformedPacketError } from '../errors.js';
import { RMCP_CLASS } from '../rmcp/rmcp.js';
import { AUTH_TYPE } from '../session/auth-types.js';
import { peekSessionHeader } from '../session/session-packet.js';
import { decodeV15Packet, encodeV15Packet, verifyV15AuthCode } from '../session/v15-packet.js';
import { decodeV20Packet, encodeV20Packet, PAYLOAD_TYPE, type SessionKeys } from '../session/v20-packet.js';
import { Drop, type RmcpDatagram } from './exchanger.js';
import { SequenceWindow } from './sequence-window.js';

/** Puts a LAN message into a session packet and takes one out of an answer. */
export interface Framer {
  wrap(lanMessage: Buffer): Buffer;
  unwrap(d: RmcpDatagram): Buffer | Drop;
}

function ipmiClass(d: RmcpDatagram): boolean {
  return d.messageClass === RMCP_CLASS.ipmi;
}

/** Pre-session IPMI 1.5 packets: auth type none, session id 0, sequence 0 (§13.6). */
export const sessionlessV15: Framer = {
  wrap: (payload) => encodeV15Packet({ authType: AUTH_TYPE.none, sessionSeq: 0, sessionId: 0, payload }),
  unwrap(d) {
    if (!ipmiClass(d)) return new Drop('no-match');
    const h = peekSessionHeader(d.body);
    if (h.format !== 'v1.5' || h.sessionId !== 0) return new Drop('no-match');
    return decodeV15Packet(d.body).payload;
  },
};

/** An activated IPMI 1.5 session: every packet carries the session id, a sequence number and an auth code. */
export class V15SessionFramer implements Framer {
  private outSeq: number;
  private readonly window = new SequenceWindow();

  constructor(
    private readonly authType: number,
    /** The BMC-assigned session id (Activate Session response). */
    readonly sessionId: number,
    private readonly password: Buffer,
    initialOutboundSeq: number,
  ) {
    this.outSeq = initialOutboundSeq >>> 0 || 1;
  }

  wrap(payload: Buffer): Buffer {
    const seq = this.outSeq;
    this.outSeq = (this.outSeq + 1) >>> 0 || 1;
    return encodeV15Packet({
      authType: this.authType,
      sessionSeq: seq,
      sessionId: this.sessionId,
      password: this.password,
      payload,
    });
  }

  /** Set from Get Channel Authentication Capabilities' per-message-authentication bit. */
  requireAuth = true;

  unwrap(d: RmcpDatagram): Buffer | Drop {
    if (!ipmiClass(d)) return new Drop('no-match');
    const h = peekSessionHeader(d.body);
    if (h.format !== 'v1.5' || h.sessionId !== this.sessionId) return new Drop('no-match');
    const pkt = decodeV15Packet(d.body);
    // A BMC with per-message authentication disabled answers with auth type none;
    // anything that does carry an auth code must carry the right one.
    if (pkt.authType !== AUTH_TYPE.none) {
      if (pkt.authType !== this.authType || !verifyV15AuthCode(pkt, this.password)) return new Drop('bad-integrity');
    } else if (this.authType !== AUTH_TYPE.none && this.requireAuth) {
      return new Drop('bad-integrity');
    }
    if (!this.window.accept(pkt.sessionSeq)) return new Drop('stale-sequence');
    return pkt.payload;
  }
}

/**
 * The Activate Session exchange (§22.17): sent under the temporary session id
 * with sequence 0 and an auth code; the answer's auth code, when present, is
 * checked with the same password.
 */
export class V15ActivateFramer implements Framer {
  constructor(
    private readonly authType: number,
    private readonly temporarySessionId: number,
    private readonly password: Buffer,
  ) {}

  wrap(payload: Buffer): Buffer {
    return encodeV15Packet({
      authType: this.authType,
      sessionSeq: 0,
      sessionId: this.temporarySessionId,
      password: this.password,
      payload,
    });
  }

  unwrap(d: RmcpDatagram): Buffer | Drop {
    if (!ipmiClass(d)) return new Drop('no-match');
    const h = peekSessionHeader(d.body);
    if (h.format !== 'v1.5') return new Drop('no-match');
    const pkt = decodeV15Packet(d.body);
    if (pkt.authType !== AUTH_TYPE.none && !verifyV15AuthCode(pkt, this.password)) return new Drop('bad-integrity');
    return pkt.payload;
  }
}

/** An established RMCP+ session (§13.6, §13.28-13.29): integrity and confidentiality per the cipher suite. */
export class V20SessionFramer implements Framer {
  private outSeq = 1;
  private readonly window = new SequenceWindow();

  constructor(
    private readonly keys: SessionKeys,
    private readonly bmcSessionId: number,
    private readonly consoleSessionId: number,
  ) {}

  /** The managed system's session id: what Close Session names (§22.19). */
  get sessionId(): number {
    return this.bmcSessionId;
  }

  wrap(payload: Buffer): Buffer {
    const seq = this.outSeq;
    this.outSeq = (this.outSeq + 1) >>> 0 || 1;
    return encodeV20Packet({
      payloadType: PAYLOAD_TYPE.ipmi,
      sessionId: this.bmcSessionId,
      sessionSeq: seq,
      payload,
      keys: this.keys,
    });
  }

  unwrap(d: RmcpDatagram): Buffer | Drop {
    if (!ipmiClass(d)) return new Drop('no-match');
    const h = peekSessionHeader(d.body);
    if (h.format !== 'v2.0' || h.sessionId !== this.consoleSessionId || h.payloadType !== PAYLOAD_TYPE.ipmi) {
      return new Drop('no-match');
    }
    // A suite with integrity or confidentiality must never be answered in the clear.
    if (this.keys.suite.integrity !== 'none' && !h.authenticated) return new Drop('bad-integrity');
    if (this.keys.suite.confidentiality !== 'none' && !h.encrypted) return new Drop('bad-integrity');
    let pkt;
    try {
      pkt = decodeV20Packet(d.body, this.keys);
    } catch (err) {
      if (err instanceof IntegrityError) return new Drop('bad-integrity');
      if (err instanceof MalformedPacketError) return new Drop('malformed');
      throw err;
    }
    if (!this.window.accept(pkt.sessionSeq)) return new Drop('stale-sequence');
    return pkt.payload;
  }
}
