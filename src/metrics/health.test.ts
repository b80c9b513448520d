import { describe, expect, it } from 'vitest';
import { HealthTracker } from './health.js';

describe('HealthTracker', () => {
  it('is healthy before any scrape and while first collections run', () => {
    const h = new HealthTracker();
    expect(h.healthy).toBe(true);
  });

  it('goes to 0 on a read failure and back to 1 when that target next succeeds', () => {
    const h = new HealthTracker();
    h.recordCollection('a:623', false);
    h.recordCollection('b:623', true);
    expect(h.healthy).toBe(false);
    expect(h.failingTargets).toEqual(['b:623']);
    h.recordCollection('b:623', false);
    expect(h.healthy).toBe(true);
  });

  it('forgets an evicted failing target', () => {
    const h = new HealthTracker();
    h.recordCollection('b:623', true);
    h.forget('b:623');
    expect(h.healthy).toBe(true);
  });

  it('stays 0 for good once the transport failed', () => {
    const h = new HealthTracker();
    h.markTransportFailed();
    h.recordCollection('a:623', false);
    expect(h.healthy).toBe(false);
  });
});
