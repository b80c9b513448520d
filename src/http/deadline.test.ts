import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, scrapeDeadlineMs } from './deadline.js';

describe('scrapeDeadlineMs', () => {
  it.each([
    ['no header', undefined, 8000],
    ['empty header', '', 8000],
    ['garbage', 'soon', 8000],
    ['negative', '-3', 8000],
    ['NaN', 'NaN', 8000],
    ['Infinity', 'Infinity', 8000],
    ['hexadecimal is not a decimal number', '0x10', 8000],
    ['a repeated header', ['2', '3'], 8000],
    ['a header Node joined', '2, 3', 8000],
    ['Prometheus longer than ours', '10.000000', 8000],
    ['Prometheus shorter: minus the offset', '2.000000', 1500],
    ['shorter than the offset: taken as is', '0.3', 300],
    // Prometheus sends scrape_timeout: 1001ms as "1.001000"; fractions of a ms round down.
    ['1.001 s', '1.001000', 501],
    ['2.01 s', '2.01', 1510],
    ['a fraction of a millisecond', '0.0004', 1],
    ['1e-300 s', '1e-300', 1],
    ['huge', '1e300', 8000],
    ['one header in an array', ['2'], 1500],
  ])('%s', (_n, header, want) => {
    expect(scrapeDeadlineMs(header, 8000, 500)).toBe(want);
  });

  it('stays within what a timer can hold whatever --scrape.timeout says', () => {
    expect(scrapeDeadlineMs(undefined, 365 * 86_400_000, 500)).toBe(MAX_TIMER_MS);
  });

  const header = fc.oneof(
    fc.constant(undefined),
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.double().map(String),
    fc.double({ min: 0, max: 1e7, noNaN: true }).map(String),
    fc.double({ min: 0, max: 1e7, noNaN: true }).map((s) => s.toFixed(6)),
    fc.integer().map(String),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.constantFrom('NaN', 'Infinity', '-Infinity', '-0', '0', '1e-300', '1e300', '0x1f', '1_000', ' 3 ', '.5', '5.', '+2'),
  );

  it('turns any header into a whole number of ms a timer accepts, never above --scrape.timeout', () => {
    fc.assert(
      fc.property(header, fc.integer({ min: 1, max: 2 ** 40 }), fc.integer({ min: 0, max: 10 ** 7 }), (h, timeoutMs, offsetMs) => {
        const ms = scrapeDeadlineMs(h, timeoutMs, offsetMs);
        expect(Number.isInteger(ms)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(1);
        expect(ms).toBeLessThanOrEqual(Math.min(timeoutMs, MAX_TIMER_MS));
        // What the handler's timer and Node's own validators accept.
        expect(() => AbortSignal.timeout(ms)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it('takes a well-formed header as Prometheus means it: its timeout minus the offset, to the millisecond', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 ** 9 }),
        fc.integer({ min: 1, max: 10 ** 9 }),
        fc.integer({ min: 0, max: 10 ** 4 }),
        (promMs, timeoutMs, offsetMs) => {
          const text = (promMs / 1000).toFixed(6);
          const lowered = promMs > offsetMs ? promMs - offsetMs : promMs;
          expect(scrapeDeadlineMs(text, timeoutMs, offsetMs)).toBe(Math.min(timeoutMs, lowered));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
