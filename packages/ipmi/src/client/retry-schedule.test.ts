import { describe, expect, it } from 'vitest';
import { AuthenticationError, TimeoutError } from '../errors.js';
import { withRetries } from './command-exchange.js';
import { DEFAULT_RETRY } from './options.js';
import { RetrySchedule } from './retry-schedule.js';

/** Runs a schedule as a driver does: the timeouts it gives until it says stop. */
function waits(schedule: RetrySchedule, name = 'x'): number[] {
  const out: number[] = [];
  let timeoutMs = schedule.firstTimeoutMs;
  for (let sent = 1; timeoutMs > 0; sent++) {
    out.push(timeoutMs);
    timeoutMs = schedule.next(name, sent, timeoutMs);
  }
  return out;
}

describe('RetrySchedule', () => {
  it('waits initialTimeoutMs, then backoff times longer per send, capped, for `attempts` sends; each retransmit told to hooks.retry', () => {
    const retries: string[] = [];
    const schedule = new RetrySchedule({ initialTimeoutMs: 300, backoff: 3, maxTimeoutMs: 2000 }, 5, { retry: (w) => retries.push(w) });
    expect(waits(schedule, 'Get Device ID')).toEqual([300, 900, 2000, 2000, 2000]);
    expect(retries).toEqual(['Get Device ID', 'Get Device ID', 'Get Device ID', 'Get Device ID']);
  });

  it('atMost limits the sends, never raises them', () => {
    const schedule = new RetrySchedule(DEFAULT_RETRY, 3, {});
    expect(waits(schedule.atMost(2))).toEqual([1000, 2000]);
    expect(waits(schedule.atMost(1))).toEqual([1000]);
    expect(schedule.atMost(7)).toBe(schedule);
  });

  it('giveUp names the exchange and the sends it took', () => {
    const cause = new TimeoutError('no answer within 4000 ms');
    const err = new RetrySchedule(DEFAULT_RETRY, 3, {}).giveUp('RAKP 1', 3, cause);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toBe('RAKP 1: no answer after 3 attempt(s)');
    expect(err.cause).toBe(cause);
  });
});

describe('withRetries', () => {
  // Each attempt is an event the test ends by hand: a silent one rejects with TimeoutError.
  const silent = (timeoutMs: number) => Promise.reject(new TimeoutError(`no answer within ${timeoutMs} ms`));

  it('sends again on silence with the schedule, then gives up with its TimeoutError', async () => {
    const retries: string[] = [];
    const asked: number[] = [];
    const schedule = new RetrySchedule(DEFAULT_RETRY, 3, { retry: (w) => retries.push(w) });
    const err = await withRetries({ schedule }, 'Open Session', undefined, (t) => (asked.push(t), silent(t))).catch((e: unknown) => e);
    expect(asked).toEqual([1000, 2000, 4000]);
    expect(retries).toEqual(['Open Session', 'Open Session']);
    expect((err as Error).message).toBe('Open Session: no answer after 3 attempt(s)');
  });

  it('an answer on a retransmit is the outcome', async () => {
    const schedule = new RetrySchedule(DEFAULT_RETRY, 3, {});
    let n = 0;
    await expect(withRetries({ schedule }, 'RAKP 1', undefined, (t) => (++n === 2 ? Promise.resolve('rakp2') : silent(t)))).resolves.toBe('rakp2');
    expect(n).toBe(2);
  });

  it('any other error, or silence once the signal fired, ends it at once', async () => {
    const schedule = new RetrySchedule(DEFAULT_RETRY, 3, {});
    let n = 0;
    const refused = new AuthenticationError('wrong-password', 'RAKP 2 HMAC mismatch');
    await expect(withRetries({ schedule }, 'RAKP 1', undefined, () => (n++, Promise.reject(refused)))).rejects.toBe(refused);
    expect(n).toBe(1);
    const ac = new AbortController();
    ac.abort();
    n = 0;
    await expect(withRetries({ schedule }, 'RAKP 1', ac.signal, (t) => (n++, silent(t)))).rejects.toThrow('no answer within 1000 ms');
    expect(n).toBe(1);
  });
});
