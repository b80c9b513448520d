// Child process of the soak and fault-matrix benchmarks: the Prometheus
// stand-in. Sends GET /bmc?target= with Prometheus' scrape-timeout header and
// classifies every answer: HTTP status, bmc_up, duration, series count. In
// its own process (pinned by the parent) so its CPU is not the exporter's.
//  - 'paced': every target once per interval, target i at offset i/N of it,
//    as Prometheus spreads a job; reports a 'window' of figures per class of
//    target every windowMs, and 'passed' at the end.
//  - 'pass': `passes` passes over every target with `concurrency` scrapes in
//    flight; answers one record per scrape.
import { countSeries, scrapeAgent, scrapeGet } from './scrape-client.js';

/** One scrape as the generator saw it. status 0: no answer within the client's own timeout (or a socket error). */
export interface ScrapeRecord {
  target: number;
  status: number;
  up: boolean;
  ms: number;
  /** Sample lines in the body (comments excluded). */
  series: number;
  /** status 0: the socket error's code, or "client timeout". */
  error?: string;
}

export interface ClassWindow {
  scrapes: number;
  up: number;
  /** Answers later than deadline + bound, or none at all. */
  late: number;
  /** By "HTTP nnn", "bmc_up 0" or "no answer". */
  failures: Record<string, number>;
  latenciesMs: number[];
}

export type ToScrape =
  | {
      type: 'paced';
      base: string;
      targets: string[];
      /** Class of each target (parallel to targets), e.g. "clean", "lossy". */
      classes: string[];
      intervalMs: number;
      durationMs: number;
      windowMs: number;
      timeoutHeaderSeconds: number;
      lateAfterMs: number;
    }
  | { type: 'pass'; base: string; targets: string[]; concurrency: number; passes: number; timeoutHeaderSeconds: number }
  | { type: 'close' };
export type FromScrape =
  | { type: 'window'; atMs: number; byClass: Record<string, ClassWindow>; inFlight: number }
  | { type: 'passed'; ms: number; records: ScrapeRecord[]; cpuUser: number; cpuSystem: number }
  | { type: 'error'; message: string };

const send = (m: FromScrape) => process.send!(m);
async function scrape(base: string, target: string, index: number, headerSeconds: number): Promise<ScrapeRecord> {
  const t0 = performance.now();
  const r = await scrapeGet(`${base}/bmc?target=${encodeURIComponent(target)}`, headerSeconds);
  const up = r.status === 200 && /^bmc_up 1$/m.test(r.body);
  return { target: index, status: r.status, up, ms: performance.now() - t0, series: countSeries(r.body), ...(r.error ? { error: r.error } : {}) };
}

function emptyWindow(): ClassWindow {
  return { scrapes: 0, up: 0, late: 0, failures: {}, latenciesMs: [] };
}

async function paced(m: Extract<ToScrape, { type: 'paced' }>): Promise<void> {
  const t0 = performance.now();
  let windows = new Map<string, ClassWindow>();
  let inFlight = 0;
  const flush = () => {
    const byClass = Object.fromEntries(windows);
    windows = new Map();
    send({ type: 'window', atMs: performance.now() - t0, byClass, inFlight });
  };
  const timer = setInterval(flush, m.windowMs);
  const n = m.targets.length;
  const pending = new Set<Promise<void>>();
  for (let k = 0; ; k++) {
    const due = t0 + (k / n) * m.intervalMs;
    if (due - t0 >= m.durationMs) break;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const i = k % n;
    inFlight++;
    const p = scrape(m.base, m.targets[i]!, i, m.timeoutHeaderSeconds).then((r) => {
      inFlight--;
      const cls = m.classes[i] ?? 'all';
      let w = windows.get(cls);
      if (!w) windows.set(cls, (w = emptyWindow()));
      w.scrapes++;
      w.latenciesMs.push(Math.round(r.ms * 10) / 10);
      if (r.status === 0 || r.ms > m.lateAfterMs) w.late++;
      const why = r.status === 0 ? `no answer (${r.error ?? 'unknown'})` : r.status !== 200 ? `HTTP ${r.status}` : r.up ? undefined : 'bmc_up 0';
      if (why) w.failures[why] = (w.failures[why] ?? 0) + 1;
      else w.up++;
    });
    pending.add(p);
    void p.then(() => pending.delete(p));
  }
  await Promise.all(pending);
  clearInterval(timer);
  flush();
  send({ type: 'passed', ms: performance.now() - t0, records: [], cpuUser: 0, cpuSystem: 0 });
}

async function passes(m: Extract<ToScrape, { type: 'pass' }>): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const records: ScrapeRecord[] = [];
  for (let p = 0; p < m.passes; p++) {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(m.concurrency, m.targets.length) }, async () => {
        while (next < m.targets.length) {
          const i = next++;
          records.push(await scrape(m.base, m.targets[i]!, i, m.timeoutHeaderSeconds));
        }
      }),
    );
  }
  const cpu = process.cpuUsage(cpu0);
  send({ type: 'passed', ms: performance.now() - t0, records, cpuUser: cpu.user / 1e6, cpuSystem: cpu.system / 1e6 });
}

process.on('message', (m: ToScrape) => {
  if (m.type === 'close') {
    scrapeAgent.destroy();
    process.exit(0);
  }
  void (m.type === 'paced' ? paced(m) : passes(m)).catch((err: Error) => send({ type: 'error', message: err.message }));
});
process.on('disconnect', () => process.exit(0));
