import { describe, expect, it, vi } from 'vitest';
import { getDeviceId } from '../commands/get-device-id.js';
import { AbortedError, CompletionCodeError, TimeoutError, AuthenticationError, TransportError } from '../errors.js';
import { decodeLanRequest, encodeLanResponse } from '../message/lan-message.js';
import { decodeRmcp } from '../rmcp/rmcp.js';
import { AUTH_TYPE } from '../session/auth-types.js';
import { decodeV15Packet, encodeV15Packet } from '../session/v15-packet.js';
import type { PeerChannel } from '../transport/udp-transport.js';
import { RqSeq, sendCommand } from './command-exchange.js';
import { Drop, Exchanger } from './exchanger.js';
import { sessionlessV15 } from './framers.js';
import { DEFAULT_RETRY, type DropReason, realTimers, type Timers } from './options.js';
import { RetrySchedule } from './retry-schedule.js';
import { SequenceWindow } from './sequence-window.js';

/** Timers that only move when the test says so, counting the timers made. */
class FakeTimers implements Timers {
  protected t = 0;
  protected queue: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  made = 0;
  setTimeout(fn: () => void, ms: number): unknown {
    this.made++;
    const id = this.nextId++;
    this.queue.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.queue = this.queue.filter((q) => q.id !== h);
  }
  now(): number {
    return this.t;
  }
  /** Pending timer delays, from now. */
  get pending(): number[] {
    return this.queue.map((q) => q.at - this.t);
  }
  advance(ms: number): void {
    this.t += ms;
    const due = this.queue.filter((q) => q.at <= this.t);
    this.queue = this.queue.filter((q) => q.at > this.t);
    for (const q of due) q.fn();
  }
}

function fakeChannelOf(sent: Buffer[]): PeerChannel {
  return {
    peer: { address: '127.0.0.1', port: 623, family: 4 },
    send: (d) => {
      sent.push(d);
    },
    sendUnchecked: (d) => {
      sent.push(d);
    },
    close: () => undefined,
  };
}

/** A channel whose sent datagrams the test reads and answers by hand. */
function fakeChannel() {
  const sent: Buffer[] = [];
  return { channel: fakeChannelOf(sent), sent };
}

function setup() {
  const timers = new FakeTimers();
  const { channel, sent } = fakeChannel();
  const drops: DropReason[] = [];
  const retries: string[] = [];
  const hooks = { packetDropped: (r: DropReason) => drops.push(r), retry: (w: string) => retries.push(w) };
  const exchanger = new Exchanger(channel, timers, hooks);
  const ctx = { exchanger, framer: sessionlessV15, rqSeq: new RqSeq(0), schedule: new RetrySchedule(DEFAULT_RETRY, 3, hooks) };
  return { timers, sent, drops, retries, exchanger, ctx, hooks };
}

/** The BMC's answer to a sessionless request, with a chosen rqSeq / completion code. */
function answer(request: Buffer, o: { rqSeq?: number; cc?: number; data?: number[]; cmd?: number } = {}): Buffer {
  const req = decodeLanRequest(decodeV15Packet(decodeRmcp(request).body).payload);
  const lan = encodeLanResponse({
    rqAddr: req.rqAddr,
    netFn: req.netFn + 1,
    rqLun: req.rqLun,
    rsAddr: req.rsAddr,
    rqSeq: o.rqSeq ?? req.rqSeq,
    rsLun: req.rsLun,
    cmd: o.cmd ?? req.cmd,
    completionCode: o.cc ?? 0,
    data: Buffer.from(o.data ?? []),
  });
  return encodeV15Packet({ authType: AUTH_TYPE.none, sessionSeq: 0, sessionId: 0, payload: lan });
}

const flush = () => new Promise((r) => setImmediate(r));
// Get Device ID response data (IPMI v2.0 Table 20-2), 11 bytes.
const DEVICE_ID = [0x20, 0x01, 0x02, 0x47, 0x02, 0xbf, 0x91, 0x12, 0x00, 0x0c, 0x0b];

describe('sendCommand over the Exchanger', () => {
  it('takes only the answer that matches rqSeq, NetFn and command; the rest is dropped and counted', async () => {
    const s = setup();
    const p = sendCommand(s.ctx, getDeviceId, undefined, {});
    await flush();
    const req = s.sent[0]!;
    s.exchanger.onDatagram(Buffer.from('garbage'));
    s.exchanger.onDatagram(answer(req, { rqSeq: 63 }));
    s.exchanger.onDatagram(answer(req, { cmd: 0x02 }));
    s.exchanger.onDatagram(answer(req, { data: DEVICE_ID }));
    const rsp = await p;
    expect(rsp.manufacturerId).toBe(0x1291);
    expect(s.drops).toEqual(['malformed', 'no-match', 'no-match']);
    // After the exchange, a duplicate has nobody waiting for it.
    s.exchanger.onDatagram(answer(req, { data: DEVICE_ID }));
    expect(s.drops.at(-1)).toBe('no-match');
  });

  it('retransmits with a fresh rqSeq and backs off; a late answer to an earlier attempt is refused', async () => {
    const s = setup();
    const p = sendCommand(s.ctx, getDeviceId, undefined, {});
    await flush();
    expect(s.timers.pending).toEqual([1000]);
    s.timers.advance(1000);
    await flush();
    expect(s.sent).toHaveLength(2);
    expect(s.timers.pending).toEqual([2000]);
    const seqs = s.sent.map((d) => decodeLanRequest(decodeV15Packet(decodeRmcp(d).body).payload).rqSeq);
    expect(seqs[0]).not.toBe(seqs[1]);
    s.exchanger.onDatagram(answer(s.sent[0]!, { data: DEVICE_ID })); // the first attempt's answer, late
    expect(s.drops).toEqual(['no-match']);
    s.exchanger.onDatagram(answer(s.sent[1]!, { data: DEVICE_ID }));
    expect((await p).productId).toBe(0x0b0c);
    expect(s.retries).toEqual(['Get Device ID']);
  });

  it('gives up with TimeoutError after the configured attempts (1 s, 2 s, 4 s)', async () => {
    const s = setup();
    const p = sendCommand(s.ctx, getDeviceId, undefined, {});
    const outcome = p.catch((e: unknown) => e);
    for (const wait of [1000, 2000, 4000]) {
      await flush();
      expect(s.timers.pending).toEqual([wait]);
      s.timers.advance(wait);
    }
    const err = await outcome;
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toBe('Get Device ID: no answer after 3 attempt(s)');
    expect(s.sent).toHaveLength(3);
  });

  it('a non-zero completion code is a CompletionCodeError, not a parse failure', async () => {
    const s = setup();
    const p = sendCommand(s.ctx, getDeviceId, undefined, {});
    await flush();
    s.exchanger.onDatagram(answer(s.sent[0]!, { cc: 0xc0 }));
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompletionCodeError);
    expect((err as CompletionCodeError).temporary).toBe(true);
  });

  it('an abort during an exchange lets the exchange run to its answer, sends nothing more, and ends in the abort', async () => {
    const s = setup();
    const abandoned: number[] = [];
    const ex = new Exchanger(fakeChannelOf(s.sent), s.timers, { ...s.hooks, requestAbandoned: () => abandoned.push(1) });
    const ctx = { ...s.ctx, exchanger: ex };
    const ac = new AbortController();
    let outcome: unknown;
    const first = sendCommand(ctx, getDeviceId, undefined, { signal: ac.signal }).catch((e: unknown) => (outcome = e));
    await flush();
    ac.abort();
    await flush();
    // The exchange is still on the wire: not over until answered or timed out (the queue above answered the caller).
    expect(outcome).toBeUndefined();
    ex.onDatagram(answer(s.sent[0]!, { data: DEVICE_ID }));
    await first;
    expect(outcome).toBeInstanceOf(AbortedError);
    expect(abandoned).toEqual([1]);
    expect(s.sent).toHaveLength(1);
    expect(s.drops).toEqual([]);
    // Once aborted, nothing more is sent.
    await expect(sendCommand(ctx, getDeviceId, undefined, { signal: ac.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(s.sent).toHaveLength(1);
  });

  it('an abandoned exchange that is never answered ends when its attempt times out, with no retransmit', async () => {
    const s = setup();
    const ac = new AbortController();
    const first = sendCommand(s.ctx, getDeviceId, undefined, { signal: ac.signal }).catch((e: unknown) => e);
    await flush();
    ac.abort();
    s.timers.advance(1000);
    expect(await first).toBeInstanceOf(AbortedError);
    expect(s.sent).toHaveLength(1);
    expect(s.timers.pending).toEqual([]);
  });

  it('a deadline (AbortSignal.timeout) surfaces as TimeoutError', async () => {
    const s = setup();
    const deadline = AbortSignal.timeout(5);
    const p = sendCommand(s.ctx, getDeviceId, undefined, { signal: deadline });
    await new Promise((r) => deadline.addEventListener('abort', r));
    s.timers.advance(1000);
    await expect(p).rejects.toBeInstanceOf(TimeoutError);
  });
});

describe('Exchanger', () => {
  it('an acceptor that throws ends the exchange with that error (e.g. a refused login)', async () => {
    const s = setup();
    const p = s.exchanger.roundTrip(
      Buffer.from([6, 0, 0xff, 7]),
      () => {
        throw new AuthenticationError('wrong-password', 'RAKP 2 HMAC mismatch');
      },
      ONE_SEND,
      'RAKP 1',
    );
    await flush();
    s.exchanger.onDatagram(Buffer.from([6, 0, 0xff, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    await expect(p).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('refuses a second exchange while one is in flight (one command per BMC)', async () => {
    const s = setup();
    const first = s.exchanger.roundTrip(Buffer.from([6, 0, 0xff, 7]), () => new Drop('no-match'), ONE_SEND, 'RAKP 1');
    await expect(s.exchanger.roundTrip(Buffer.from([6, 0, 0xff, 7]), () => true, ONE_SEND, 'RAKP 3')).rejects.toThrow(/two exchanges/);
    s.exchanger.close();
    await expect(first).rejects.toMatchObject({ code: 'IPMI_CLIENT_CLOSED' });
  });
});

/** A schedule of one send: a round trip that is not retried. */
const ONE_SEND = new RetrySchedule(DEFAULT_RETRY, 1, {});

describe('Exchanger.roundTrip: a handshake message resent on silence by its schedule', () => {
  /** An RMCP datagram (Table 13-1 header) the test hands the exchanger as the BMC's answer. */
  const ANSWER = Buffer.from([6, 0, 0xff, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const MESSAGE = Buffer.from([6, 0, 0xff, 7, 1, 2, 3]);

  it('sends again on silence with the schedule, then gives up with its TimeoutError', async () => {
    const s = setup();
    const asked: number[] = [];
    const p = s.exchanger.roundTrip(MESSAGE, () => new Drop('no-match'), s.ctx.schedule, 'Open Session').catch((e: unknown) => e);
    for (let i = 0; i < 3; i++) {
      await flush();
      asked.push(...s.timers.pending);
      s.timers.advance(s.timers.pending[0]!);
    }
    const err = await p;
    expect(asked).toEqual([1000, 2000, 4000]);
    expect(s.retries).toEqual(['Open Session', 'Open Session']);
    expect((err as Error).message).toBe('Open Session: no answer after 3 attempt(s)');
    // The same message each time: a handshake step carries no sequence number of its own.
    expect(s.sent).toEqual([MESSAGE, MESSAGE, MESSAGE]);
  });

  it('an answer on a retransmit is the outcome', async () => {
    const s = setup();
    const p = s.exchanger.roundTrip(MESSAGE, () => 'rakp2', s.ctx.schedule, 'RAKP 1');
    await flush();
    s.timers.advance(1000);
    await flush();
    s.exchanger.onDatagram(ANSWER);
    await expect(p).resolves.toBe('rakp2');
    expect(s.sent).toHaveLength(2);
  });

  it('any other error, or silence once the signal fired, ends it at once', async () => {
    const s = setup();
    const refused = new AuthenticationError('wrong-password', 'RAKP 2 HMAC mismatch');
    const p = s.exchanger.roundTrip(
      MESSAGE,
      () => {
        throw refused;
      },
      s.ctx.schedule,
      'RAKP 1',
    );
    await flush();
    s.exchanger.onDatagram(ANSWER);
    await expect(p).rejects.toBe(refused);
    expect(s.sent).toHaveLength(1);
    const ac = new AbortController();
    const q = s.exchanger.roundTrip(MESSAGE, () => new Drop('no-match'), s.ctx.schedule, 'RAKP 1', ac.signal);
    await flush();
    ac.abort();
    s.timers.advance(1000);
    await expect(q).rejects.toBeInstanceOf(AbortedError);
    expect(s.sent).toHaveLength(2);
    expect(s.retries).toEqual([]);
  });
});

describe('Exchanger: one retransmit timer per client', () => {
  it('one timer serves exchange after exchange; a longer retransmit wait gets its own; a timer left running finds nothing to end', async () => {
    const { timers, sent, drops, exchanger, ctx } = setup();
    for (let i = 0; i < 3; i++) {
      const p = sendCommand(ctx, getDeviceId, undefined, {});
      exchanger.onDatagram(answer(sent.at(-1)!, { data: DEVICE_ID }));
      await p;
      timers.advance(10);
    }
    expect(timers.made).toBe(1);
    // Left running after the last answer: it fires with no exchange in flight, and nothing happens.
    timers.advance(1000);
    expect(timers.pending).toEqual([]);
    expect(sent).toHaveLength(3);
    const p = sendCommand(ctx, getDeviceId, undefined, {});
    expect(timers.made).toBe(2);
    expect(timers.pending).toEqual([1000]);
    timers.advance(1000); // silence: the retransmit waits 2000 ms
    expect(sent).toHaveLength(5);
    expect(timers.made).toBe(3);
    expect(timers.pending).toEqual([2000]);
    exchanger.onDatagram(answer(sent.at(-1)!, { data: DEVICE_ID }));
    await p;
    expect(drops).toEqual([]);
  });

  it('an exchange that began after the timer was made is timed from its own send: the timer fires early, is made again for the rest, and only then does it retransmit', async () => {
    const { timers, sent, exchanger, ctx } = setup();
    const p = sendCommand(ctx, getDeviceId, undefined, {});
    timers.advance(600);
    exchanger.onDatagram(answer(sent.at(-1)!, { data: DEVICE_ID }));
    await p;
    const q = sendCommand(ctx, getDeviceId, undefined, {}); // due at 1600; the timer fires at 1000
    expect(timers.made).toBe(1);
    expect(timers.pending).toEqual([400]);
    timers.advance(400);
    expect(sent).toHaveLength(2); // not due yet: no retransmit
    expect(timers.made).toBe(2);
    expect(timers.pending).toEqual([600]);
    timers.advance(599);
    expect(sent).toHaveLength(2);
    timers.advance(1);
    expect(sent).toHaveLength(3); // 1000 ms after its own send
    expect(timers.pending).toEqual([2000]);
    exchanger.onDatagram(answer(sent.at(-1)!, { data: DEVICE_ID }));
    await q;
  });

  it("a timer pending past the next exchange's timeout (a retransmit's longer wait) is replaced, so that exchange is not retransmitted late", async () => {
    const { timers, sent, exchanger, ctx } = setup();
    const p = sendCommand(ctx, getDeviceId, undefined, {});
    timers.advance(1000); // silence: retransmitted, waiting 2000 ms
    expect(sent).toHaveLength(2);
    timers.advance(100);
    exchanger.onDatagram(answer(sent.at(-1)!, { data: DEVICE_ID }));
    await p;
    expect(timers.pending).toEqual([1900]);
    const q = sendCommand(ctx, getDeviceId, undefined, {});
    expect(timers.made).toBe(3);
    expect(timers.pending).toEqual([1000]);
    timers.advance(1000);
    expect(sent).toHaveLength(4);
    exchanger.onDatagram(answer(sent.at(-1)!, { data: DEVICE_ID }));
    await q;
  });

  it('a clock that does not move with the timers (a fake performance.now over real timers) delays a retransmit by at most one more wait, never forever', async () => {
    const { timers, sent, exchanger, ctx } = setup();
    let frozen: number | undefined;
    const clock = timers.now.bind(timers);
    timers.now = () => frozen ?? clock();
    const p = sendCommand(ctx, getDeviceId, undefined, {});
    exchanger.onDatagram(answer(sent.at(-1)!, { data: DEVICE_ID }));
    await p;
    frozen = 900; // the clock jumps on its own, then stands still
    const q = sendCommand(ctx, getDeviceId, undefined, {}); // due at 1900 by the clock; the timer fires at 1000
    timers.advance(1000);
    expect(sent).toHaveLength(2);
    expect(timers.pending).toEqual([900]); // made again for the rest, bounded by its own due time
    timers.advance(900);
    expect(sent).toHaveLength(3); // retransmitted, although the clock still reads 900
    exchanger.onDatagram(answer(sent.at(-1)!, { data: DEVICE_ID }));
    await q;
  });

  it('idle() stops the timer left running (the next send makes a new one), but never under an exchange in flight', async () => {
    const { timers, sent, exchanger, ctx } = setup();
    const p = sendCommand(ctx, getDeviceId, undefined, {});
    exchanger.idle(); // an exchange in flight: its timer stays
    expect(timers.pending).toEqual([1000]);
    exchanger.onDatagram(answer(sent.at(-1)!, { data: DEVICE_ID }));
    await p;
    expect(timers.pending).toEqual([1000]); // left running, as above
    exchanger.idle();
    expect(timers.pending).toEqual([]);
    const q = sendCommand(ctx, getDeviceId, undefined, {});
    expect(timers.made).toBe(2);
    expect(timers.pending).toEqual([1000]);
    timers.advance(1000); // and it still retransmits
    expect(sent).toHaveLength(3);
    exchanger.onDatagram(answer(sent.at(-1)!, { data: DEVICE_ID }));
    await q;
  });

  it('realTimers clear a timer with the clearTimeout it was made under (fake timers installed after warming up on real ones)', () => {
    // Node's public list of what keeps the process alive names each pending (ref'd) timer once.
    const pendingTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const warm = realTimers.setTimeout(() => undefined, 60_000);
    const withWarm = pendingTimers();
    expect(withWarm).toBeGreaterThan(0);
    // Fakes that leave native timers alone (as older ones did, and as this option asks): only the real clearTimeout clears `warm`.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldClearNativeTimers: false });
    try {
      realTimers.clearTimeout(warm);
      // Gone from Node's timers: the fake clearTimeout would have left it pending.
      expect(pendingTimers()).toBe(withWarm - 1);
      let fired = 0;
      const fake = realTimers.setTimeout(() => fired++, 50);
      realTimers.clearTimeout(fake);
      vi.advanceTimersByTime(50);
      expect(fired).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('Exchanger: checked and unchecked sends', () => {
  function failingChannel() {
    const calls: string[] = [];
    const channel: PeerChannel = {
      peer: { address: '127.0.0.1', port: 623, family: 4 },
      send: (_d, onError) => {
        calls.push('send');
        onError(new TransportError('send to 127.0.0.1:623 failed: EPERM'));
      },
      sendUnchecked: () => {
        calls.push('sendUnchecked');
      },
      close: () => undefined,
    };
    return { channel, calls };
  }

  it('a checked send (session set-up) that fails ends the exchange with the TransportError', async () => {
    const { channel, calls } = failingChannel();
    const timers = new FakeTimers();
    const exchanger = new Exchanger(channel, timers, {});
    const ctx = { exchanger, framer: sessionlessV15, rqSeq: new RqSeq(0), schedule: new RetrySchedule(DEFAULT_RETRY, 3, {}) };
    await expect(sendCommand(ctx, getDeviceId, undefined, {})).rejects.toThrow(/send to 127\.0\.0\.1:623 failed: EPERM/);
    expect(calls).toEqual(['send']);
    // Nothing is due: the timer is left for the next send, and stopped when the caller is done.
    expect(timers.pending).toEqual([1000]);
    exchanger.idle();
    expect(timers.pending).toEqual([]);
  });

  it('an established session sends unchecked: a send that fails is silence, retried, then TimeoutError (the client re-establishes, with checked sends)', async () => {
    const { channel, calls } = failingChannel();
    const timers = new FakeTimers();
    const exchanger = new Exchanger(channel, timers, {});
    const ctx = { exchanger, framer: sessionlessV15, rqSeq: new RqSeq(0), schedule: new RetrySchedule(DEFAULT_RETRY, 2, {}), uncheckedSends: true };
    const outcome = sendCommand(ctx, getDeviceId, undefined, {}).catch((e: unknown) => e);
    timers.advance(1000);
    timers.advance(2000);
    expect(await outcome).toBeInstanceOf(TimeoutError);
    expect(calls).toEqual(['sendUnchecked', 'sendUnchecked']);
  });
});

describe('SequenceWindow', () => {
  it('accepts forward moves and a little reordering, refuses stale and zero', () => {
    const w = new SequenceWindow(16);
    expect(w.accept(0)).toBe(false);
    expect(w.accept(100)).toBe(true);
    expect(w.accept(101)).toBe(true);
    expect(w.accept(95)).toBe(true); // reordered, within the window
    expect(w.accept(85)).toBe(true); // exactly 16 behind
    expect(w.accept(84)).toBe(false); // 17 behind: stale
    expect(w.accept(5000)).toBe(true);
  });

  it('handles 32-bit wrap-around', () => {
    const w = new SequenceWindow(16);
    expect(w.accept(0xfffffffe)).toBe(true);
    expect(w.accept(3)).toBe(true); // wrapped forward
    expect(w.accept(0xfffffff0)).toBe(false); // 19 behind across the wrap
  });
});
