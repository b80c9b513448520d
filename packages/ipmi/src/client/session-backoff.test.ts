import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, CompletionCodeError, SessionError, TimeoutError, UnsupportedCipherSuiteError } from '../errors.js';
import { rmcpPlusStatusError } from '../session/rmcpplus-status.js';
import { DEFAULT_SESSION_BACKOFF, isSessionRefusal, SessionBackoff, type SessionBackoffPolicy } from './session-backoff.js';

const POLICY: SessionBackoffPolicy = { initialMs: 1000, maxMs: 10_000, factor: 2, jitter: 0.5 };

/** A clock the test moves, and a "random" source that returns what the test says. */
function setup(policy = POLICY, randoms: number[] = [0]) {
  let t = 0;
  let i = 0;
  const b = new SessionBackoff(
    policy,
    () => t,
    () => randoms[i++ % randoms.length]!,
  );
  return { b, advance: (ms: number) => (t += ms) };
}

describe('SessionBackoff', () => {
  it('doubles the wait per refusal in a row, up to the cap', () => {
    const { b } = setup();
    expect(b.remainingMs()).toBe(0);
    expect([1, 2, 3, 4, 5, 6].map(() => b.refused())).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(b.consecutiveRefusals).toBe(6);
  });

  it('counts down on its clock, and allows an attempt once the wait is over', () => {
    const { b, advance } = setup();
    b.refused();
    expect(b.remainingMs()).toBe(1000);
    advance(999);
    expect(b.remainingMs()).toBe(1);
    advance(1);
    expect(b.remainingMs()).toBe(0);
  });

  it('a session resets it: the next refusal waits the initial time again', () => {
    const { b } = setup();
    b.refused();
    b.refused();
    b.succeeded();
    expect(b.remainingMs()).toBe(0);
    expect(b.consecutiveRefusals).toBe(0);
    expect(b.refused()).toBe(1000);
  });

  it('jitter shortens each wait by up to its share, never lengthens it past the cap', () => {
    const { b } = setup(POLICY, [0.999999, 0.5]);
    expect(b.refused()).toBe(500);
    expect(b.refused()).toBe(1500);
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 40 }), (rs) => {
        const { b: x } = setup(DEFAULT_SESSION_BACKOFF, rs);
        for (let n = 0; n < rs.length; n++) {
          const base = Math.min(DEFAULT_SESSION_BACKOFF.maxMs, DEFAULT_SESSION_BACKOFF.initialMs * 2 ** n);
          const wait = x.refused();
          expect(wait).toBeLessThanOrEqual(base);
          expect(wait).toBeGreaterThanOrEqual(Math.floor(base * (1 - DEFAULT_SESSION_BACKOFF.jitter)));
        }
      }),
    );
  });
});

describe('isSessionRefusal', () => {
  it.each([
    ['Open Session: no free slot', rmcpPlusStatusError('Open Session refused', 0x01, 17), true],
    ['RAKP 2: unknown user', rmcpPlusStatusError('RAKP Message 2', 0x0d, 17), true],
    ['RAKP 4: wrong password', rmcpPlusStatusError('RAKP Message 4', 0x0f, 17), true],
    ['Open Session: algorithms refused', rmcpPlusStatusError('Open Session refused', 0x11, 17), true],
    ['RAKP 2 HMAC proves another password', new AuthenticationError('wrong-password', 'w'), true],
    ['IPMI 1.5 Activate Session: no slot', new CompletionCodeError('Activate Session', 0x81), true],
    ['no suite in common', new UnsupportedCipherSuiteError([17], [3]), true],
    ['silence', new TimeoutError('no answer'), false],
    ['a handshake that went wrong on our side', new SessionError('RMCP+ handshake is not complete'), false],
    ['another command refused', new CompletionCodeError('Get Device ID', 0xc1), false],
  ])('%s: %s', (_n, err, want) => {
    expect(isSessionRefusal(err)).toBe(want);
  });
});
