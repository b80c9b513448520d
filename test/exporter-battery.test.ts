// The standing hostile battery, against the exporter CLI as users
// run it, everything on loopback (127.6.10.0/24 and 127.0.0.1), bounded in
// count and time:
//  - hostile HTTP: malformed targets, timeout headers and raw requests, huge
//    headers, slowloris connections, 1,000 concurrent scrapes of a slow BMC
//    (every answer 200 or 503 by the deadline plus a bound);
//  - a UDP flood of the exporter's own socket while a healthy BMC is scraped
//    (it stays up);
//  - malicious BMCs (behind a tampering UDP relay in front of a simulated BMC)
//    answering garbage, truncated duplicates, or only after the deadline:
//    bmc_up 0 in time, and a healthy BMC scraped alongside is undisturbed.
// The exporter must never crash (its process is checked after each part).
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { samples, startCli, tempDir, type CliProcess, type TempDir } from './exporter/cli.js';
import { startTestFleet, type TestFleet } from './exporter/fleet.js';
import { startUdpProxy, type UdpProxy } from './peers/udp-proxy.js';

const DEADLINE_MS = 2000;
/**
 * Real time, because the exporter under attack is the CLI in a child process, loaded on
 * purpose: scheduling on a loaded 2-core machine plus HTTP. Generous, but far below "hung".
 */
const BOUND_MS = 2500;
/** Fleet: 0 healthy, 1 slow (every answer 20 ms late), 2-4 behind the malicious relays. */
const HEALTHY = 0;
const SLOW = 1;
const RELAYED = [2, 3, 4] as const;
const RELAY_ADDRESSES = ['127.6.10.101', '127.6.10.102', '127.6.10.103'] as const;

let fleet: TestFleet;
let dir: TempDir;
let cli: CliProcess;
let host: string;
let port: number;
const relays: UdpProxy[] = [];
let healthySeries: string[];

interface Answer {
  status: number;
  ms: number;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

function get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, headers, agent, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${path} within 60 s`)));
    req.on('error', reject);
    req.end();
  });
}

const bmc = (target: string, headers?: Record<string, string>) => get(`/bmc?target=${encodeURIComponent(target)}`, headers);
const keys = (body: string) => [...samples(body).keys()].filter((k) => k !== 'bmc_scrape_duration_seconds').sort();
const selfMetrics = async () => samples((await get('/metrics')).body);
const dropped = (m: Map<string, number>) => [...m].filter(([k]) => k.startsWith('bmc_exporter_packets_dropped_total')).reduce((a, [, v]) => a + v, 0);

/** A healthy scrape: 200 in time, bmc_up 1, every series of its first scrape. */
async function healthyScrape(): Promise<void> {
  const a = await bmc(fleet.targets[HEALTHY]!);
  expect(a.status).toBe(200);
  expect(a.ms, `healthy scrape took ${a.ms.toFixed(0)} ms`).toBeLessThan(DEADLINE_MS + BOUND_MS);
  expect(samples(a.body).get('bmc_up')).toBe(1);
  expect(keys(a.body)).toEqual(healthySeries);
}

function alive(): void {
  expect(cli.child.exitCode).toBeNull();
  expect(cli.child.signalCode).toBeNull();
}

/** Send raw bytes on a fresh connection; resolves with what came back once the server closes it (or after waitMs). */
function raw(bytes: Buffer | string, waitMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    let got = '';
    const done = () => {
      clearTimeout(t);
      s.destroy();
      resolve(got);
    };
    const t = setTimeout(done, waitMs);
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('close', done);
    s.on('error', done);
    s.write(bytes);
  });
}

/** The exporter's UDP port: its one socket's inode in /proc/<pid>/fd, found in /proc/net/udp. */
function exporterUdpPort(pid: number): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols[9] && inodes.has(cols[9])) return parseInt(cols[1]!.split(':')[1]!, 16);
  }
  throw new Error(`no UDP socket found for exporter pid ${pid}`);
}

/** Deterministic bytes (xorshift), so a failure repeats. */
function noise(seed: number): (n: number) => Buffer {
  let x = seed >>> 0 || 1;
  return (n) => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      b[i] = x & 0xff;
    }
    return b;
  };
}

beforeAll(async () => {
  fleet = await startTestFleet({ count: 5, profile: 'server-2s', baseAddress: '127.6.10.1', seed: 101, bmcFaults: { [String(SLOW)]: { delayMs: 20 } } });
  for (const [i, address] of RELAY_ADDRESSES.entries()) {
    const up = fleet.fleet.endpoints[RELAYED[i]!]!;
    relays.push(await startUdpProxy({ listen: { address, port: 623 }, upstream: { address: up.address, port: up.port } }));
  }
  const creds = fleet.fleet.secrets()[fleet.targets[HEALTHY]!]!;
  const secrets = { ...fleet.fleet.secrets(), ...Object.fromEntries(RELAY_ADDRESSES.map((a) => [`${a}:623`, { ...creds }])) };
  dir = await tempDir('bmc-exporter-battery-');
  cli = await startCli([
    '--web.listen-address',
    '127.0.0.1:0',
    '--secrets.static',
    await dir.write('secrets.yml', secrets),
    '--scrape.timeout',
    `${DEADLINE_MS}ms`,
    '--log.level',
    'info',
  ]);
  const u = new URL(cli.url);
  host = u.hostname;
  port = Number(u.port);
  const first = await bmc(fleet.targets[HEALTHY]!);
  expect(samples(first.body).get('bmc_up')).toBe(1);
  healthySeries = keys(first.body);
});

afterAll(async () => {
  agent.destroy();
  await cli?.stop();
  await Promise.all(relays.map((r) => r.close()));
  await fleet?.close();
  await dir?.remove();
});

describe('hostile HTTP', () => {
  it('malformed targets get a 4xx naming the problem, never a 5xx, and nothing is scraped', async () => {
    const before = (await selfMetrics()).get('bmc_exporter_packets_sent_total') ?? 0;
    const bad = [
      '',
      ' ',
      '[::1',
      '127.0.0.1:99999',
      '127.0.0.1:-1',
      '127.0.0.1:0x26f',
      'a'.repeat(10_000),
      '\u0000',
      '%',
      '../../etc/passwd',
      'http://127.6.10.1:623/',
      '127.6.10.1:623:623',
      '[::1]:623]',
      '😀.example',
      '127.6.10.250:623', // well formed, not in the secrets file
    ];
    for (const t of bad) {
      const a = await get(`/bmc?target=${encodeURIComponent(t)}`);
      expect(a.status, `target ${JSON.stringify(t.slice(0, 40))}: ${a.body}`).toBeGreaterThanOrEqual(400);
      expect(a.status).toBeLessThan(500);
      expect(a.body.length).toBeGreaterThan(0);
    }
    expect((await get(`/bmc?target=${fleet.targets[HEALTHY]}&target=${fleet.targets[SLOW]}`)).status).toBe(400);
    expect((await get('/bmc?target=%ZZ')).status).toBeLessThan(500);
    const sent = (await selfMetrics()).get('bmc_exporter_packets_sent_total') ?? 0;
    expect(sent - before).toBe(0);
    alive();
  });

  it('any timeout header gives an answer by the deadline', async () => {
    const values = ['abc', '-1', '0', '1e309', 'NaN', 'Infinity', '1.001', '2.01', '1e-300', '', '   ', '99999999999', '0x10', '1,5', '\t3'];
    for (const v of values) {
      const a = await bmc(fleet.targets[HEALTHY]!, { 'X-Prometheus-Scrape-Timeout-Seconds': v });
      expect(a.status, `header ${JSON.stringify(v)}: ${a.body.slice(0, 200)}`).toBe(200);
      expect(a.ms, `header ${JSON.stringify(v)}`).toBeLessThan(DEADLINE_MS + BOUND_MS);
      expect(samples(a.body).has('bmc_up')).toBe(true);
    }
    alive();
  });

  it('raw malformed requests and huge headers are refused with a 4xx or a closed connection, never a crash', async () => {
    const requests: (string | Buffer)[] = [
      'GARBAGE\r\n\r\n',
      'GET /bmc?target=127.6.10.1:623 HTTP/9.9\r\n\r\n',
      'GET /bmc?target=127.6.10.1:623 HTTP/1.1\r\nNo colon here\r\n\r\n',
      `GET /${'x'.repeat(100_000)} HTTP/1.1\r\nHost: a\r\n\r\n`,
      Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x0d, 0x0a]),
      'POST /-/reload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nbroken\r\n',
      'GET /bmc HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ];
    for (const r of requests) {
      const got = await raw(r);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(got)?.[1];
      if (status !== undefined) expect(Number(status), `${String(r).slice(0, 60)} → ${got.slice(0, 80)}`).toBeLessThan(500);
    }
    // Headers past Node's 16 KiB limit: 431.
    const huge = Array.from({ length: 40 }, (_, i) => `X-Pad-${i}: ${'y'.repeat(1000)}\r\n`).join('');
    expect(await raw(`GET /bmc?target=${fleet.targets[HEALTHY]} HTTP/1.1\r\nHost: a\r\n${huge}\r\n`)).toMatch(/^HTTP\/1\.1 431/);
    await healthyScrape();
    alive();
  });

  it('slowloris: 300 connections dribbling headers do not delay a scrape, and the server drops them', async () => {
    const slow: Socket[] = [];
    const closed = new Set<Socket>();
    for (let i = 0; i < 300; i++) {
      const s = connect(port, host);
      s.on('error', () => closed.add(s));
      s.on('close', () => closed.add(s));
      s.write(`GET /bmc?target=${fleet.targets[HEALTHY]} HTTP/1.1\r\nHost: a\r\nX-Slow: `);
      slow.push(s);
    }
    const drip = setInterval(() => {
      for (const s of slow) if (!closed.has(s)) s.write('z');
    }, 500);
    try {
      for (let i = 0; i < 3; i++) await healthyScrape();
      // headersTimeout: max(--scrape.timeout, 10 s) for the whole header block, however it trickles.
      const t0 = performance.now();
      while (closed.size < slow.length && performance.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 250));
      expect(closed.size).toBe(slow.length);
    } finally {
      clearInterval(drip);
      for (const s of slow) s.destroy();
    }
    await healthyScrape();
    alive();
  }, 60_000);

  it('1,000 concurrent scrapes of a slow BMC: every answer 200 or 503 by the deadline plus the bound', async () => {
    // 1,000 connections first, 100 at a time: connecting 1,000 at once overflows the listen
    // backlog, and the kernel's SYN retries (1 s, 3 s, ...) would count as the exporter's time.
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        sockets.push(
          ...(await Promise.all(
            Array.from(
              { length: 100 },
              () =>
                new Promise<Socket>((resolve, reject) => {
                  const s = connect(port, host, () => resolve(s));
                  s.once('error', reject);
                }),
            ),
          )),
        );
      }
      const t0 = performance.now();
      const answers = await Promise.all(
        sockets.map(
          (s) =>
            new Promise<{ status: number; ms: number; body: string }>((resolve) => {
              let got = '';
              s.on('data', (d) => (got += d.toString('latin1')));
              s.on('error', () => undefined);
              s.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 0), ms: performance.now() - t0, body: got }));
              s.write(`GET /bmc?target=${fleet.targets[SLOW]} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
            }),
        ),
      );
      const statuses: Record<number, number> = {};
      for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
      expect(
        Object.keys(statuses)
          .map(Number)
          .every((st) => st === 200 || st === 503),
        JSON.stringify(statuses),
      ).toBe(true);
      expect(statuses[200]).toBeGreaterThan(0);
      const slowest = Math.max(...answers.map((a) => a.ms));
      expect(slowest, `slowest answer ${slowest.toFixed(0)} ms; ${JSON.stringify(statuses)}`).toBeLessThan(DEADLINE_MS + BOUND_MS);
      for (const a of answers.filter((x) => x.status === 200)) expect(a.body).toMatch(/^bmc_up [01]$/m);
    } finally {
      for (const s of sockets) s.destroy();
    }
    await healthyScrape();
    alive();
  }, 60_000);
});

describe('UDP flood of the exporter socket', () => {
  it('200,000 datagrams of garbage and lookalikes while a healthy BMC is scraped: it stays up, the flood is counted as dropped, complete again after', async () => {
    const udpPort = exporterUdpPort(cli.pid);
    const before = await selfMetrics();
    const rnd = noise(9);
    // Garbage of every size, RMCP headers with random bodies, RMCP+ session lookalikes with random ids.
    const shapes: Buffer[] = [];
    for (let i = 0; i < 64; i++) {
      shapes.push(rnd(1 + (i % 60) * 8));
      shapes.push(Buffer.concat([Buffer.from([0x06, 0x00, 0xff, 0x07]), rnd(10 + i)]));
      shapes.push(Buffer.concat([Buffer.from([0x06, 0x00, 0xff, 0x07, 0x06, i & 0x3f]), rnd(10), Buffer.from([0x10, 0x00]), rnd(32)]));
      shapes.push(Buffer.concat([Buffer.from([0x06, 0x00, 0xff, 0x07, 0x00]), rnd(9), Buffer.from([0x07]), rnd(7)]));
    }
    const senders: UdpSocket[] = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<UdpSocket>((resolve) => {
            const s = createSocket('udp4');
            s.bind(0, '127.0.0.1', () => resolve(s));
          }),
      ),
    );
    let sent = 0;
    let flooding = true;
    const flood = (async () => {
      while (flooding && sent < 200_000) {
        for (const s of senders) for (let i = 0; i < 64; i++) s.send(shapes[(sent + i) % shapes.length]!, udpPort, '127.0.0.1');
        sent += 64 * senders.length;
        await new Promise((r) => setImmediate(r));
      }
    })();
    try {
      // Answers share the socket with the flood and some are lost with it: the scrape must stay
      // up and in time (retries fill in what they can before the deadline).
      for (let i = 0; i < 5; i++) {
        const a = await bmc(fleet.targets[HEALTHY]!);
        expect(a.status).toBe(200);
        expect(a.ms, `scrape under flood took ${a.ms.toFixed(0)} ms`).toBeLessThan(DEADLINE_MS + BOUND_MS);
        expect(samples(a.body).get('bmc_up')).toBe(1);
      }
    } finally {
      flooding = false;
      await flood;
      await Promise.all(senders.map((s) => new Promise<void>((r) => s.close(() => r()))));
    }
    await healthyScrape();
    expect(sent).toBeGreaterThan(10_000);
    expect(dropped(await selfMetrics()) - dropped(before)).toBeGreaterThan(1000);
    alive();
  }, 60_000);
});

describe('malicious BMCs', () => {
  const rnd = noise(17);
  const modes: [string, (r: UdpProxy) => void][] = [
    ['garbage instead of every answer', (r) => (r.tamper = (a) => [rnd(a.length), Buffer.concat([a.subarray(0, 4), rnd(40)]), rnd(3)])],
    [
      'every answer truncated, three times over',
      (r) => (r.tamper = (a) => [a.subarray(0, a.length - 1), a.subarray(0, a.length >> 1), a.subarray(0, a.length - 1)]),
    ],
    ['every answer only after the deadline', (r) => (r.delayMs = DEADLINE_MS + 1000)],
  ];

  it.each(modes.map(([name], i) => [name, i] as const))(
    '%s: bmc_up 0 by the deadline, a healthy BMC scraped alongside is undisturbed',
    async (_name, i) => {
      const relay = relays[i]!;
      modes[i]![1](relay);
      const target = `${RELAY_ADDRESSES[i]}:623`;
      for (let k = 0; k < 2; k++) {
        const [bad] = await Promise.all([bmc(target), healthyScrape()]);
        expect(bad.status).toBe(200);
        expect(bad.ms, `${target} answered after ${bad.ms.toFixed(0)} ms`).toBeLessThan(DEADLINE_MS + BOUND_MS);
        expect(samples(bad.body).get('bmc_up')).toBe(0);
      }
      expect(relay.requests).toBeGreaterThan(0);
      alive();
    },
    60_000,
  );

  it('late answers that land after their scrapes were given up are dropped, and the healthy BMC stays up', async () => {
    const before = dropped(await selfMetrics());
    const delivered = relays[2]!.responses;
    // The delayed relay still has answers in flight from the last test: wait for them to land
    // and for the exporter to count them dropped (the timeouts are only a safety net).
    await vi.waitFor(() => expect(relays[2]!.responses).toBeGreaterThan(delivered), { timeout: 20_000, interval: 50 });
    await vi.waitFor(async () => expect(dropped(await selfMetrics())).toBeGreaterThan(before), { timeout: 20_000, interval: 100 });
    await healthyScrape();
    alive();
  });
});
