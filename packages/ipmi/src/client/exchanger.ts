import { AbortedError, ClientClosedError, IpmiError, MalformedPacketError, TimeoutError } from '../errors.js';
import { decodeRmcp } from '../rmcp/rmcp.js';
import type { PeerChannel } from '../transport/udp-transport.js';
import type { ClientHooks, DropReason, Timers } from './options.js';

/**
 * The signal of a call made without one. Listening on it would only pile
 * listeners onto one shared EventTarget, so the exchanger skips that.
 */
export const NEVER_ABORTS: AbortSignal = new AbortController().signal;

/** Returned by an acceptor to say "not my answer": the packet is counted and dropped. */
export class Drop {
  constructor(readonly reason: DropReason) {}
}

export interface RmcpDatagram {
  messageClass: number;
  body: Buffer;
}

/** Looks at one received datagram: the awaited answer, a Drop, or throws to fail the exchange. */
export type Acceptor<T> = (d: RmcpDatagram) => T | Drop;

interface Waiter {
  accept: Acceptor<unknown>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

/**
 * Sends one datagram at a time and waits for the one answer that the
 * acceptor recognises. Anything else arriving meanwhile (late answers to
 * earlier attempts, duplicates, spoofed or corrupted packets) is dropped and
 * counted; it is never taken as "the next packet" (architecture invariant 2).
 */
export class Exchanger {
  private waiter: Waiter | undefined;
  /** Settles when an exchange whose caller gave up is over (answered or timed out). */
  private draining: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly channel: PeerChannel,
    private readonly timers: Timers,
    private readonly hooks: ClientHooks,
  ) {}

  /** Transport callback. */
  onDatagram(datagram: Buffer): void {
    this.hooks.packetReceived?.();
    let d: RmcpDatagram;
    try {
      d = decodeRmcp(datagram);
    } catch {
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
      result = w.accept(d);
    } catch (err) {
      if (err instanceof MalformedPacketError) {
        this.hooks.packetDropped?.('malformed');
        return;
      }
      this.waiter = undefined;
      w.reject(err);
      return;
    }
    if (result instanceof Drop) {
      this.hooks.packetDropped?.(result.reason);
      return;
    }
    this.waiter = undefined;
    w.resolve(result);
  }

  /**
   * Send `datagram` and wait up to `timeoutMs` for an answer the acceptor
   * takes. An abort rejects the caller at once, but the exchange stays
   * "draining" until its answer arrives or its time is up: the next request
   * waits for that, so the BMC never has two requests from us at once, even
   * when callers give up early (invariant 1).
   */
  async roundTrip<T>(datagram: Buffer, accept: Acceptor<T>, timeoutMs: number, given?: AbortSignal): Promise<T> {
    const signal = given === NEVER_ABORTS ? undefined : given;
    if (this.draining) await waitOrAbort(this.draining, signal);
    if (this.closed) throw new ClientClosedError('client is closed');
    if (signal?.aborted) throw abortError(signal);
    if (this.waiter) throw new IpmiError('internal: two exchanges in flight on one client');
    return new Promise<T>((resolve, reject) => {
      let timer: unknown;
      let abandoned = false;
      let endDrain: (() => void) | undefined;
      const finish = () => {
        this.timers.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (this.waiter === waiter) this.waiter = undefined;
        if (endDrain) {
          this.draining = undefined;
          endDrain();
        }
      };
      const onAbort = () => {
        // Answer the caller now; keep the slot until the wire is clear.
        abandoned = true;
        signal?.removeEventListener('abort', onAbort);
        this.draining = new Promise<void>((r) => (endDrain = r));
        this.hooks.requestAbandoned?.();
        reject(abortError(signal!));
      };
      const waiter: Waiter = {
        accept: accept as Acceptor<unknown>,
        resolve: (v) => {
          finish();
          if (!abandoned) resolve(v as T);
        },
        reject: (e) => {
          finish();
          if (!abandoned) reject(e);
        },
      };
      this.waiter = waiter;
      signal?.addEventListener('abort', onAbort, { once: true });
      timer = this.timers.setTimeout(() => waiter.reject(new TimeoutError(`no answer within ${timeoutMs} ms`)), timeoutMs);
      this.hooks.packetSent?.();
      this.channel.send(datagram).catch((err: unknown) => waiter.reject(err));
    });
  }

  /** Fire and forget (e.g. a Close Session we will not wait long for). */
  async sendOnly(datagram: Buffer): Promise<void> {
    if (this.closed) return;
    this.hooks.packetSent?.();
    await this.channel.send(datagram);
  }

  close(): void {
    this.closed = true;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(new ClientClosedError('client closed'));
    this.channel.close();
    this.draining = undefined;
  }
}

/** Wait for `p` unless `signal` fires first. */
function waitOrAbort(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    // Settled either way, the wait is over: the caller only needs to know that p is done.
    const done = (): void => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    p.then(done, done);
  });
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
