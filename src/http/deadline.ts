/** The header Prometheus sends with its scrape_timeout (seconds, e.g. "10.000000"). */
export const SCRAPE_TIMEOUT_HEADER = 'x-prometheus-scrape-timeout-seconds';

/**
 * This request's deadline in ms: --scrape.timeout, lowered to Prometheus's own
 * timeout minus a small offset (so an answer, even partial, arrives before
 * Prometheus gives up) when the header says so. Computed per request and never
 * stored: one short-timeout scraper must not shorten anyone else's scrapes.
 * A header too small for the offset is taken as is (blackbox_exporter does the same).
 */
export function scrapeDeadlineMs(header: string | string[] | undefined, scrapeTimeoutMs: number, offsetMs: number): number {
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined || text.trim() === '') return scrapeTimeoutMs;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) return scrapeTimeoutMs;
  const promMs = seconds * 1000;
  const lowered = promMs - offsetMs > 0 ? promMs - offsetMs : promMs;
  return Math.min(scrapeTimeoutMs, lowered);
}
