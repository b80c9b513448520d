import { AbortedError, ClientClosedError, IpmiError, MalformedPacketError, TimeoutError } from '../errors.js';
import { RMCP_HEADER_LENGTH, RMCP_VERSION } from '../rmcp/rmcp.js';
import type { PeerChannel } from '../transport/udp-transport.js';
import type { ClientHooks, DropReason, Timers } from './options.js';
import type { RetrySchedule } from './retry-schedule.js';

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

/**
 * One exchange as the Exchanger drives it, from its first send to its end,
 * by callbacks: no promise per send. The Exchanger sends what `datagram()`
 * builds, hands `accept` what the peer sends meanwhile, asks `silence()`
 * what to do when a send's timeout passes unanswered, and calls `end` once.
 */
export interface Exchange {
  /**
   * The caller's signal, looked at, never listened to: fired before the
   * first send, nothing is sent; fired when the exchange ends (an answer, a
   * send's timeout), that end is the abort and nothing more is sent.
   */
  readonly signal: AbortSignal | undefined;
  /**
   * Whether each send's failure is reported and ends the exchange (session
   * set-up), or the datagram is sent unchecked (PeerChannel.sendUnchecked:
   * an established session's commands), a failed send then being silence.
   */
  readonly checked: boolean;
  /** The next send's datagram, built fresh (a command's takes a new rqSeq and session sequence number); throwing ends the exchange with that error. */
  datagram(): Buffer;
  /** A datagram from the peer, whole, its RMCP header checked: the answer (which ends the exchange), a Drop, or throws to end it with that error. */
  accept(datagram: Buffer): unknown;
  /** The last send's timeout passed unanswered: the next send's timeout (ms), or the error the exchange ends with. */
  silence(): number | Error;
  /** The exchange is over, called once: its answer (`failed` false) or its error. Must not throw. */
  end(failed: boolean, outcome: unknown): void;
}

/** A handshake message's exchange behind roundTrip: the same datagram on every send, resent on silence as its schedule says. */
class RoundTrip<T> implements Exchange {
  readonly checked = true;
  private sent = 0;
  /** The last send's timeout (ms). */
  timeoutMs: number;

  constructor(
    private readonly message: Buffer,
    readonly accept: Acceptor<T>,
    private readonly schedule: RetrySchedule,
    private readonly name: string,
    readonly signal: AbortSignal | undefined,
    private readonly resolve: (value: T) => void,
    private readonly reject: (err: unknown) => void,
  ) {
    this.timeoutMs = schedule.firstTimeoutMs;
  }

  datagram(): Buffer {
    this.sent++;
    return this.message;
  }

  silence(): number | Error {
    const next = this.schedule.next(this.name, this.sent, this.timeoutMs);
    if (next === 0) return this.schedule.giveUp(this.name, this.sent);
    return (this.timeoutMs = next);
  }

  end(failed: boolean, outcome: unknown): void {
    if (failed) this.reject(outcome);
    else this.resolve(outcome as T);
  }
}

/**
 * The client's one retransmit timer. A send only notes when its exchange
 * is due its timeout; the timer already pending is kept whenever it fires no
 * later than that, so the sends of a scrape, one after another, make or
 * touch no timer at all: the first send makes it, and when it fires with the
 * exchange in flight not yet due (that exchange began after the timer was
 * made), it is made again for what is left. Only a due exchange is told of
 * its silence. An exchange that ends leaves the timer pending for the next
 * send, and a timer that fires with nothing due does nothing. A caller done
 * for now (BmcClient.releaseSignal, at the end of a scrape) stops it through
 * Exchanger.idle, so no callback runs a second after a scrape to find
 * nothing to do. (A send that restarted the timer instead, Node's
 * timer.refresh(), cost about 1.3% of a warm scrape's CPU in a profile of
 * the exporter: the refresh and the WeakMap lookup that guarded it. Node
 * reschedules its libuv timer lazily: a cleared timer that was the earliest
 * can still wake the loop once at its old expiry, without running anything.)
 */
class RetryTimer {
  private handle: unknown = undefined;
  /** When the pending timer fires (timers.now() ms). */
  private firesAt = 0;
  /** When the exchange in flight is due its timeout (timers.now() ms); meaningful while `due`. */
  private dueAt = 0;
  /** An exchange is in flight and waits for this timer. */
  private due = false;
  private readonly onFire = () => this.fired();

  constructor(
    private readonly timers: Timers,
    private readonly fire: () => void,
  ) {}

  /** A send: its exchange is due its timeout `ms` from now. */
  arm(ms: number): void {
    const dueAt = this.timers.now() + ms;
    this.dueAt = dueAt;
    this.due = true;
    if (this.handle !== undefined) {
      if (this.firesAt <= dueAt) return;
      // Pending past this exchange's timeout (a retransmit's longer wait before it): too late.
      this.timers.clearTimeout(this.handle);
    }
    this.start(ms, dueAt);
  }

  /** The exchange is over: nothing is due, the timer stays for the next send. */
  disarm(): void {
    this.due = false;
  }

  cancel(): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
    this.due = false;
  }

  private start(ms: number, at: number): void {
    this.firesAt = at;
    this.handle = this.timers.setTimeout(this.onFire, ms);
  }

  private fired(): void {
    this.handle = undefined;
    if (!this.due) return;
    // What is left by the clock, and never more than by the timer's own due
    // time: a clock that does not move with the timers (a test's fake
    // performance.now over real timers) still ends the wait at the second fire.
    const left = this.dueAt - Math.max(this.timers.now(), this.firesAt);
    if (left > 0) this.start(left, this.dueAt);
    else this.fire();
  }
}

/**
 * Drives one exchange at a time (an Exchange: one datagram per send, its
 * retransmits, the answer the exchange recognises). Anything else arriving
 * meanwhile (late answers to earlier sends, duplicates, spoofed or
 * corrupted packets) is dropped and counted; it is never taken as "the next
 * packet" (invariant 2 in docs/architecture.md). It keeps no queue: its
 * caller (BmcClient's AbortableQueue) starts the next exchange only when
 * this one is over.
 */
export class Exchanger {
  private current: Exchange | undefined;
  /** Checked sends so far: a failure reported for an earlier send of the exchange is ignored. */
  private checkedSends = 0;
  private readonly timer: RetryTimer;
  private closed = false;
  /** When an exchange last ended in an answer its caller took (timers.now() ms): any answer, even a completion code, shows a session alive. */
  lastAnswerAt = 0;
  constructor(
    private readonly channel: PeerChannel,
    private readonly timers: Timers,
    private readonly hooks: ClientHooks,
  ) {
    this.timer = new RetryTimer(timers, () => this.timedOut());
  }

  /** Transport callback. */
  onDatagram(datagram: Buffer): void {
    this.hooks.packetReceived?.();
    // The RMCP header (Table 13-1), as decodeRmcp reads it.
    if (datagram.length < RMCP_HEADER_LENGTH || datagram[0] !== RMCP_VERSION) {
      this.hooks.packetDropped?.('malformed');
      return;
    }
    const x = this.current;
    if (x === undefined) {
      this.hooks.packetDropped?.('no-match');
      return;
    }
    let result: unknown;
    try {
      result = x.accept(datagram);
    } catch (err) {
      if (err instanceof MalformedPacketError) {
        this.hooks.packetDropped?.('malformed');
        return;
      }
      this.finish(x, true, err);
      return;
    }
    if (result instanceof Drop) {
      this.hooks.packetDropped?.(result.reason);
      return;
    }
    this.finish(x, false, result);
  }

  /**
   * Run `x`, its first send waiting `timeoutMs`. Its signal is looked at,
   * never listened to (see Exchange.signal): the exchange itself always
   * runs to its end, so the BMC never has two requests from us at once even
   * when callers give up early (invariant 1 in docs/architecture.md); the
   * caller was already answered by the queue above.
   */
  start(x: Exchange, timeoutMs: number): void {
    if (this.closed) return x.end(true, new ClientClosedError('client is closed'));
    const signal = x.signal;
    if (signal !== undefined && signal.aborted) return x.end(true, abortError(signal));
    if (this.current !== undefined) return x.end(true, new IpmiError('internal: two exchanges in flight on one client'));
    this.current = x;
    this.send(x, timeoutMs);
  }

  /**
   * Send `datagram` (a handshake message, the same on every send) and wait
   * for an answer the acceptor takes, sending it again on silence as
   * `schedule` says (the retry rule commands follow too); given up, the
   * schedule's TimeoutError names the exchange `name`. Run by start().
   */
  roundTrip<T>(datagram: Buffer, accept: Acceptor<T>, schedule: RetrySchedule, name: string, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const x = new RoundTrip(datagram, accept, schedule, name, signal === NEVER_ABORTS ? undefined : signal, resolve, reject);
      this.start(x, x.timeoutMs);
    });
  }

  private send(x: Exchange, timeoutMs: number): void {
    let datagram: Buffer;
    try {
      datagram = x.datagram();
    } catch (err) {
      this.finish(x, true, err);
      return;
    }
    this.timer.arm(timeoutMs);
    this.hooks.packetSent?.();
    if (!x.checked) {
      this.channel.sendUnchecked(datagram);
      return;
    }
    const sent = ++this.checkedSends;
    // A failed send ends this exchange, unless its report comes after a timeout and a retransmit.
    this.channel.send(datagram, (err) => {
      if (this.current === x && this.checkedSends === sent) this.finish(x, true, err);
    });
  }

  /** The armed timeout passed: the exchange in flight, if any, sends again or ends. */
  private timedOut(): void {
    const x = this.current;
    if (x === undefined) return; // the timer left running after an exchange ended
    const signal = x.signal;
    if (signal !== undefined && signal.aborted) {
      this.finish(x, true, undefined);
      return;
    }
    let next: number | Error;
    try {
      next = x.silence();
    } catch (err) {
      next = err as Error;
    }
    if (typeof next === 'number') this.send(x, next);
    else this.finish(x, true, next);
  }

  /** End `x`, the exchange in flight: its answer or its error; an abandoned one ends in its abort. */
  private finish(x: Exchange, failed: boolean, outcome: unknown): void {
    this.current = undefined;
    this.timer.disarm();
    const signal = x.signal;
    if (signal !== undefined && signal.aborted) {
      this.hooks.requestAbandoned?.();
      x.end(true, abortError(signal));
    } else if (failed) x.end(true, outcome);
    else {
      this.lastAnswerAt = this.timers.now();
      x.end(false, outcome);
    }
  }

  /** Nothing more to send for now: stop the retransmit timer unless an exchange is in flight (the next send arms it again). */
  idle(): void {
    if (this.current === undefined) this.timer.cancel();
  }

  close(): void {
    this.closed = true;
    this.timer.cancel();
    const x = this.current;
    if (x !== undefined) {
      this.current = undefined;
      x.end(true, new ClientClosedError('client closed'));
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
