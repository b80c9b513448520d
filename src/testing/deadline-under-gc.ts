import { createSocket, type Socket } from 'node:dgram';
import { get as httpGet, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startExporter } from '../main.js';

/**
 * The scrape deadline under garbage collection: many concurrent scrapes (of
 * /bmc, or of /ipmi, the ipmi_exporter-compatible endpoint) of BMCs that never give a usable answer (one silent, one answering random
 * bytes), with collections forced every 100 ms (a full one takes ~20 ms) while they wait.
 * Per BMC, one scrape with a long deadline goes first and holds the BMC until
 * its deadline; the rest, with a shorter one, queue behind it. Every answer
 * must arrive by its own deadline plus a small bound: the first 200 with
 * bmc_up 0 (/ipmi: every ipmi_up 0), the queued ones 503 when their deadline
 * passes in the queue.
 * Runs in the process of the exporter it starts (collections must happen
 * there), so that process needs --expose-gc. Used by a unit test on the host
 * and, from the built dist/, by the container test on the image's Node.
 * Loopback only: the BMCs and the exporter listen on 127.0.0.1.
 * Self-contained on purpose: its only import besides node:* is ../main.js,
 * which the container test points at the image's dist/.
 */
export interface DeadlineUnderGcOptions {
  /** The endpoint scraped: /bmc (credentials from a secrets file) or /ipmi (from an ipmi_exporter modules file). */
  endpoint?: '/bmc' | '/ipmi';
  /** Concurrent scrapes per BMC. */
  concurrency?: number;
  /** X-Prometheus-Scrape-Timeout-Seconds of the queued scrapes; the deadline is this minus the 500 ms offset. */
  headerSeconds?: number;
  /** The same for the first scrape of each BMC (longer: the others queue behind it). */
  firstHeaderSeconds?: number;
  /** Give up on an answer this long after its deadline (then it counts as none). */
  waitPastDeadlineMs?: number;
}

export interface DeadlineAnswer {
  bmc: 'silent' | 'garbage';
  /** The deadline this scrape asked for (ms). */
  deadlineMs: number;
  /** 0: no answer within the wait. */
  status: number;
  /** From sending the request to the end of the answer. */
  ms: number;
  /** bmc_up of a 200 /bmc answer; for /ipmi, 1 if any ipmi_up{collector} is 1, else 0. */
  up?: number;
}

/** One scrape request as the exporter saw it: from its arrival to the end of its answer. */
export interface ServerTiming {
  deadlineMs: number;
  status: number;
  ms: number;
}

export interface DeadlineUnderGcResult {
  /** As the client saw them (their times include waiting for the exporter to accept, on a loaded machine). */
  answers: DeadlineAnswer[];
  /** As the exporter saw them: what its deadline governs. */
  served: ServerTiming[];
  /** Collections forced while the scrapes were waiting. */
  collections: number;
  /** The longest the event loop was held up meanwhile (ms): how loaded the machine and the collector made it. */
  maxLoopDelayMs: number;
  node: string;
}

const OFFSET_MS = 500;

export async function runDeadlineUnderGc(o: DeadlineUnderGcOptions = {}): Promise<DeadlineUnderGcResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') throw new Error('run node with --expose-gc: this check forces garbage collections');
  const concurrency = o.concurrency ?? 40;
  const headerSeconds = o.headerSeconds ?? 1.5;
  const firstHeaderSeconds = o.firstHeaderSeconds ?? 4.5;
  const waitPastMs = o.waitPastDeadlineMs ?? 8000;
  const endpoint = o.endpoint ?? '/bmc';

  const silent = await bind((_msg, _from, _s) => undefined);
  const garbage = await bind((msg, from, s) => {
    // Random bytes, sometimes a truncated echo: never a packet that verifies.
    const reply = Math.random() < 0.5 ? randomBytes(1 + Math.floor(Math.random() * 64)) : msg.subarray(0, Math.floor(Math.random() * msg.length));
    s.send(reply, from.port, from.address);
  });
  const targets = { silent: `127.0.0.1:${port(silent)}`, garbage: `127.0.0.1:${port(garbage)}` };
  const dir = await mkdtemp(join(tmpdir(), 'bmc-exporter-gc-'));
  const credentialFiles: { secretsFile: string } | { ipmiConfigFile: string; ipmiAllowedTargets: string } =
    endpoint === '/bmc' ? { secretsFile: join(dir, 'secrets.yml') } : { ipmiConfigFile: join(dir, 'ipmi.yml'), ipmiAllowedTargets: '127.0.0.1/32' };
  if ('secretsFile' in credentialFiles) {
    await writeFile(
      credentialFiles.secretsFile,
      Object.values(targets)
        .map((t) => `"${t}":\n  username: scraper\n  password: not-a-real-one\n`)
        .join(''),
    );
  } else {
    // ipmi_exporter's default module with its default collectors (ipmi, dcmi, bmc, chassis).
    await writeFile(credentialFiles.ipmiConfigFile, 'modules:\n  default:\n    user: scraper\n    pass: not-a-real-one\n');
  }
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const exporter = await startExporter(
    {
      listen: { host: '127.0.0.1', port: 0 },
      ...credentialFiles,
      // Longer than the header's: the header must rule, as with Prometheus.
      scrapeTimeoutMs: 8000,
      scrapeTimeoutOffsetMs: OFFSET_MS,
      logLevel: 'error',
      logFormat: 'json',
      targetIdleTimeoutMs: 60_000,
      demo: false,
    },
    // The library's default retry policy: left alone, a silent BMC costs 7 s.
    { logger: quiet, processMetrics: false },
  );
  const served: ServerTiming[] = [];
  exporter.httpServer.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url?.startsWith(`${endpoint}?`)) return;
    const arrived = performance.now();
    const header = Number(req.headers['x-prometheus-scrape-timeout-seconds']);
    res.once('finish', () => served.push({ deadlineMs: Math.floor(header * 1000 - OFFSET_MS), status: res.statusCode, ms: performance.now() - arrived }));
  });
  let collections = 0;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const collector = setInterval(() => {
    gc();
    collections++;
  }, 100);
  try {
    const scrape = (bmc: 'silent' | 'garbage', seconds: number): Promise<DeadlineAnswer> => {
      const started = performance.now();
      const deadlineMs = Math.floor(seconds * 1000 - OFFSET_MS);
      // node:http with a connection of its own per request: fetch's pool hands out
      // connections one by one under load, and the scrapes would not arrive together.
      return new Promise((resolve) => {
        const done = (status: number, text = '') => {
          clearTimeout(timer);
          const up = upOf(endpoint, text);
          resolve({ bmc, deadlineMs, status, ms: performance.now() - started, ...(up !== undefined ? { up } : {}) });
        };
        const req = httpGet(
          `${exporter.url}${endpoint}?target=${targets[bmc]}`,
          { agent: false, headers: { 'X-Prometheus-Scrape-Timeout-Seconds': seconds.toFixed(6) } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (text += d));
            res.on('end', () => done(res.statusCode ?? 0, text));
            res.on('error', () => done(0));
          },
        );
        req.on('error', () => done(0));
        // Our own timer, strongly held, for the same reason as the exporter's.
        const timer = setTimeout(() => req.destroy(), deadlineMs + waitPastMs);
      });
    };
    const pending: Array<Promise<DeadlineAnswer>> = [scrape('silent', firstHeaderSeconds), scrape('garbage', firstHeaderSeconds)];
    // Both first scrapes are collecting before the rest are sent, so the rest queue behind them.
    const started = (t: string) => exporter.pool.peek(t)?.status.lastScrapeAt != null;
    while (!started(targets.silent) || !started(targets.garbage)) await new Promise((r) => setTimeout(r, 5));
    for (let i = 1; i < concurrency; i++) {
      pending.push(scrape('silent', headerSeconds), scrape('garbage', headerSeconds));
      // Collect while requests are still arriving too.
      if (i % 10 === 0) gc();
    }
    const answers = await Promise.all(pending);
    return { answers, served, collections, maxLoopDelayMs: Math.round(loop.max / 1e6), node: process.version };
  } finally {
    clearInterval(collector);
    loop.disable();
    await exporter.close();
    silent.close();
    garbage.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** bmc_up of a /bmc answer; for /ipmi, whether any collector's ipmi_up is 1. Undefined when the answer has none. */
function upOf(endpoint: '/bmc' | '/ipmi', text: string): number | undefined {
  if (endpoint === '/bmc') {
    const up = /^bmc_up (\d+)$/m.exec(text)?.[1];
    return up === undefined ? undefined : Number(up);
  }
  const ups = [...text.matchAll(/^ipmi_up\{collector="[^"]*"\} (\d+)$/gm)].map((m) => Number(m[1]));
  return ups.length === 0 ? undefined : Math.max(...ups);
}

async function bind(onMessage: (msg: Buffer, from: { address: string; port: number }, s: Socket) => void): Promise<Socket> {
  const s = createSocket('udp4');
  s.on('message', (msg, from) => onMessage(msg, from, s));
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => resolve());
  });
  return s;
}

function port(s: Socket): number {
  return s.address().port;
}
