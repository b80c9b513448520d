// Child process of the restart benchmark: the Prometheus stand-in after a
// restart. Scrapes every target once per interval, target i at offset i/N of
// it (as Prometheus spreads a job), for a given time, and answers every
// scrape's outcome: when it started, status, bmc_up, series count. In its own
// process (pinned by the parent) so its CPU is not the exporter's.
import { scrapeAgent, scrapeGet } from './scrape-client.js';

/**
 * Families with a series per category and severity of the events logged so
 * far: the simulated BMCs log events as the run goes on, so these grow
 * between scrapes that are each complete. Left out of the count that tells a
 * complete scrape from one the deadline cut short.
 */
const SEL_EVENT_FAMILIES = ['sel_events', 'sel_latest_event_timestamp_seconds', 'sel_last_addition_timestamp_seconds'];

/** Sample lines of an exposition, but for SEL_EVENT_FAMILIES. */
function steadySeries(body: string): number {
  let n = 0;
  for (const line of body.split('\n')) {
    if (line === '' || line[0] === '#') continue;
    const end = line.search(/[{ ]/);
    if (!SEL_EVENT_FAMILIES.includes(end < 0 ? line : line.slice(0, end))) n++;
  }
  return n;
}

export interface PacedRecord {
  target: number;
  /** When the scrape was sent, ms after the paced run began. */
  atMs: number;
  ms: number;
  status: number;
  up: boolean;
  /** Sample lines in the body (comments excluded), but for the SEL's per-event families (SEL_EVENT_FAMILIES). */
  series: number;
}

export type ToRestartScrape =
  | { type: 'paced'; base: string; targets: string[]; intervalMs: number; durationMs: number; timeoutHeaderSeconds: number }
  | { type: 'close' };
export type FromRestartScrape = { type: 'paced-done'; records: PacedRecord[] } | { type: 'error'; message: string };

const send = (m: FromRestartScrape) => process.send!(m);
async function paced(m: Extract<ToRestartScrape, { type: 'paced' }>): Promise<void> {
  const t0 = performance.now();
  const n = m.targets.length;
  const records: PacedRecord[] = [];
  const pending: Promise<void>[] = [];
  for (let k = 0; ; k++) {
    const due = (k / n) * m.intervalMs;
    if (due >= m.durationMs) break;
    const wait = t0 + due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const i = k % n;
    const atMs = performance.now() - t0;
    pending.push(
      scrapeGet(`${m.base}/bmc?target=${encodeURIComponent(m.targets[i]!)}`, m.timeoutHeaderSeconds).then((r) => {
        records.push({
          target: i,
          atMs,
          ms: performance.now() - t0 - atMs,
          status: r.status,
          up: r.status === 200 && /^bmc_up 1$/m.test(r.body),
          series: steadySeries(r.body),
        });
      }),
    );
  }
  await Promise.all(pending);
  send({ type: 'paced-done', records });
}

process.on('message', (m: ToRestartScrape) => {
  if (m.type === 'close') {
    scrapeAgent.destroy();
    process.exit(0);
  }
  void paced(m).catch((err: Error) => send({ type: 'error', message: err.message }));
});
process.on('disconnect', () => process.exit(0));
