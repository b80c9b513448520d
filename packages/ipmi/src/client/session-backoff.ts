import { AuthenticationError, CompletionCodeError, SessionError, UnsupportedCipherSuiteError } from '../errors.js';

/**
 * How long to leave a BMC alone after it refused a session. Each refusal in a
 * row doubles the wait (`factor`), up to `maxMs`; each wait is shortened by a
 * random share of up to `jitter` (0..1), so exporters that were refused
 * together do not all come back in the same second. A session established
 * resets it.
 */
export interface SessionBackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
  jitter: number;
}

export const DEFAULT_SESSION_BACKOFF: SessionBackoffPolicy = {
  // Most scrape intervals are 15-60 s: the first refusal skips a scrape or two.
  initialMs: 15_000,
  maxMs: 5 * 60_000,
  factor: 2,
  jitter: 0.5,
};

/**
 * Whether `err`, from a login, is the BMC refusing a session (as opposed to
 * silence or our own deadline): an Open Session or RAKP status code (no free
 * slot, unknown user, wrong password, refused role or algorithms), or IPMI
 * 1.5 Activate Session's "no session slot" completion codes (0x81-0x83).
 */
export function isSessionRefusal(err: unknown): boolean {
  if (err instanceof SessionError) return err.statusCode !== undefined;
  if (err instanceof AuthenticationError || err instanceof UnsupportedCipherSuiteError) return true;
  return err instanceof CompletionCodeError && err.command === 'Activate Session' && err.completionCode >= 0x81 && err.completionCode <= 0x83;
}

/** One BMC's back-off state, on an injected clock and random source. */
export class SessionBackoff {
  private refusals = 0;
  private until = 0;

  constructor(
    private readonly policy: SessionBackoffPolicy,
    private readonly now: () => number,
    /** A number in [0, 1). */
    private readonly random: () => number,
  ) {}

  /** Refusals in a row since the last session. */
  get consecutiveRefusals(): number {
    return this.refusals;
  }

  /** Milliseconds left before the next attempt may be made; 0 when one may be made now. */
  remainingMs(): number {
    return Math.max(0, this.until - this.now());
  }

  /** The BMC refused: wait longer before the next attempt. Returns the wait chosen (ms). */
  refused(): number {
    const p = this.policy;
    const base = Math.min(p.maxMs, p.initialMs * p.factor ** this.refusals);
    this.refusals++;
    const wait = Math.round(base * (1 - p.jitter * this.random()));
    this.until = this.now() + wait;
    return wait;
  }

  /** A session was established: the next refusal starts from the initial wait again. */
  succeeded(): void {
    this.refusals = 0;
    this.until = 0;
  }
}
