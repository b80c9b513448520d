import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hmac, rakpHash } from '../crypto/rmcpplus-crypto.js';
import { AuthenticationError, InvalidArgumentError, SessionError, UnsupportedCipherSuiteError } from '../errors.js';
import { PRIVILEGE, USERNAME_MAX, V20_PASSWORD_MAX } from './auth-types.js';
import { cipherSuite, type CipherSuite } from './cipher-suites.js';
import { RAKP4_ICV_LENGTH, deriveSessionKeys, deriveSik, padKey20 } from './key-derivation.js';
import {
  RAKP1_NAME_ONLY_LOOKUP,
  decodeOpenSessionResponse,
  decodeRakp2,
  decodeRakp3Or4,
  encodeOpenSessionRequest,
  encodeRakp1,
  encodeRakp3Or4,
  suiteAlgorithms,
} from './rakp-messages.js';
import { rmcpPlusStatusError } from './rmcpplus-status.js';
import { PAYLOAD_TYPE, encodeV20Packet, type SessionKeys } from './v20-packet.js';

export interface RakpQuirks {
  /**
   * K1/K2 constant length under HMAC-SHA256. Default (undefined or true): 20
   * bytes, as ipmitool, FreeIPMI and the BMCs they work with do. `false`:
   * the digest length (32 bytes), for BMCs that read §13.32 that way.
   */
  shortKConstant?: boolean;
  /** RAKP1 role bit 4 "name-only lookup". Default true, as ipmitool sends (0x10). */
  nameOnlyLookup?: boolean;
  /**
   * Privilege proposed in Open Session. Default: as ipmitool (lanplus.c) does,
   * 0 ("highest level matching the proposed algorithms", §13.17) when asking
   * for ADMINISTRATOR, else our privilege. 'requested' always names ours (as
   * FreeIPMI does); 'highest' always sends 0.
   */
  openSessionPrivilege?: 'highest' | 'requested';
}

type State = 'start' | 'open-sent' | 'opened' | 'rakp1-sent' | 'rakp2-ok' | 'rakp3-sent' | 'done';

/**
 * The RMCP+ session establishment of IPMI v2.0 §13.15-13.31 as a pure state
 * machine: the caller sends each datagram it returns and feeds back each
 * answer's payload. `accept*` answers 'mismatch' for a packet that is not
 * part of this handshake (wrong tag or session id: drop it and keep waiting)
 * and throws a typed error when the BMC refuses.
 */
export class RmcpPlusHandshake {
  private readonly suite: CipherSuite;
  private readonly username: Buffer;
  private readonly kuid: Buffer;
  private readonly kg: Buffer;
  private readonly privilege: number;
  private readonly consoleSid: number;
  private readonly random: (n: number) => Buffer;
  private readonly quirks: RakpQuirks;
  private readonly messageTag: number;
  private readonly consoleRandom: Buffer;
  private state: State = 'start';
  private bmcSid = 0;
  private grantedPrivilege = 0;
  private bmcRandom: Buffer = Buffer.alloc(16);
  private bmcGuid: Buffer = Buffer.alloc(16);
  /** The role byte the BMC actually hashed (see acceptRakp2). */
  private hashedRole = 0;
  private sessionKeys: SessionKeys | undefined;

  constructor(params: {
    suite: CipherSuite;
    username: string;
    password: Buffer;
    kg?: Buffer;
    privilege: number;
    consoleSessionId: number;
    random?: (n: number) => Buffer;
    quirks?: RakpQuirks;
  }) {
    this.suite = cipherSuite(params.suite.id); // rejects xRC4 suites up front
    this.username = Buffer.from(params.username, 'utf8');
    if (this.username.length > USERNAME_MAX) {
      throw new InvalidArgumentError(`user name is ${this.username.length} bytes; RMCP+ allows at most ${USERNAME_MAX}`);
    }
    if (params.password.length > V20_PASSWORD_MAX) {
      throw new InvalidArgumentError(`password is longer than the ${V20_PASSWORD_MAX} bytes RMCP+ allows`);
    }
    if (params.kg && params.kg.length > V20_PASSWORD_MAX) throw new InvalidArgumentError('Kg is longer than 20 bytes');
    if (!Number.isInteger(params.privilege) || params.privilege < 1 || params.privilege > 5) {
      throw new InvalidArgumentError(`privilege level ${params.privilege} is not 1..5`);
    }
    if (!Number.isInteger(params.consoleSessionId) || params.consoleSessionId <= 0 || params.consoleSessionId > 0xffffffff) {
      throw new InvalidArgumentError('console session id must be a non-zero 32-bit number');
    }
    this.kuid = padKey20(params.password);
    this.kg = params.kg && params.kg.some((b) => b !== 0) ? padKey20(params.kg) : this.kuid;
    this.privilege = params.privilege;
    this.consoleSid = params.consoleSessionId;
    this.random = params.random ?? randomBytes;
    this.quirks = params.quirks ?? {};
    this.messageTag = this.random(1)[0]!;
    this.consoleRandom = Buffer.from(this.random(16));
  }

  get consoleSessionId(): number {
    return this.consoleSid;
  }

  get bmcSessionId(): number {
    return this.bmcSid;
  }

  /** The maximum privilege the Open Session Response named (informational; may differ from ours). */
  get openSessionPrivilege(): number {
    return this.grantedPrivilege;
  }

  get keys(): SessionKeys {
    if (this.state !== 'done' || !this.sessionKeys) throw new SessionError('RMCP+ handshake is not complete');
    return this.sessionKeys;
  }

  private expect(state: State, step: string): void {
    if (this.state !== state) throw new SessionError(`RMCP+ handshake: ${step} out of order (state ${this.state})`);
  }

  private datagram(payloadType: number, payload: Buffer): Buffer {
    return encodeV20Packet({ payloadType, sessionId: 0, sessionSeq: 0, payload });
  }

  private get roleByte(): number {
    return this.privilege | (this.quirks.nameOnlyLookup === false ? 0 : RAKP1_NAME_ONLY_LOOKUP);
  }

  private get openSessionPrivilegeSent(): number {
    const mode = this.quirks.openSessionPrivilege;
    if (mode === 'requested') return this.privilege;
    if (mode === 'highest') return 0;
    return this.privilege === PRIVILEGE.administrator ? 0 : this.privilege;
  }

  openSessionRequest(): Buffer {
    if (this.state !== 'start' && this.state !== 'open-sent') this.expect('start', 'Open Session Request');
    this.state = 'open-sent';
    return this.datagram(
      PAYLOAD_TYPE.openSessionRequest,
      encodeOpenSessionRequest({
        messageTag: this.messageTag,
        privilege: this.openSessionPrivilegeSent,
        consoleSessionId: this.consoleSid,
        ...suiteAlgorithms(this.suite),
      }),
    );
  }

  acceptOpenSessionResponse(payload: Buffer): 'ok' | 'mismatch' {
    this.expect('open-sent', 'Open Session Response');
    const m = decodeOpenSessionResponse(payload);
    if (m.messageTag !== this.messageTag) return 'mismatch';
    if (m.status !== 0) {
      if (m.consoleSessionId !== 0 && m.consoleSessionId !== this.consoleSid) return 'mismatch';
      throw rmcpPlusStatusError('Open Session refused', m.status, this.suite.id);
    }
    if (m.consoleSessionId !== this.consoleSid) return 'mismatch';
    const want = suiteAlgorithms(this.suite);
    if (m.authentication !== want.authentication || m.integrity !== want.integrity || m.confidentiality !== want.confidentiality) {
      throw new UnsupportedCipherSuiteError([this.suite.id], undefined, `BMC answered cipher suite ${this.suite.id} with other algorithms`);
    }
    if (!m.bmcSessionId) throw new SessionError('Open Session Response carries BMC session id 0');
    this.bmcSid = m.bmcSessionId;
    // Tolerated: ipmi_sim (and others) name a privilege other than the one requested here;
    // what counts is the RAKP1 role and Set Session Privilege Level later.
    this.grantedPrivilege = m.privilege;
    this.state = 'opened';
    return 'ok';
  }

  rakp1(): Buffer {
    if (this.state !== 'rakp1-sent') this.expect('opened', 'RAKP Message 1');
    this.state = 'rakp1-sent';
    return this.datagram(
      PAYLOAD_TYPE.rakp1,
      encodeRakp1({
        messageTag: this.messageTag,
        bmcSessionId: this.bmcSid,
        consoleRandom: this.consoleRandom,
        role: this.roleByte,
        username: this.username,
      }),
    );
  }

  /** §13.31: HMAC_Kuid(SIDm ‖ SIDc ‖ Rm ‖ Rc ‖ GUIDc ‖ RoleM ‖ ULengthM ‖ UNameM). */
  private rakp2AuthCode(hash: 'sha1' | 'md5' | 'sha256', role: number): Buffer {
    const ids = Buffer.alloc(8);
    ids.writeUInt32LE(this.consoleSid, 0);
    ids.writeUInt32LE(this.bmcSid, 4);
    return hmac(hash, this.kuid, ids, this.consoleRandom, this.bmcRandom, this.bmcGuid, Buffer.from([role, this.username.length]), this.username);
  }

  /**
   * Role bytes to try when checking RAKP2, standard first. Some BMCs hash the
   * Open Session privilege (or drop the lookup bit) instead of the RAKP1 role
   * byte; a match on one of those is just as strong a proof of the password.
   */
  private roleCandidates(): number[] {
    const lookup = this.roleByte & RAKP1_NAME_ONLY_LOOKUP;
    const c = [this.roleByte, this.privilege, this.grantedPrivilege | lookup, this.grantedPrivilege];
    return c.filter((v, i) => c.indexOf(v) === i);
  }

  acceptRakp2(payload: Buffer): 'ok' | 'mismatch' {
    this.expect('rakp1-sent', 'RAKP Message 2');
    const m = decodeRakp2(payload);
    if (m.messageTag !== this.messageTag) return 'mismatch';
    if (m.consoleSessionId !== 0 && m.consoleSessionId !== this.consoleSid) return 'mismatch';
    if (m.status !== 0) throw rmcpPlusStatusError('RAKP Message 2', m.status, this.suite.id);
    if (m.consoleSessionId !== this.consoleSid) return 'mismatch';
    this.bmcRandom = m.bmcRandom!;
    this.bmcGuid = m.bmcGuid!;
    const hash = rakpHash(this.suite.authentication);
    this.hashedRole = this.roleByte;
    if (hash) {
      const got = m.authCode!;
      const match = this.roleCandidates().find((role) => {
        const want = this.rakp2AuthCode(hash, role);
        return got.length === want.length && timingSafeEqual(got, want);
      });
      if (match === undefined) {
        throw new AuthenticationError('wrong-password', 'RAKP Message 2: the BMC proved a different password');
      }
      this.hashedRole = match;
    }
    const sik = deriveSik(this.suite, this.kg, this.consoleRandom, this.bmcRandom, this.hashedRole, this.username);
    this.sessionKeys = deriveSessionKeys(this.suite, sik, {
      constantLength: this.quirks.shortKConstant === false ? 'digest' : 20,
      password: this.kuid,
    });
    this.state = 'rakp2-ok';
    return 'ok';
  }

  rakp3(): Buffer {
    if (this.state !== 'rakp3-sent') this.expect('rakp2-ok', 'RAKP Message 3');
    this.state = 'rakp3-sent';
    const hash = rakpHash(this.suite.authentication);
    const sid = Buffer.alloc(4);
    sid.writeUInt32LE(this.consoleSid);
    // §13.31: HMAC_Kuid(Rc ‖ SIDm ‖ RoleM ‖ ULengthM ‖ UNameM), same role byte the BMC hashed in RAKP2.
    const authCode = hash ? hmac(hash, this.kuid, this.bmcRandom, sid, Buffer.from([this.hashedRole, this.username.length]), this.username) : Buffer.alloc(0);
    return this.datagram(PAYLOAD_TYPE.rakp3, encodeRakp3Or4({ messageTag: this.messageTag, status: 0, sessionId: this.bmcSid, authCode }));
  }

  acceptRakp4(payload: Buffer): 'ok' | 'mismatch' {
    this.expect('rakp3-sent', 'RAKP Message 4');
    const m = decodeRakp3Or4(payload);
    if (m.messageTag !== this.messageTag) return 'mismatch';
    if (m.sessionId !== 0 && m.sessionId !== this.consoleSid) return 'mismatch';
    if (m.status !== 0) throw rmcpPlusStatusError('RAKP Message 4', m.status, this.suite.id);
    if (m.sessionId !== this.consoleSid) return 'mismatch';
    const hash = rakpHash(this.suite.authentication);
    if (hash) {
      const sid = Buffer.alloc(4);
      sid.writeUInt32LE(this.bmcSid);
      // §13.31: ICV = HMAC_SIK(Rm ‖ SIDc ‖ GUIDc), truncated per algorithm.
      const want = hmac(hash, this.sessionKeys!.sik, this.consoleRandom, sid, this.bmcGuid).subarray(0, RAKP4_ICV_LENGTH[this.suite.authentication]);
      if (m.authCode.length < want.length || !timingSafeEqual(m.authCode.subarray(0, want.length), want)) {
        throw new SessionError('RAKP4 integrity check failed');
      }
    }
    this.state = 'done';
    return 'ok';
  }
}
