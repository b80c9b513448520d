/** The header Prometheus sends with its scrape_timeout (seconds, e.g. "10.000000"). */
export const SCRAPE_TIMEOUT_HEADER = 'x-prometheus-scrape-timeout-seconds';

/** The longest delay a Node timer takes; a longer one fires after 1 ms instead. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A plain decimal number of seconds ("10", "1.001", "2.5e0"): what Prometheus
 * writes. Number() alone would also take "0x10", "0b1" and "Infinity".
 */
const DECIMAL_SECONDS = /^\s*\+?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * This request's deadline in whole milliseconds, from 1 to --scrape.timeout
 * (and never beyond what a timer can hold): --scrape.timeout, lowered to
 * Prometheus's own timeout minus a small offset (so an answer, even partial,
 * arrives before Prometheus gives up) when the header says so. Computed per
 * request and never stored: one short-timeout scraper must not shorten anyone
 * else's scrapes. A header too small for the offset is taken as is
 * (blackbox_exporter does the same). The header is client input: anything
 * that is not a positive decimal number (garbage, NaN, negative, a repeated
 * header) is ignored, and fractions of a millisecond are rounded down
 * (Prometheus sends "1.001000" for scrape_timeout: 1001ms).
 */
export function scrapeDeadlineMs(header: string | string[] | undefined, scrapeTimeoutMs: number, offsetMs: number): number {
  const ceiling = wholeMs(scrapeTimeoutMs);
  const text = Array.isArray(header) ? (header.length === 1 ? header[0] : undefined) : header;
  if (text === undefined || text.length > 64 || !DECIMAL_SECONDS.test(text)) return ceiling;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) return ceiling;
  // Rounded to the microsecond first: 1.001 * 1000 is 1000.9999999999999 in floating point.
  const promMs = Math.round(seconds * 1e6) / 1000;
  const offset = Number.isFinite(offsetMs) && offsetMs > 0 ? offsetMs : 0;
  const lowered = promMs - offset > 0 ? promMs - offset : promMs;
  return Math.min(ceiling, wholeMs(lowered));
}

/** A finite whole number of milliseconds a timer can wait: 1 to MAX_TIMER_MS. */
function wholeMs(ms: number): number {
  if (Number.isNaN(ms)) return 1;
  return Math.min(MAX_TIMER_MS, Math.max(1, Math.floor(ms)));
}
