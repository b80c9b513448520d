import type { AuthType15 } from '@bmc-exporter/ipmi';

/** One account on the simulated BMC (IPMI v2.0 §22.26-22.30 user model, reduced to what login needs). */
export interface SimUser {
  name: string;
  password: string;
  /** Highest privilege this user may take (Table 6-1): 2 user, 3 operator, 4 administrator. */
  maxPrivilege: number;
  /** Default true; a disabled user is refused like an unknown one. */
  enabled?: boolean;
}

/** The IPMI 1.5 auth types by the names the client's options use. */
export type AuthType15Name = AuthType15;

export interface ProtocolQuirks {
  /** AES-CBC trailer with a full 16-byte pad block where the spec wants none. */
  aesPad16?: boolean;
  /** RAKP2 HMAC and SIK over the Open Session privilege byte instead of RAKP1's role byte. */
  rakpOpenSessionPrivilege?: boolean;
}

export interface ProtocolConfig {
  /** 16 bytes, sent in RAKP2 and hashed into its HMAC (§13.21). */
  guid: Buffer;
  users: SimUser[];
  /** RMCP+ cipher suites offered (Get Channel Cipher Suites, Open Session). */
  cipherSuites: number[];
  /** IPMI 1.5 auth types allowed; null disables IPMI 1.5 sessions (a suite-17-only BMC). */
  authTypes15: AuthType15Name[] | null;
  /** false: a legacy IPMI 1.5-only BMC (no RMCP+, and Get Channel Auth Caps says so). */
  ipmi20: boolean;
  /** Sessions at once (handshakes in progress included); one more is refused as "insufficient resources". */
  sessionLimit: number;
  /** A session (or half-open handshake) unused this long is dropped. */
  sessionIdleTimeoutMs: number;
  quirks?: ProtocolQuirks;
}

export interface SessionCounters {
  /** Established sessions now. */
  open: number;
  /** Most established sessions at once. */
  maxOpen: number;
  /** Sessions that completed activation / RAKP 4. */
  openedTotal: number;
  /** Sessions ended by Close Session or reset(). */
  closedTotal: number;
  /** Established sessions dropped after the idle timeout. */
  expiredTotal: number;
}

export interface ProtocolHooks {
  /** Every request datagram, before processing; return false to drop it silently (fault layer: loss, no answer). */
  onRequest?(datagram: Buffer): boolean;
  /** Every response datagram about to be sent; return the datagrams to actually send (may be []). */
  onResponse?(datagram: Buffer, info: { sessionId?: number; payloadType?: number }): Buffer[];
  /** A command reached the model (per-BMC counters by NetFn/command). */
  onCommand?(netFn: number, cmd: number): void;
}

/** Defaults as common BMC firmware ships them: 4 sessions, 60 s idle. */
export const DEFAULT_PROTOCOL_CONFIG = {
  cipherSuites: [0, 1, 2, 3, 6, 7, 8, 11, 12, 15, 16, 17],
  authTypes15: ['none', 'md2', 'md5', 'password'],
  ipmi20: true,
  sessionLimit: 4,
  sessionIdleTimeoutMs: 60_000,
} as const satisfies Partial<ProtocolConfig>;

/** Fill the defaults in; `guid` and `users` are per BMC and have none. */
export function protocolConfig(c: Pick<ProtocolConfig, 'guid' | 'users'> & Partial<ProtocolConfig>): ProtocolConfig {
  return {
    cipherSuites: [...DEFAULT_PROTOCOL_CONFIG.cipherSuites],
    authTypes15: [...DEFAULT_PROTOCOL_CONFIG.authTypes15],
    ipmi20: DEFAULT_PROTOCOL_CONFIG.ipmi20,
    sessionLimit: DEFAULT_PROTOCOL_CONFIG.sessionLimit,
    sessionIdleTimeoutMs: DEFAULT_PROTOCOL_CONFIG.sessionIdleTimeoutMs,
    ...c,
  };
}
