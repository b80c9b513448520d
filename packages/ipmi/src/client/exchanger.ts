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

/**
 * Looks at one received datagram, whole, its RMCP header (Table 13-1)
 * checked: the awaited answer, a Drop, or throws to fail the exchange.
 */
export type Acceptor<T> = (datagram: Buffer) => T | Drop;

/** One exchange in flight: what settles it, and how. */
class Waiter {
  timer: unknown = undefined;
  resolve: (v: unknown) => void = noop;
  reject: (e: unknown) => void = noop;

  constructor(
    readonly accept: Acceptor<unknown>,
    /** The caller's signal: fired by the exchange's end, the outcome is the abort. */
    readonly signal: AbortSignal | undefined,
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
  /** When an exchange last ended in an answer its caller took (timers.now() ms): any answer, even a completion code, shows a session alive. */
  lastAnswerAt = 0;
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
    const w = this.waiter;
    if (!w) {
      this.hooks.packetDropped?.('no-match');
      return;
    }
    let result: unknown;
    try {
      result = w.accept(datagram);
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
    const waiter = new Waiter(accept as Acceptor<unknown>, signal === NEVER_ABORTS ? undefined : signal);
    const answer = new Promise<T>((resolve, reject) => {
      waiter.resolve = resolve as (v: unknown) => void;
      waiter.reject = reject;
    });
    this.waiter = waiter;
    // A timer per exchange: each ends on its own timer even when the Timers in use change between
    // exchanges (tests install fake timers after warming up on real ones), which a timer shared
    // across exchanges would carry over.
    waiter.timer = this.timers.setTimeout(() => this.settle(waiter, new TimeoutError(`no answer within ${timeoutMs} ms`), true), timeoutMs);
    this.hooks.packetSent?.();
    // A failed send ends this exchange only: its report may come after a timeout and a retransmit.
    this.channel.send(datagram, (err) => this.settle(waiter, err, true));
    return answer;
  }

  /** End the exchange of `w` (once): its answer, or its error; an abandoned one ends in its abort. */
  private settle(w: Waiter, value: unknown, failed: boolean): void {
    if (this.waiter !== w) return;
    this.waiter = undefined;
    this.timers.clearTimeout(w.timer);
    if (w.signal?.aborted) {
      this.hooks.requestAbandoned?.();
      w.reject(abortError(w.signal));
    } else if (failed) w.reject(value);
    else {
      this.lastAnswerAt = this.timers.now();
      w.resolve(value);
    }
  }

  close(): void {
    this.closed = true;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      this.timers.clearTimeout(w.timer);
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
