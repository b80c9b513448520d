// Child process of the exporter benchmark: the Prometheus stand-in. Sends
// GET /bmc?target= over keep-alive connections with bounded concurrency, one
// pass over all targets at a time, in its own process so its CPU is not the
// exporter's.
import { Agent, request } from 'node:http';

export type ToLoad =
  | {
      type: 'pass';
      base: string;
      targets: string[];
      concurrency: number;
      minSeconds: number;
      maxPasses: number;
      /** Appended to every /bmc URL (e.g. "&collectors=bmc_info,chassis"). */
      query?: string;
    }
  | {
      /**
       * As Prometheus scrapes: every target once per interval, target i at
       * offset i/N of the interval, for `intervals` intervals; no cap on
       * scrapes in flight (the schedule, not the generator, sets the rate).
       */
      type: 'paced';
      base: string;
      targets: string[];
      intervalMs: number;
      intervals: number;
    }
  | { type: 'close' };
export type FromLoad = {
  type: 'passed';
  passes: number;
  scrapes: number;
  /** Answered 200 with bmc_up 1. */
  up: number;
  /** Status codes other than 200, and 200s with bmc_up 0. */
  failures: Record<string, number>;
  firstFailure?: string;
  ms: number;
  latenciesMs: number[];
  /** Targets whose scrape failed, at most MAX_FAILED_TARGETS of them (for a retry). */
  failedTargets: string[];
  cpuUser: number;
  cpuSystem: number;
};

const send = (m: FromLoad) => process.send!(m);
/** Bounds what one answer carries over IPC. */
const MAX_FAILED_TARGETS = 10_000;
let agent: Agent | undefined;
let agentSockets = 0;

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

process.on('message', (m: ToLoad) => {
  void (async () => {
    if (m.type === 'close') {
      agent?.destroy();
      process.exit(0);
    }
    // One connection per scrape in flight: an agent kept from a pass with fewer would queue the rest inside it.
    const sockets = m.type === 'pass' ? m.concurrency : 256;
    if (!agent || agentSockets !== sockets) {
      agent?.destroy();
      agent = new Agent({ keepAlive: true, maxSockets: sockets });
      agentSockets = sockets;
    }
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const latenciesMs: number[] = [];
    const failures: Record<string, number> = {};
    let firstFailure: string | undefined;
    const failedTargets: string[] = [];
    let scrapes = 0;
    let up = 0;
    let passes = 0;
    const urls = m.targets.map((t) => `${m.base}/bmc?target=${encodeURIComponent(t)}${m.type === 'pass' ? (m.query ?? '') : ''}`);
    const scrape = async (i: number) => {
      const url = urls[i]!;
      const s = performance.now();
      let why: string | undefined;
      try {
        const r = await get(url);
        if (r.status !== 200) why = `HTTP ${r.status}`;
        else if (!/^bmc_up 1$/m.test(r.body)) why = 'bmc_up 0';
        if (why) firstFailure ??= `${url}: ${why} ${r.body.slice(0, 200)}`;
      } catch (err) {
        why = (err as Error).message;
        firstFailure ??= `${url}: ${why}`;
      }
      scrapes++;
      latenciesMs.push(performance.now() - s);
      if (why) {
        failures[why] = (failures[why] ?? 0) + 1;
        if (failedTargets.length < MAX_FAILED_TARGETS) failedTargets.push(m.targets[i]!);
      } else up++;
    };
    if (m.type === 'paced') {
      const total = urls.length * m.intervals;
      const pending: Promise<void>[] = [];
      for (let k = 0; k < total; k++) {
        const due = t0 + (k / urls.length) * m.intervalMs;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        pending.push(scrape(k % urls.length));
      }
      await Promise.all(pending);
      passes = m.intervals;
    } else {
      do {
        let next = 0;
        await Promise.all(
          Array.from({ length: Math.min(m.concurrency, urls.length) }, async () => {
            while (next < urls.length) await scrape(next++);
          }),
        );
        passes++;
      } while (passes < m.maxPasses && performance.now() - t0 < m.minSeconds * 1000);
    }
    const cpu = process.cpuUsage(cpu0);
    send({
      type: 'passed',
      passes,
      scrapes,
      up,
      failures,
      firstFailure,
      ms: performance.now() - t0,
      latenciesMs,
      failedTargets,
      cpuUser: cpu.user / 1e6,
      cpuSystem: cpu.system / 1e6,
    });
  })();
});
