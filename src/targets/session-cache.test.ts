import type { Execute } from '@bmc-exporter/ipmi';
import { describe, expect, it } from 'vitest';
import { SessionCache } from './session-cache.js';

const noCommands = (() => Promise.reject(new Error('no command expected'))) as unknown as Execute;

describe('SessionCache: the SEL state', () => {
  it('is created on first use and kept across new sessions, for as long as the cache (the target) lives', () => {
    const cache = new SessionCache(noCommands, () => undefined);
    expect(cache.cachedSelState).toBeUndefined();
    cache.startScrape(1, '2.0');
    const state = cache.selState();
    state.count(0, undefined);
    // A re-established session forgets device facts, not what the SEL collector counted.
    cache.startScrape(2, '2.0');
    expect(cache.selState()).toBe(state);
    expect(cache.cachedSelState?.recordsRead).toBe(1);
    // Another target (or this one replaced after a reload) starts from nothing.
    expect(new SessionCache(noCommands, () => undefined).cachedSelState).toBeUndefined();
  });
});
