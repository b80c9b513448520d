import { CollectorListError, parseCollectorList } from '../collectors/index.js';
import { EXPOSITION_HEADERS, Exposition } from '../metrics/exposition.js';
import { parseTargetAddress, type TargetAddress } from '../targets/target-address.js';
import { ScrapeTrace } from '../targets/scrape-trace.js';
import { ScrapeAbandonedError, type Target } from '../targets/target.js';
import { SCRAPE_TIMEOUT_HEADER, scrapeDeadlineMs } from './deadline.js';
import { whileInFlight } from './in-flight.js';
import { ScrapeSignal } from './scrape-signal.js';
import { sendText, type Handler, type HttpDeps } from './types.js';

/** A scrape with neither ?collectors= nor ?debug=true (scrape() never writes to its options). */
const NO_OPTIONS = {};

/**
 * GET /bmc?target=<host>[:port][&collectors=a,b][&debug=true]: one scrape of one BMC into a
 * fresh answer; `collectors` (comma list, or repeated as Prometheus sends a
 * `params` list) runs only those for this scrape, module-style, so one job can
 * ask for less. 400: no or unparsable target, or an empty or unknown collector
 * (the message lists the known ones). 403: no credentials for it — the exporter
 * refuses to talk to BMCs it was not given (invariant 4 in docs/architecture.md), nothing
 * is sent, no client is made; 403 rather than 404 because the BMC may well
 * exist: the exporter is just not allowed to scrape it. 503: the deadline
 * passed while queued behind another scrape of the same BMC. Otherwise 200
 * with bmc_up, bmc_scrape_duration_seconds and whatever was collected in time.
 * debug=true answers, under the same rules, a plain-text log of that scrape
 * (each command with its duration and completion code, retries, dropped
 * packets, session events, errors) followed by the metrics it would have
 * returned, as blackbox_exporter's debug output does; no credential in it.
 */
export function bmcHandler(deps: HttpDeps, inFlight: Set<Promise<void>>): Handler {
  return async (req, res, url) => {
    const values = url.searchParams.getAll('target');
    const raw = values[0]?.trim() ?? '';
    if (values.length > 1) return sendText(res, 400, "give exactly one 'target' parameter");
    if (raw === '') return sendText(res, 400, "'target' parameter must be specified, e.g. /bmc?target=192.0.2.1:623");
    let address: TargetAddress;
    try {
      address = parseTargetAddress(raw);
    } catch (err) {
      return sendText(res, 400, `bad 'target' parameter: ${(err as Error).message}`);
    }
    // Checked before the target is looked up: a bad value sends nothing anywhere.
    const debugValues = url.searchParams.getAll('debug');
    if (debugValues.length > 1 || (debugValues.length === 1 && debugValues[0] !== 'true' && debugValues[0] !== 'false')) {
      return sendText(res, 400, "bad 'debug' parameter: give debug=true or debug=false, once");
    }
    const trace = debugValues[0] === 'true' ? new ScrapeTrace() : undefined;
    // Likewise: a bad list sends nothing anywhere.
    let collectors: string[] | undefined;
    const wanted = url.searchParams.getAll('collectors');
    if (wanted.length > 0) {
      try {
        collectors = parseCollectorList(wanted);
      } catch (err) {
        if (err instanceof CollectorListError) return sendText(res, 400, `bad 'collectors' parameter: ${err.message}`);
        throw err;
      }
    }
    const acquired = deps.pool.acquire(address, raw);
    if ('missing' in acquired) {
      deps.logger.debug({ target: address.key }, 'scrape refused: no credentials');
      return sendText(res, 403, `no credentials for target "${address.key}" in the secrets file; nothing was sent to it`);
    }
    const deadlineMs = scrapeDeadlineMs(req.headers[SCRAPE_TIMEOUT_HEADER], deps.scrapeTimeoutMs, deps.scrapeTimeoutOffsetMs);
    const deadline = performance.now() + deadlineMs;
    // Held by this request until it is answered (never left to the garbage collector).
    const scrapeSignal = new ScrapeSignal(res, deadlineMs);
    // NaN written "Nan" as prom-client writes it: /bmc answers prom-client's bytes (pinned in exposition.test.ts).
    const out = new Exposition('Nan');
    const scrape = acquired.target.scrape(
      scrapeSignal.signal,
      out,
      deadline,
      collectors || trace ? { ...(collectors ? { collectors } : {}), ...(trace ? { trace } : {}) } : NO_OPTIONS,
    );
    try {
      await whileInFlight(inFlight, scrape);
    } catch (err) {
      if (err instanceof ScrapeAbandonedError) {
        deps.logger.warn({ target: address.key, deadlineMs }, 'scrape abandoned while queued');
        return sendText(res, 503, err.message);
      }
      throw err;
    } finally {
      scrapeSignal.dispose();
    }
    const s = acquired.target.status;
    // A line per scrape, built only when debug is on.
    if (deps.logger.isLevelEnabled?.('debug') !== false) {
      deps.logger.debug({ target: address.key, up: s.up, seconds: s.durationSeconds, error: s.lastError, deadlineMs }, 'scraped');
    }
    if (res.headersSent || res.destroyed) return;
    const body = out.text();
    if (trace) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(renderDebug(acquired.target, trace, { deadlineMs, collectors }) + body);
      return;
    }
    res.writeHead(200, EXPOSITION_HEADERS);
    res.end(body);
  };
}

/** The log part of a debug answer; the metrics follow it. */
function renderDebug(target: Target, trace: ScrapeTrace, scrape: { deadlineMs: number; collectors: readonly string[] | undefined }): string {
  const s = target.status;
  const errors = (s.errors ?? []).map((e) => `  ${target.redact(e)}\n`).join('');
  return (
    `Log of the scrape of ${target.key} (deadline ${(scrape.deadlineMs / 1000).toFixed(3)}s, ` +
    `collectors ${scrape.collectors ? scrape.collectors.join(',') : "of the target's configuration"}):\n` +
    trace.render() +
    `result: up=${s.up ? 1 : 0} after ${(s.durationSeconds ?? 0).toFixed(3)}s${s.partial ? ', not everything was read' : ''}\n` +
    (errors ? `errors:\n${errors}` : '') +
    `\nMetrics that would have been returned:\n`
  );
}
