import { TimeoutError } from '../errors.js';
import type { ClientHooks, RetryPolicy } from './options.js';

/**
 * The retry rule, stated once for every exchange the Exchanger drives
 * (handshake messages in Exchanger.roundTrip, commands in CommandExchange),
 * and asked by each of them when a send goes unanswered: the first send waits
 * `initialTimeoutMs`; each send left unanswered is followed by another,
 * waiting `backoff` times longer (capped at `maxTimeoutMs`), up to
 * `attempts` sends; then the exchange gives up with TimeoutError. Each
 * retransmit is told to `hooks.retry`. What ends an exchange early (an
 * answer, another error, its caller's signal) is its driver's business: a
 * schedule only answers "how long does the next send wait, or is that it".
 *
 * It holds no state of its own exchange (the driver keeps `sent` and the
 * timeout), so one schedule serves all of a session's commands.
 */
export class RetrySchedule {
  constructor(
    private readonly policy: Pick<RetryPolicy, 'initialTimeoutMs' | 'backoff' | 'maxTimeoutMs'>,
    /** Sends before giving up (at least one). */
    readonly attempts: number,
    private readonly hooks: ClientHooks,
  ) {}

  /** The same rule with at most `n` sends. */
  atMost(n: number): RetrySchedule {
    return n >= this.attempts ? this : new RetrySchedule(this.policy, n, this.hooks);
  }

  /** How long the first send waits for its answer (ms). */
  get firstTimeoutMs(): number {
    return this.policy.initialTimeoutMs;
  }

  /**
   * Send number `sent` of `name`, which waited `timeoutMs`, went
   * unanswered: how long the next send waits (hooks.retry is told of it), or
   * 0 when that was the last send (see giveUp).
   */
  next(name: string, sent: number, timeoutMs: number): number {
    if (sent >= this.attempts) return 0;
    this.hooks.retry?.(name);
    return Math.min(timeoutMs * this.policy.backoff, this.policy.maxTimeoutMs);
  }

  /** The error of `name` given up after `sent` unanswered sends. */
  giveUp(name: string, sent: number, cause?: unknown): TimeoutError {
    return new TimeoutError(`${name}: no answer after ${sent} attempt(s)`, cause === undefined ? undefined : { cause });
  }
}
