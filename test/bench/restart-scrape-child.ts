// Child process of the restart benchmark: the Prometheus stand-in after a
// restart. Scrapes every target once per interval, target i at offset i/N of
// it (as Prometheus spreads a job), for a given time, and answers every
// scrape's outcome: when it started, status, bmc_up, series count. In its own
// process (pinned by the parent) so its CPU is not the exporter's.
import { Agent, request } from 'node:http';

export interface PacedRecord {
  target: number;
  /** When the scrape was sent, ms after the paced run began. */
  atMs: number;
  ms: number;
  status: number;
  up: boolean;
  /** Sample lines in the body (comments excluded). */
  series: number;
}

export type ToRestartScrape = { type: 'paced'; base: string; targets: string[]; intervalMs: number; durationMs: number; timeoutHeaderSeconds: number } | { type: 'close' };
export type FromRestartScrape = { type: 'paced-done'; records: PacedRecord[] } | { type: 'error'; message: string };

const send = (m: FromRestartScrape) => process.send!(m);
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
/** Far past any deadline: an answer that never comes is told apart from a late one. */
const CLIENT_TIMEOUT_MS = 60_000;

function get(url: string, headerSeconds: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(url, { agent, headers: { 'X-Prometheus-Scrape-Timeout-Seconds': headerSeconds.toFixed(3) }, timeout: CLIENT_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end();
  });
}

function countSeries(body: string): number {
  let n = 0;
  for (const line of body.split('\n')) if (line !== '' && line[0] !== '#') n++;
  return n;
}

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
      get(`${m.base}/bmc?target=${encodeURIComponent(m.targets[i]!)}`, m.timeoutHeaderSeconds).then((r) => {
        records.push({ target: i, atMs, ms: performance.now() - t0 - atMs, status: r.status, up: r.status === 200 && /^bmc_up 1$/m.test(r.body), series: countSeries(r.body) });
      }),
    );
  }
  await Promise.all(pending);
  send({ type: 'paced-done', records });
}

process.on('message', (m: ToRestartScrape) => {
  if (m.type === 'close') {
    agent.destroy();
    process.exit(0);
  }
  void paced(m).catch((err: Error) => send({ type: 'error', message: err.message }));
});
process.on('disconnect', () => process.exit(0));
