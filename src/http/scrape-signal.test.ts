import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScrapeSignal } from './scrape-signal.js';

function fakeResponse(): ServerResponse & EventEmitter {
  return Object.assign(new EventEmitter(), { writableFinished: false }) as unknown as ServerResponse & EventEmitter;
}

describe('ScrapeSignal', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fires at its deadline with a TimeoutError, not a millisecond before', () => {
    const s = new ScrapeSignal(fakeResponse(), 1000);
    vi.advanceTimersByTime(999);
    expect(s.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(s.signal.aborted).toBe(true);
    expect((s.signal.reason as Error).name).toBe('TimeoutError');
  });

  it('fires when the client goes away before the answer', () => {
    const res = fakeResponse();
    const s = new ScrapeSignal(res, 1000);
    res.emit('close');
    expect(s.signal.aborted).toBe(true);
    expect((s.signal.reason as Error).message).toBe('client went away');
  });

  it('leaves no timer or listener behind once the request is answered', () => {
    const res = fakeResponse();
    const s = new ScrapeSignal(res, 1000);
    expect(vi.getTimerCount()).toBe(1);
    s.dispose();
    expect(vi.getTimerCount()).toBe(0);
    expect(res.listenerCount('close')).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(s.signal.aborted).toBe(false);
  });
});
