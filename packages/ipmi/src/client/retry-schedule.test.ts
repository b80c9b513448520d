import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../errors.js';
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
