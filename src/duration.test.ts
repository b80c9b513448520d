import { describe, expect, it } from 'vitest';
import { DurationError, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5000],
    ['1m', 60_000],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['0', 0],
    ['1s500ms', 1500],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', 's', '5 s', '1.5s', '30s1m', '1s1s', '-1s', '5sec'])('rejects %j with a clear message', (text) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(() => parseDuration(text)).toThrow(/invalid duration/);
  });
});
