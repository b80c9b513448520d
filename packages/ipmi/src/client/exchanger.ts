import { AbortedError, ClientClosedError, IpmiError, MalformedPacketError, TimeoutError } from '../errors.js';
import { RMCP_HEADER_LENGTH, RMCP_VERSION } from '../rmcp/rmcp.js';
import type { PeerChannel } from '../transport/udp-transport.js';
import type { ClientHooks, DropReason, Timers } from './options.js';

/** The signal of a call made without one: it never fires, so nothing looks at it. */
export const NEVER_ABORTS: AbortSignal = new AbortController().signal;

/** Returned by an acceptor to say "not my answer": the packet is counted and dropped. */
export class Drop {
  constructor(readonly reason: DropReason) {}
}

/** One Drop per reason, shared: a Drop carries nothing else. */
export const DROP = {
  noMatch: new Drop('no-match'),
  badIntegrity: new Drop('bad-integrity'),
  staleSequence: new Drop('stale-sequence'),
  malformed: new Drop('malformed'),
} as const;

export interface RmcpDatagram {
  messageClass: number;
  body: Buffer;
}

/** Looks at one received datagram: the awaited answer, a Drop, or throws to fail the exchange. */
export type Acceptor<T> = (d: RmcpDatagram) => T | Drop;

/** One exchange in flight: what settles it, and how. */
class Waiter {
  resolve: (v: unknown) => void = noop;
  reject: (e: unknown) => void = noop;

  constructor(
    readonly accept: Acceptor<unknown>,
    /** The caller's signal: fired by the exchange's end, the outcome is the abort. */
    readonly signal: AbortSignal | undefined,
    readonly timeoutMs: number,
    /** When it times out, in timers.now() milliseconds. */
    readonly deadline: number,
    /** Which exchange of this exchanger it is (1, 2, ...). */
    readonly id: number,
  ) {}
}

function noop(): void {}

/**
 * Sends one datagram at a time and waits for the one answer that the
 * acceptor recognises. Anything else arriving meanwhile (late answers to
 * earlier attempts, duplicates, spoofed or corrupted packets) is dropped and
 * counted; it is never taken as "the next packet" (invariant 2 in
 * docs/architecture.md). It keeps no queue: its caller (BmcClient's
 * AbortableQueue) starts the next exchange only when this one is over.
 */
export class Exchanger {
  private waiter: Waiter | undefined;
  private closed = false;
  /**
   * One timer serves every exchange: armed for an exchange's deadline and
   * left running when that exchange ends early. On firing, it times out the
   * exchange it was armed for if that one is still in flight; a later
   * exchange in flight gets the timer re-armed for what is left of its own
   * timeout. A command answered in a millisecond costs no timer operation,
   * and an exchange never times out before its own timer has run (even on a
   * clock that timers.now() reads apart from timers.setTimeout).
   */
  private timer: unknown = undefined;
  /** When the armed timer fires (timers.now() ms); Infinity when none is. */
  private timerAt = Infinity;
  /** The exchange the armed timer is for (its id). */
  private timerFor = 0;
  private exchanges = 0;

  constructor(
    private readonly channel: PeerChannel,
    private readonly timers: Timers,
    private readonly hooks: ClientHooks,
  ) {}

  /** Transport callback. */
  onDatagram(datagram: Buffer): void {
    this.hooks.packetReceived?.();
    // The RMCP header (Table 13-1), as decodeRmcp reads it.
    if (datagram.length < RMCP_HEADER_LENGTH || datagram[0] !== RMCP_VERSION) {
      this.hooks.packetDropped?.('malformed');
      return;
    }
    const d: RmcpDatagram = { messageClass: datagram[3]!, body: datagram.subarray(RMCP_HEADER_LENGTH) };
    const w = this.waiter;
    if (!w) {
      this.hooks.packetDropped?.('no-match');
      return;
    }
    let result: unknown;
    try {
      result = w.accept(d);
    } catch (err) {
      if (err instanceof MalformedPacketError) {
        this.hooks.packetDropped?.('malformed');
        return;
      }
      this.settle(w, err, true);
      return;
    }
    if (result instanceof Drop) {
      this.hooks.packetDropped?.(result.reason);
      return;
    }
    this.settle(w, result, false);
  }

  /**
   * Send `datagram` and wait up to `timeoutMs` for an answer the acceptor
   * takes. `signal` is looked at twice, never listened to: a signal already
   * fired sends nothing; one that fired during the exchange turns its
   * outcome into the abort, once the answer is in or the time is up. The
   * exchange itself always runs to its end, so the BMC never has two
   * requests from us at once even when callers give up early (invariant 1 in
   * docs/architecture.md);
   * the caller was already answered by the queue above.
   */
  roundTrip<T>(datagram: Buffer, accept: Acceptor<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
    if (this.closed) return Promise.reject(new ClientClosedError('client is closed'));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.waiter) return Promise.reject(new IpmiError('internal: two exchanges in flight on one client'));
    const now = this.timers.now();
    const waiter = new Waiter(accept as Acceptor<unknown>, signal === NEVER_ABORTS ? undefined : signal, timeoutMs, now + timeoutMs, ++this.exchanges);
    const answer = new Promise<T>((resolve, reject) => {
      waiter.resolve = resolve as (v: unknown) => void;
      waiter.reject = reject;
    });
    this.waiter = waiter;
    if (this.timerAt > waiter.deadline) this.arm(waiter, timeoutMs);
    this.hooks.packetSent?.();
    // A failed send ends this exchange only: its report may come after a timeout and a retransmit.
    this.channel.send(datagram, (err) => this.settle(waiter, err, true));
    return answer;
  }

  /** Arm the timer to fire in `ms` for `w`. */
  private arm(w: Waiter, ms: number): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timerAt = w.deadline;
    this.timerFor = w.id;
    this.timer = this.timers.setTimeout(this.onTimer, ms);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const w = this.waiter;
    if (!w) return;
    if (w.id === this.timerFor) this.settle(w, new TimeoutError(`no answer within ${w.timeoutMs} ms`), true);
    else this.arm(w, Math.max(0, w.deadline - this.timers.now()));
  };

  /** End the exchange of `w` (once): its answer, or its error; an abandoned one ends in its abort. */
  private settle(w: Waiter, value: unknown, failed: boolean): void {
    if (this.waiter !== w) return;
    this.waiter = undefined;
    if (w.signal?.aborted) {
      this.hooks.requestAbandoned?.();
      w.reject(abortError(w.signal));
    } else if (failed) w.reject(value);
    else w.resolve(value);
  }

  close(): void {
    this.closed = true;
    const w = this.waiter;
    this.disarm();
    if (w) {
      this.waiter = undefined;
      w.reject(new ClientClosedError('client closed'));
    }
    this.channel.close();
  }
}

/** A deadline expressed as AbortSignal.timeout() becomes our TimeoutError; any other abort, AbortedError. */
export function abortError(signal: AbortSignal): IpmiError {
  const reason: unknown = signal.reason;
  if (reason instanceof IpmiError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new TimeoutError('deadline exceeded', { cause: reason });
  }
  return new AbortedError('aborted', { cause: reason });
}
