// A warm /bmc scrape without the HTTP server, shared by the benches that
// measure the exporter's layer in-process (exporter-layer, client's scrape
// phase): a Target scrapes into a fresh Exposition under a ScrapeSignal, as
// the /bmc handler makes them, and the answer's text is written.
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { ScrapeSignal } from '../../src/http/scrape-signal.js';
import { Exposition } from '../../src/metrics/exposition.js';
import type { Target } from '../../src/targets/target.js';

/** A ServerResponse as ScrapeSignal uses it: a 'close' event it listens for, never sent here. */
class QuietResponse extends EventEmitter {
  writableFinished = false;
}

/** One response object per target: ScrapeSignal adds and removes its listener on it every scrape. */
export function quietResponse(): ServerResponse {
  return new QuietResponse() as unknown as ServerResponse;
}

/** One scrape of `target` as /bmc runs it (deadline `deadlineMs`); the answer's length in characters. */
export async function benchScrape(target: Target, res: ServerResponse, deadlineMs = 10_000): Promise<number> {
  const scrapeSignal = new ScrapeSignal(res, deadlineMs);
  // NaN as /bmc writes it.
  const out = new Exposition('Nan');
  try {
    await target.scrape(scrapeSignal.signal, out, performance.now() + deadlineMs);
  } finally {
    scrapeSignal.dispose();
  }
  return out.text().length;
}
