// The exporter process's life, as users and init systems drive it: SIGTERM
// while scrapes are in flight lets each finish (200 with bmc_up), refuses new
// connections, sends Close Session to every BMC (the simulator's counters)
// and exits 0. And the README's quick start: no flags and no ./secrets.yml
// starts demo mode, whose logged targets scrape with bmc_up 1. In between,
// the deadline end to end (src/main.test.ts has it in-process): a BMC that
// turns slow mid-scrape still gives Prometheus an answer in time.
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { samples, startCli, tempDir, type CliProcess, type TempDir } from './exporter/cli.js';
import { startTestFleet, type TestFleet } from './exporter/fleet.js';

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('bmc-exporter-lifecycle-');
});
afterAll(async () => {
  await dir?.remove();
});

/** Try a fresh TCP connection: 'connected' or the error code. */
function tryConnect(url: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = createConnection({ host: u.hostname, port: Number(u.port) });
    sock.once('connect', () => {
      sock.destroy();
      resolve('connected');
    });
    sock.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('SIGTERM during scrapes', () => {
  const BMCS = 5;
  const DELAY_MS = 300;
  let fleet: TestFleet;
  let exporter: CliProcess;

  // The bmc_exporter-compatible collectors: the scrapes' cost here is the subject, not the other families.
  const COMPATIBLE = 'bmc_info,chassis,processor_temperature,power_draw';

  beforeAll(async () => {
    fleet = await startTestFleet({ count: BMCS, profile: 'server-2s', baseAddress: '127.6.6.1', seed: 66 });
    exporter = await startCli(['--web.listen-address', '127.0.0.1:0', '--secrets.static', await dir.write('secrets.yml', fleet.fleet.secrets())]);
  });

  afterAll(async () => {
    await exporter?.stop('SIGKILL');
    await fleet?.close();
  });

  it('every scrape in flight completes with bmc_up 1, new connections are refused, every BMC sees Close Session, exit 0', async () => {
    // Warm every target (session and SDR cached), then slow every answer down:
    // a warm scrape of the four compatible collectors is five round trips, 1.5 s.
    for (const t of fleet.targets) expect(samples(await (await fetch(`${exporter.url}/bmc?target=${t}`)).text()).get('bmc_up')).toBe(1);
    for (let i = 0; i < BMCS; i++) await fleet.fleet.setFaults(i, { delayMs: DELAY_MS });
    const before = await fleet.fleet.list();
    for (const b of before) expect(b.counters.sessions).toMatchObject({ open: 1, closedTotal: 0 });

    // Two scrapes per BMC: one on the wire, one queued behind it.
    let settled = 0;
    const scrapes = fleet.targets.flatMap((t) =>
      [0, 1].map(async () => {
        const res = await fetch(`${exporter.url}/bmc?target=${t}&collectors=${COMPATIBLE}`);
        const text = await res.text();
        settled++;
        return { status: res.status, text };
      }),
    );
    // Every BMC has the first scrape's first command (the timeout is only a safety net).
    const commandsBefore = new Map(before.map((b) => [b.address, b.counters.commandsTotal]));
    await vi.waitFor(
      async () => {
        for (const b of await fleet.fleet.list()) expect(b.counters.commandsTotal, b.address).toBeGreaterThan(commandsBefore.get(b.address)!);
      },
      { timeout: 20_000, interval: 20 },
    );
    process.kill(exporter.pid, 'SIGTERM');
    // The listening socket goes first ...
    await vi.waitFor(async () => expect(await tryConnect(exporter.url)).toBe('ECONNREFUSED'), { timeout: 20_000, interval: 20 });
    // ... while the queued scrapes still have at least nine answers of 300 ms each to wait for.
    expect(settled).toBeLessThanOrEqual(BMCS);

    const results = await Promise.all(scrapes);
    for (const r of results) {
      expect(r.status).toBe(200);
      const m = samples(r.text);
      expect(m.get('bmc_up')).toBe(1);
      expect(m.get('chassis_powered_on')).toBe(1);
      expect(m.has('power_draw_watts{psu="2"}')).toBe(true);
    }
    // In flight at the signal and complete above (both PSUs): none was cut short.

    expect(await exporter.exited).toBe(0);
    for (const b of await fleet.fleet.list()) {
      // closedTotal counts Close Session only (expiry is expiredTotal): one per BMC, none timed out.
      expect(b.counters.sessions, b.address).toMatchObject({ open: 0, openedTotal: 1, closedTotal: 1, expiredTotal: 0 });
    }
    expect(exporter.stderr()).toMatch(/received signal.*SIGTERM|SIGTERM.*received signal/);
    expect(exporter.stderr()).toMatch(/shut down/);
  });
});

describe('a BMC that turns slow mid-scrape, through the CLI', () => {
  let fleet: TestFleet;
  let exporter: CliProcess;
  beforeAll(async () => {
    fleet = await startTestFleet({ count: 1, profile: 'server-2s', baseAddress: '127.6.7.1', seed: 67 });
    exporter = await startCli(['--web.listen-address', '127.0.0.1:0', '--secrets.static', await dir.write('secrets-slow.yml', fleet.fleet.secrets())]);
  });
  afterAll(async () => {
    await exporter?.stop('SIGKILL');
    await fleet?.close();
  });

  it("answers by Prometheus' deadline with bmc_up 1 and what was collected, then scrapes in full again", async () => {
    const url = `${exporter.url}/bmc?target=${fleet.targets[0]}`;
    expect(samples(await (await fetch(url)).text()).get('bmc_up')).toBe(1);
    // Warm scrape order: chassis, CPU1, CPU2, PSU1, PSU2, each one round trip; 400 ms each from now on.
    await fleet.fleet.setFaults(0, { delayMs: 400 });
    // Real time: the exporter is a child process against simulated BMCs in another, so no
    // fake clock reaches it. What was collected proves the deadline cut the scrape (the
    // fake-clock test in src/main.test.ts has the exact figures); the times are only
    // bounded, generously for a loaded machine: not before the 1 s deadline, by it plus 1 s
    // on the exporter's own clock and plus 2 s on ours (process and loopback in between).
    const t0 = performance.now();
    // 1.5 s minus the default 0.5 s offset: a 1 s deadline, two answers in.
    const res = await fetch(url, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '1.5' } });
    const m = samples(await res.text());
    const elapsed = performance.now() - t0;
    expect(res.status).toBe(200);
    expect(elapsed).toBeGreaterThan(950);
    expect(elapsed).toBeLessThan(1_000 + 2_000);
    expect(m.get('bmc_up')).toBe(1);
    expect(m.get('chassis_powered_on')).toBe(1);
    expect(m.has('processor_temperature_celsius{cpu="1"}')).toBe(true);
    expect(m.has('power_draw_watts{psu="1"}')).toBe(false);
    expect(m.has('power_draw_watts{psu="2"}')).toBe(false);
    expect(m.get('bmc_scrape_duration_seconds')).toBeLessThan(1 + 1);

    await fleet.fleet.setFaults(0, { delayMs: 0 });
    const full = samples(await (await fetch(url)).text());
    expect(full.get('bmc_up')).toBe(1);
    expect(full.has('power_draw_watts{psu="2"}')).toBe(true);
    expect((await fleet.fleet.counters(0)).sessions.openedTotal).toBe(1);
  });
});

describe('the quick start: no flags, no ./secrets.yml', () => {
  let exporter: CliProcess;
  afterAll(async () => {
    await exporter?.stop('SIGKILL');
  });

  it('starts demo mode, logs its targets, and /bmc?target=<one of them> has bmc_up 1', async () => {
    const cwd = await tempDir('bmc-exporter-quickstart-');
    exporter = await startCli(['--web.listen-address', '127.0.0.1:0'], { cwd: cwd.path });
    const log = exporter.stderr();
    expect(log).toMatch(/demo mode/);
    const targets = /targets="([^"]+)"/.exec(log)?.[1]?.split(' ') ?? [];
    expect(targets.length, log).toBeGreaterThanOrEqual(1);
    for (const t of targets) expect(t).toMatch(/^127\.\d+\.\d+\.\d+:\d+$/);
    const res = await fetch(`${exporter.url}/bmc?target=${targets.at(-1)}`);
    expect(res.status).toBe(200);
    const m = samples(await res.text());
    expect(m.get('bmc_up')).toBe(1);
    expect(m.has('processor_temperature_celsius{cpu="1"}')).toBe(true);
    const home = await (await fetch(`${exporter.url}/`)).text();
    for (const t of targets) expect(home).toContain(t);
    expect(await exporter.stop()).toBe(0);
    await cwd.remove();
  });
});
