import { PRIVILEGE } from '../session/auth-types.js';
import type { UdpTransport } from '../transport/udp-transport.js';
import type { SessionBackoffPolicy } from './session-backoff.js';

/** Why a received packet was not taken as the answer (self-metric label values). */
export type DropReason =
  /** No request waiting, or session id / rqSeq / NetFn / command / message tag not ours. */
  | 'no-match'
  /** Integrity trailer (RMCP+) or auth code (1.5) did not verify. */
  | 'bad-integrity'
  /** Session sequence number outside the accepted window. */
  | 'stale-sequence'
  /** Bytes that do not parse (bad RMCP header, checksum, short packet). */
  | 'malformed';

export const DROP_REASONS: readonly DropReason[] = ['no-match', 'bad-integrity', 'stale-sequence', 'malformed'];

export type Privilege = 'user' | 'operator' | 'administrator';
export type IpmiVersion = '2.0' | '1.5';
export type AuthType15 = 'md5' | 'md2' | 'password' | 'none';

/** How a command or set-up step ended: answered, answered with a non-zero completion code, unanswered, or otherwise failed. */
export type CommandOutcome = 'ok' | 'completion-code' | 'timeout' | 'error';

/** Metric hooks; every one optional. The library never imports a metrics library. */
export interface ClientHooks {
  packetSent?(): void;
  packetReceived?(): void;
  packetDropped?(reason: DropReason): void;
  /** A caller gave up on a request already sent (its deadline or signal fired); the answer is still awaited, then discarded. */
  requestAbandoned?(): void;
  /** A command or handshake step was sent again after no (matching) answer. */
  retry?(what: string): void;
  /**
   * One command finished; seconds includes retries but not queueing.
   * `completionCode` is the BMC's answer code when it answered (0 for 'ok'), absent otherwise.
   */
  commandCompleted?(command: string, seconds: number, outcome: CommandOutcome, completionCode?: number): void;
  /**
   * One exchange of session set-up finished (Get Channel Authentication
   * Capabilities, Get Channel Cipher Suites, Open Session, RAKP 1 and 3, Get
   * Session Challenge, Activate Session, Set Session Privilege Level): its
   * name, seconds with retries, and the completion code when the BMC gave one.
   * Not counted by commandCompleted.
   */
  sessionStep?(step: string, seconds: number, outcome: CommandOutcome, completionCode?: number): void;
  sessionOpened?(info: SessionDescription): void;
  /** The BMC refused a session (no free slot, credentials, algorithms); the client leaves it alone for `backoffMs`. */
  sessionRefused?(err: Error, backoffMs: number): void;
  sessionClosed?(reason: 'closed' | 'expired' | 'error'): void;
}

/** A pino-compatible subset. Nothing passed here ever contains a credential. */
export interface ClientLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

/**
 * The clearTimeout in place when each real timer was made. Tests install
 * fake timers (replacing the global setTimeout and clearTimeout) after
 * warming up on real ones: a timer made before is cleared by its own kind.
 */
const madeWith = new WeakMap<object, (handle: unknown) => void>();

export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    madeWith.set(handle, clearTimeout as (handle: unknown) => void);
    return handle;
  },
  clearTimeout: (h) => (madeWith.get(h as object) ?? (clearTimeout as (handle: unknown) => void))(h),
  now: () => performance.now(),
};

export interface RetryPolicy {
  /** Wait for the first answer this long (ms); each retransmit waits `backoff` times longer. */
  initialTimeoutMs: number;
  backoff: number;
  maxTimeoutMs: number;
  /** Sends per handshake step or sessionless command. */
  attempts: number;
  /** Sends per in-session command before the session is presumed dead and re-established. */
  sessionAttempts: number;
  /**
   * A session idle at least this long whose first send goes unanswered is
   * presumed expired by the BMC (most drop idle sessions after 30-60 s) and
   * replaced at once: no second attempt, no canary.
   */
  idleSuspectMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  initialTimeoutMs: 1000,
  backoff: 2,
  maxTimeoutMs: 4000,
  attempts: 3,
  sessionAttempts: 2,
  idleSuspectMs: 20_000,
};

export interface BmcClientOptions {
  /** IP literal or hostname (resolved once, at first use). */
  host: string;
  port?: number;
  username: string;
  password: string | Buffer;
  /** BMC key (K_G) for two-key logins; the password is used when absent. */
  kg?: Buffer;
  privilege?: Privilege;
  /** 'auto' (default) uses RMCP+ when the BMC offers it, else IPMI 1.5. */
  ipmiVersion?: IpmiVersion | 'auto';
  /** Pinned RMCP+ cipher suites, tried in order. Default: discover, prefer 17 then 3. */
  cipherSuites?: readonly number[];
  /**
   * The RMCP+ suite this BMC's last session used (SessionDescription.cipherSuite,
   * kept by the caller, e.g. across restarts): the first login tries it
   * without discovering the BMC's suites (Get Channel Cipher Suites, one
   * exchange per 16 bytes of its list), and discovers only if the BMC refuses
   * it. Ignored when suites are pinned or it is not in the default preference.
   * Later logins use the suite of the client's own last session the same way.
   */
  cipherSuiteHint?: number;
  /** IPMI 1.5 auth types in order of preference. Default md5, md2, password. */
  authTypes?: readonly AuthType15[];
  /** Shared transport; a private one is made (and closed with the client) when absent. */
  transport?: UdpTransport;
  retry?: Partial<RetryPolicy>;
  /** After a refused session, how long to send nothing to this BMC (default DEFAULT_SESSION_BACKOFF). */
  sessionBackoff?: Partial<SessionBackoffPolicy>;
  hooks?: ClientHooks;
  logger?: ClientLogger;
  timers?: Timers;
  /** Source of randomness for session ids, sequence numbers and RAKP randoms. */
  random?: (n: number) => Buffer;
}

export interface SessionDescription {
  ipmiVersion: IpmiVersion;
  cipherSuite: number | null;
  authType: AuthType15 | null;
  privilege: Privilege;
}

/** The levels a client may ask for, by name (values from PRIVILEGE, Table 6-1). */
export const PRIVILEGE_LEVEL: Record<Privilege, number> = { user: PRIVILEGE.user, operator: PRIVILEGE.operator, administrator: PRIVILEGE.administrator };

/** Default RMCP+ preference: 17 (SHA-256, AES), then 3 (SHA-1, AES: what nearly every BMC offers), then the rest strongest first; never 0 unless pinned. */
export const DEFAULT_CIPHER_PREFERENCE: readonly number[] = [17, 3, 16, 15, 8, 12, 2, 7, 11, 1, 6];
