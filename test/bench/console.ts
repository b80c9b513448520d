// The console benchmark: the fleet summary at / with 50,000
// targets in the pool, served by the real web server in this process. Each
// figure is the page's size in bytes and its render time: the median and p95
// of CONSOLE_BENCH_REQUESTS GETs over loopback (keep-alive), from request to
// last byte, so it includes counting, filtering, sorting, paging and HTML.
// The targets are real Target objects (client, session cache, snapshot)
// acquired through the pool; their last-scrape status is set as scrapes would
// leave it (a mix of up, partial, down with five error kinds, and never
// scraped) instead of scraping 50,000 BMCs: the summary reads nothing else.
// No packet is sent: nothing is scraped. Addresses: 127.214.0.0/16, used by
// no test. Knobs (environment): CONSOLE_BENCH_TARGETS (50000),
// CONSOLE_BENCH_REQUESTS (30).
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { UdpTransport } from '@bmc-exporter/ipmi';
import { startServer } from '../../src/http/server.js';
import { PAGE_SIZE } from '../../src/http/fleet-summary.js';
import { ExporterMetrics } from '../../src/metrics/exporter-metrics.js';
import { HealthTracker } from '../../src/metrics/health.js';
import { parseTargetAddress } from '../../src/targets/target-address.js';
import { TargetPool } from '../../src/targets/target-pool.js';
import type { Benchmark } from './run.js';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);

const ERRORS = [
  'session: RAKP Message 2: the BMC proved a different password',
  'session: deadline exceeded',
  'session: Open Session: insufficient resources to create a session',
  'sel: Get SEL Entry: timeout',
  'sensor_health: Get Sensor Reading: completion code 0xc3',
];

function address(i: number): string {
  return `127.214.${Math.floor(i / 250)}.${(i % 250) + 1}:623`;
}

function get(agent: Agent, base: string, path: string): Promise<{ ms: number; bytes: number; status: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { agent }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve({ ms: performance.now() - started, bytes, status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

export const benchmark: Benchmark = {
  name: 'console',
  description: 'fleet summary page: size and render time with 50,000 targets (in-process server, no BMC traffic)',
  async run(report, log) {
    const count = env('CONSOLE_BENCH_TARGETS', 50_000);
    const requests = env('CONSOLE_BENCH_REQUESTS', 30);
    const health = new HealthTracker();
    const transport = new UdpTransport();
    const metrics = new ExporterMetrics({
      version: 'bench',
      commit: 'bench',
      health,
      transport: () => transport,
      targetCount: () => pool.size,
      processMetrics: false,
    });
    const credentials = { username: 'bench', password: 'bench-password' };
    const pool: TargetPool = new TargetPool({ lookup: () => credentials, transport, metrics, health, idleTimeoutMs: 3_600_000 });
    const now = Date.now();
    for (let i = 0; i < count; i++) {
      const a = parseTargetAddress(address(i));
      const acquired = pool.acquire(a, a.key);
      if ('missing' in acquired) throw new Error('bench lookup refused a target');
      const r = i % 20;
      if (r === 19) continue; // 5 % never scraped
      const s = acquired.target.status;
      s.lastScrapeAt = new Date(now - (i % 30_000));
      s.durationSeconds = 0.05 + (i % 997) / 1000;
      s.up = r < 16;
      s.partial = r === 14 || r === 15;
      s.commands = s.up ? 20 + (i % 7) : 0;
      s.lastError = r >= 14 ? ERRORS[i % ERRORS.length]! : null;
      s.errors = s.lastError ? [s.lastError] : null;
      s.worstSensorLevel = s.up ? (i % 50 === 0 ? 2 : 0) : -1;
    }
    log(`${count} targets in the pool; heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
    const server = await startServer(
      {
        pool,
        metrics,
        logger: { debug() {}, info() {}, warn() {}, error() {} },
        version: 'bench',
        scrapeTimeoutMs: 8000,
        scrapeTimeoutOffsetMs: 500,
        isReady: () => true,
        discovery: () => [],
        reload: () => Promise.resolve({ ok: true, reloaded: [] }),
        knownTargets: () => [],
      },
      { host: '127.0.0.1', port: 0 },
    );
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const cases: Array<[string, string]> = [
      ['summary', '/'],
      ['summary_last_page', `/?page=${Math.ceil(count / PAGE_SIZE.default)}`],
      ['search', '/?q=127.214.77.'],
      ['down_by_duration', '/?state=down&sort=duration'],
      ['by_address_middle_page', `/?sort=target&page=${Math.ceil(count / PAGE_SIZE.default / 2)}`],
      ['target_page', `/target?target=${encodeURIComponent(address(0))}`],
    ];
    try {
      for (const [name, path] of cases) {
        await get(agent, server.url, path); // warm
        const times: number[] = [];
        let bytes = 0;
        for (let i = 0; i < requests; i++) {
          const r = await get(agent, server.url, path);
          if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status}`);
          times.push(r.ms);
          bytes = r.bytes;
        }
        const note = `${count} targets, ${PAGE_SIZE.default} rows a page, GET ${path}, load average ${loadavg()[0]!.toFixed(1)}`;
        report(`${name}_bytes`, bytes, 'bytes', note);
        report(`${name}_render_ms_p50`, quantile(times, 0.5), 'ms', note);
        report(`${name}_render_ms_p95`, quantile(times, 0.95), 'ms', note);
      }
    } finally {
      agent.destroy();
      await server.close();
      await pool.close();
      await transport.close();
    }
  },
};
