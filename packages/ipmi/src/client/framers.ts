import { type PacketCrypto, writeRandomIv } from '../crypto/rmcpplus-crypto.js';
import { IntegrityError, InvalidArgumentError, MalformedPacketError } from '../errors.js';
import { encodeLanRequest, LAN_ADDRESS, writeLanFrame } from '../message/lan-message.js';
import { RMCP_CLASS, RMCP_HEADER_LENGTH, RMCP_SEQ_NO_ACK, RMCP_VERSION } from '../rmcp/rmcp.js';
import { AUTH_TYPE } from '../session/auth-types.js';
import { peekSessionHeader } from '../session/session-packet.js';
import { decodeV15Packet, encodeV15Packet, verifyV15AuthCode } from '../session/v15-packet.js';
import { encodeV20Packet, PAYLOAD_TYPE, sessionCrypto, type SessionKeys } from '../session/v20-packet.js';
import { DROP, type Drop } from './exchanger.js';
import { SequenceWindow } from './sequence-window.js';

/** Puts a LAN message into a session packet and takes one out of an answer. */
export interface Framer {
  wrap(lanMessage: Buffer): Buffer;
  /**
   * A LAN request (§13.8, requester 0x81 LUN 0 to the BMC 0x20) framed for
   * sending: what wrap(encodeLanRequest(...)) gives, and framers that can
   * write it in one buffer do.
   */
  wrapRequest(netFn: number, cmd: number, rqSeq: number, rsLun: number, data: Buffer): Buffer;
  /**
   * The LAN message of an answer, or why it is dropped. `datagram` is the
   * whole datagram as received, its RMCP header (Table 13-1) already checked
   * by the Exchanger: the session packet starts at RMCP_HEADER_LENGTH.
   */
  unwrap(datagram: Buffer): Buffer | Drop;
}

function lanRequest(netFn: number, cmd: number, rqSeq: number, rsLun: number, data: Buffer): Buffer {
  return encodeLanRequest({ netFn, cmd, rqSeq, rsLun, data });
}

/** The RMCP message class (Table 13-1) is IPMI. */
function ipmiClass(d: Buffer): boolean {
  return d[3] === RMCP_CLASS.ipmi;
}

/** What follows the RMCP header: the session packet (IPMI 1.5 framers decode it with the general decoders). */
function sessionPacket(d: Buffer): Buffer {
  return d.subarray(RMCP_HEADER_LENGTH);
}

/** Pre-session IPMI 1.5 packets: auth type none, session id 0, sequence 0 (§13.6). */
export const sessionlessV15: Framer = {
  wrap: (payload) => encodeV15Packet({ authType: AUTH_TYPE.none, sessionSeq: 0, sessionId: 0, payload }),
  wrapRequest(netFn, cmd, rqSeq, rsLun, data) {
    return this.wrap(lanRequest(netFn, cmd, rqSeq, rsLun, data));
  },
  unwrap(d) {
    if (!ipmiClass(d)) return DROP.noMatch;
    const body = sessionPacket(d);
    const h = peekSessionHeader(body);
    if (h.format !== 'v1.5' || h.sessionId !== 0) return DROP.noMatch;
    return decodeV15Packet(body).payload;
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

  wrapRequest(netFn: number, cmd: number, rqSeq: number, rsLun: number, data: Buffer): Buffer {
    return this.wrap(lanRequest(netFn, cmd, rqSeq, rsLun, data));
  }

  /** Set from Get Channel Authentication Capabilities' per-message-authentication bit. */
  requireAuth = true;

  unwrap(d: Buffer): Buffer | Drop {
    if (!ipmiClass(d)) return DROP.noMatch;
    const body = sessionPacket(d);
    const h = peekSessionHeader(body);
    if (h.format !== 'v1.5' || h.sessionId !== this.sessionId) return DROP.noMatch;
    const pkt = decodeV15Packet(body);
    // A BMC with per-message authentication disabled answers with auth type none;
    // anything that does carry an auth code must carry the right one.
    if (pkt.authType !== AUTH_TYPE.none) {
      if (pkt.authType !== this.authType || !verifyV15AuthCode(pkt, this.password)) return DROP.badIntegrity;
    } else if (this.authType !== AUTH_TYPE.none && this.requireAuth) {
      return DROP.badIntegrity;
    }
    if (!this.window.accept(pkt.sessionSeq)) return DROP.staleSequence;
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

  wrapRequest(netFn: number, cmd: number, rqSeq: number, rsLun: number, data: Buffer): Buffer {
    return this.wrap(lanRequest(netFn, cmd, rqSeq, rsLun, data));
  }

  unwrap(d: Buffer): Buffer | Drop {
    if (!ipmiClass(d)) return DROP.noMatch;
    const body = sessionPacket(d);
    const h = peekSessionHeader(body);
    if (h.format !== 'v1.5') return DROP.noMatch;
    const pkt = decodeV15Packet(body);
    if (pkt.authType !== AUTH_TYPE.none && !verifyV15AuthCode(pkt, this.password)) return DROP.badIntegrity;
    return pkt.payload;
  }
}

/** Table 13-8: auth type, payload type, session id, session seq, payload length. */
const V20_HEADER = 12;
const AES_BLOCK = 16;
/** §13.28.4: the Next Header byte of the integrity trailer. */
const NEXT_HEADER = 0x07;

/**
 * An established RMCP+ session (§13.6, §13.28-13.29): integrity and
 * confidentiality per the cipher suite. Its packet crypto (HMAC pads, AES
 * contexts) is prepared once; a request is written into one buffer (RMCP
 * header, session header, IV, LAN message encrypted in place, trailer) and
 * an answer is checked and decrypted straight from the datagram.
 */
export class V20SessionFramer implements Framer {
  private outSeq = 1;
  private readonly window = new SequenceWindow();
  private readonly crypto: PacketCrypto | undefined;
  private readonly encrypt: boolean;
  private readonly authenticate: boolean;
  private readonly authCodeLength: number;

  constructor(
    private readonly keys: SessionKeys,
    private readonly bmcSessionId: number,
    private readonly consoleSessionId: number,
  ) {
    const suite = keys.suite;
    this.encrypt = suite.confidentiality === 'aes-cbc-128';
    if (suite.confidentiality !== 'none' && !this.encrypt) {
      throw new InvalidArgumentError(`confidentiality ${suite.confidentiality} is not implemented`);
    }
    this.authenticate = suite.integrity !== 'none';
    this.crypto = sessionCrypto(keys);
    this.authCodeLength = this.crypto.authCodeLength;
  }

  /** The managed system's session id: what Close Session names (§22.19). */
  get sessionId(): number {
    return this.bmcSessionId;
  }

  private nextSeq(): number {
    const seq = this.outSeq;
    this.outSeq = (this.outSeq + 1) >>> 0 || 1;
    return seq;
  }

  wrap(payload: Buffer): Buffer {
    return encodeV20Packet({
      payloadType: PAYLOAD_TYPE.ipmi,
      sessionId: this.bmcSessionId,
      sessionSeq: this.nextSeq(),
      payload,
      keys: this.keys,
    });
  }

  /** The same bytes as wrap(encodeLanRequest(...)), written into one buffer. */
  wrapRequest(netFn: number, cmd: number, rqSeq: number, rsLun: number, data: Buffer): Buffer {
    const lanLength = 7 + data.length;
    const aesPad = this.encrypt ? (AES_BLOCK - ((lanLength + 1) % AES_BLOCK)) % AES_BLOCK : 0;
    const bodyLength = this.encrypt ? AES_BLOCK + lanLength + aesPad + 1 : lanLength;
    if (bodyLength > 0xffff) throw new InvalidArgumentError('RMCP+ payload longer than 65535 bytes');
    const covered = V20_HEADER + bodyLength;
    const intPad = this.authenticate ? (4 - ((covered + 2) % 4)) % 4 : 0;
    const total = 4 + covered + (this.authenticate ? intPad + 2 + this.authCodeLength : 0);
    const out = Buffer.allocUnsafe(total);
    out[0] = RMCP_VERSION;
    out[1] = 0;
    out[2] = RMCP_SEQ_NO_ACK;
    out[3] = RMCP_CLASS.ipmi;
    out[4] = AUTH_TYPE.rmcpPlus;
    out[5] = (this.encrypt ? 0x80 : 0) | (this.authenticate ? 0x40 : 0) | PAYLOAD_TYPE.ipmi;
    out.writeUInt32LE(this.bmcSessionId, 6);
    out.writeUInt32LE(this.nextSeq(), 10);
    out.writeUInt16LE(bodyLength, 14);
    let at = 16;
    if (this.encrypt) {
      writeRandomIv(out, at);
      at += AES_BLOCK;
    }
    const lan = at;
    at = writeLanFrame(out, lan, LAN_ADDRESS.bmc, netFn, rsLun, LAN_ADDRESS.remoteConsole, rqSeq, 0, cmd, data);
    if (this.encrypt) {
      // §13.29: pad 01 02 .. n, then n; then AES-CBC in place, the IV just before.
      for (let i = 1; i <= aesPad; i++) out[at++] = i;
      out[at++] = aesPad;
      this.crypto!.cbcEncryptInPlace(out, lan - AES_BLOCK, at);
    }
    if (this.authenticate) {
      for (let i = 0; i < intPad; i++) out[at++] = 0xff;
      out[at++] = intPad;
      out[at++] = NEXT_HEADER;
      // The AuthCode covers AuthType..Next Header.
      this.crypto!.writeAuthCode(out, 4, at, at);
    }
    return out;
  }

  /**
   * The same checks, in the same order, as peekSessionHeader then
   * decodeV20Packet, read from the datagram in place (the session header at
   * offset 4, no view made of it): session id and payload type, integrity
   * (before any length is trusted), the trailer's shape, decryption of the
   * payload's range and its pad, then the sequence window.
   */
  unwrap(d: Buffer): Buffer | Drop {
    if (!ipmiClass(d)) return DROP.noMatch;
    // Offsets below are the session packet's (Table 13-8) plus the RMCP header before it.
    const o = RMCP_HEADER_LENGTH;
    const n = d.length;
    if (n < o + 1) return DROP.malformed;
    if ((d[o]! & 0x0f) !== AUTH_TYPE.rmcpPlus) {
      // An IPMI 1.5 header: not ours, once it parses.
      return n < o + 9 ? DROP.malformed : DROP.noMatch;
    }
    if (n < o + 2) return DROP.malformed;
    const pt = d[o + 1]!;
    const payloadType = pt & 0x3f;
    const idAt = o + (payloadType === 0x02 ? 8 : 2);
    if (n < idAt + 8) return DROP.malformed;
    if (payloadType !== PAYLOAD_TYPE.ipmi || d.readUInt32LE(idAt) !== this.consoleSessionId) return DROP.noMatch;
    const encrypted = (pt & 0x80) !== 0;
    const authenticated = (pt & 0x40) !== 0;
    // A suite with integrity or confidentiality must never be answered in the clear.
    if (this.authenticate && !authenticated) return DROP.badIntegrity;
    if (this.encrypt && !encrypted) return DROP.badIntegrity;
    const payloadAt = o + V20_HEADER;
    if (n < payloadAt) return DROP.malformed;
    if (authenticated && !this.authenticate) return DROP.badIntegrity;
    const length = d.readUInt16LE(o + 10);
    const payloadEnd = payloadAt + length;
    if (authenticated) {
      const nextHeaderAt = n - this.authCodeLength - 1;
      if (nextHeaderAt < payloadAt + 1) return DROP.badIntegrity;
      // Verified before the length is trusted, so any tampering reads as an integrity failure.
      if (!this.crypto!.authCodeMatches(d, o, nextHeaderAt + 1, nextHeaderAt + 1)) return DROP.badIntegrity;
      if (d[nextHeaderAt] !== NEXT_HEADER) return DROP.malformed;
      if (nextHeaderAt - 1 - d[nextHeaderAt - 1]! !== payloadEnd) return DROP.malformed;
    } else if (payloadEnd > n) return DROP.malformed;
    let payload: Buffer;
    if (encrypted) {
      if (!this.encrypt) return DROP.malformed;
      try {
        payload = this.crypto!.decryptRange(d, payloadAt, payloadEnd);
      } catch (err) {
        if (err instanceof MalformedPacketError || err instanceof IntegrityError) return DROP.malformed;
        throw err;
      }
    } else {
      payload = d.subarray(payloadAt, payloadEnd);
    }
    if (!this.window.accept(d.readUInt32LE(o + 6))) return DROP.staleSequence;
    return payload;
  }
}
