// A warm /bmc scrape without the HTTP server, shared by the benches that
// measure the exporter's layer in-process (exporter-layer, client's scrape
// phase): a Target scrapes into a fresh Exposition under a ScrapeSignal, as
// the /bmc handler makes them, and the answer's text is written.
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { UdpTransport } from '@bmc-exporter/ipmi';
import { ScrapeSignal } from '../../src/http/scrape-signal.js';
import { ExporterMetrics } from '../../src/metrics/exporter-metrics.js';
import { Exposition } from '../../src/metrics/exposition.js';
import { HealthTracker } from '../../src/metrics/health.js';
import type { Target } from '../../src/targets/target.js';

/** The self-metrics and health tracker Targets are made with, as the exporter makes them (no process metrics). */
export function benchMetrics(transport: UdpTransport, targetCount: () => number): { health: HealthTracker; metrics: ExporterMetrics } {
  const health = new HealthTracker();
  const metrics = new ExporterMetrics({ version: 'bench', commit: 'bench', health, transport: () => transport, targetCount, processMetrics: false });
  return { health, metrics };
}

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
