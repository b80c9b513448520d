import { formatGuid, parseGuid } from '@bmc-exporter/ipmi';
import { PROFILES } from '@bmc-exporter/bmc-sim';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.js';
import { startExporter, type Exporter, type StartOptions } from './main.js';
import { httpGet, recordServed, settle, until, useFakeClock } from './testing/fake-clock.js';
import { samples, SIM_USER, startSimTarget, writeSecrets, type SimTarget } from './testing/sim-target.js';

/** gebn/bmc_exporter's families, and the collectors that make them. */
const COMPATIBLE = 'bmc_info,chassis,processor_temperature,power_draw';
const COMPATIBLE_FAMILIES = /^(bmc_|chassis_(powered_on|intrusion|power_fault|cooling_fault|drive_fault)$|processor_temperature|power_draw)/;
const FAST = { initialTimeoutMs: 150, maxTimeoutMs: 300, backoff: 2, attempts: 2, sessionAttempts: 2 };
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  // A test that failed on the fake clock: let its pending timers run out, then close on the real one.
  if (vi.isFakeTimers()) await vi.runAllTimersAsync();
  vi.useRealTimers();
  while (cleanup.length) await cleanup.pop()!();
});

let logText = '';
async function setup(profile = 'server-2s', opts: Partial<StartOptions> = {}, retry: object = FAST) {
  const sim = await startSimTarget(profile);
  cleanup.push(() => sim.close());
  const secrets = await writeSecrets([sim.target]);
  cleanup.push(() => secrets.remove());
  const exporter = await start({ secretsFile: secrets.path, ...opts }, retry);
  return { sim, secrets, exporter };
}

async function start(opts: Partial<StartOptions>, retry: object = FAST): Promise<Exporter> {
  logText = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logText += String(chunk);
      cb();
    },
  });
  const exporter = await startExporter(
    {
      listen: { host: '127.0.0.1', port: 0 },
      scrapeTimeoutMs: 2500,
      scrapeTimeoutOffsetMs: 500,
      logLevel: 'debug',
      logFormat: 'json',
      targetIdleTimeoutMs: 60_000,
      demo: false,
      ...opts,
    },
    { retry, processMetrics: false, logger: createLogger({ level: 'debug', format: 'json', destination: sink }) },
  );
  cleanup.push(() => exporter.close());
  return exporter;
}

async function get(exporter: Exporter, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${exporter.url}${path}`, { headers });
  return { status: res.status, text: await res.text() };
}

const scrape = (e: Exporter, sim: SimTarget, headers: Record<string, string> = {}) => get(e, `/bmc?target=${sim.target}`, headers);

async function healthy(e: Exporter): Promise<number | undefined> {
  return samples((await get(e, '/metrics')).text).get('bmc_exporter_healthy');
}

describe('/bmc against a simulated server-2s', () => {
  it('returns the bmc_exporter metrics with the BMC values, then scrapes warm with one round trip per datum', async () => {
    const { sim, exporter } = await setup();
    const first = await scrape(exporter, sim);
    expect(first.status).toBe(200);
    const m = samples(first.text);
    const guid = formatGuid(parseGuid(PROFILES['server-2s']!.guid));
    expect(m.get('bmc_up')).toBe(1);
    expect(m.get(`bmc_info{guid="${guid}",firmware="2.47",ipmi="2.0"}`)).toBe(1);
    expect(m.get('chassis_powered_on')).toBe(1);
    for (const f of ['intrusion', 'power_fault', 'cooling_fault', 'drive_fault']) expect(m.get(`chassis_${f}`)).toBe(0);
    expect(m.get('processor_temperature_celsius{cpu="1"}')).toBeCloseTo(45, 0);
    expect(m.get('processor_temperature_celsius{cpu="2"}')).toBeCloseTo(47, 0);
    expect(m.get('power_draw_watts{psu="1"}')).toBeCloseTo(196, -1);
    expect(m.get('power_draw_watts{psu="2"}')).toBeCloseTo(204, -1);
    expect(m.has('power_draw_watts{psu=""}')).toBe(false);
    expect(m.get('bmc_scrape_duration_seconds')).toBeGreaterThan(0);

    sim.resetCounts();
    // The bmc_exporter-compatible collectors only (the rest of the default set is proven in
    // src/collectors/collectors-sim.test.ts): the same samples, one round trip per datum.
    const warm = await get(exporter, `/bmc?target=${sim.target}&collectors=${COMPATIBLE}`);
    const compatible = new Map([...m].filter(([k]) => COMPATIBLE_FAMILIES.test(k)));
    expect(samples(warm.text)).toEqual(new Map([...compatible].map(([k, v]) => [k, k === 'bmc_scrape_duration_seconds' ? samples(warm.text).get(k)! : v])));
    // Get Chassis Status once, Get Sensor Reading for 2 CPUs + 2 PSUs; no session setup, no SDR, no canary.
    expect(Object.fromEntries(sim.commands)).toEqual({ '00:01': 1, '04:2d': 4 });
    expect(sim.requests).toBe(5);
    expect(sim.protocol.counters.openedTotal).toBe(1);
  });

  it('falls back to DCMI power with psu="" when the SDR has no PSU wattage sensor (profile minimal)', async () => {
    const { sim, exporter } = await setup('minimal');
    const m = samples((await scrape(exporter, sim)).text);
    expect(m.get('bmc_up')).toBe(1);
    expect(m.get('power_draw_watts{psu=""}')).toBe(120);
    expect(m.get('processor_temperature_celsius{cpu="1"}')).toBeCloseTo(40, 0);
    // Quanta (IANA 7244) firmware as bmc_exporter formats it.
    expect([...m.keys()].find((k) => k.startsWith('bmc_info'))).toContain('firmware="1.5.00"');
    sim.resetCounts();
    await get(exporter, `/bmc?target=${sim.target}&collectors=${COMPATIBLE}`);
    // DCMI support is remembered per session: only Get Power Reading (0x2c:0x02) on a warm scrape.
    expect(Object.fromEntries(sim.commands)).toEqual({ '00:01': 1, '04:2d': 1, '2c:02': 1 });
  });
});

describe('/bmc input and credentials', () => {
  it('answers 400 without a target and 403 for a target without credentials, sending nothing', async () => {
    const { sim, exporter } = await setup();
    const other = await startSimTarget();
    cleanup.push(() => other.close());
    expect((await get(exporter, '/bmc')).status).toBe(400);
    expect((await get(exporter, '/bmc?target=')).text).toMatch(/'target' parameter must be specified/);
    expect((await get(exporter, '/bmc?target=[::1')).status).toBe(400);
    const refused = await scrape(exporter, other);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain(`no credentials for target "${other.target}"`);
    expect(other.requests).toBe(0);
    expect(sim.requests).toBe(0);
    const m = samples((await get(exporter, '/metrics')).text);
    expect(m.get('bmc_provider_credentials_missing_total')).toBe(1);
    expect(exporter.pool.size).toBe(0);
  });

  it('never shows the password in pages, metrics or logs', async () => {
    const { sim, exporter } = await setup();
    await scrape(exporter, sim);
    sim.model.setSensorValue('CPU1 Temp', null);
    const pages = [(await scrape(exporter, sim)).text, (await get(exporter, '/')).text, (await get(exporter, '/metrics')).text, logText];
    for (const p of pages) expect(p).not.toContain(SIM_USER.password);
  });
});

describe('deadlines', () => {
  // On a fake clock (src/testing/fake-clock.ts): each answer is checked against the
  // fake instant it finished at, so the figures are exact and a loaded machine cannot move them.
  it('a BMC that stops answering mid-scrape: the answer comes at the deadline with bmc_up and what was collected', async () => {
    // The library's default retry (1 s, then 2 s): left alone, the silent BMC would keep the scrape 7 s.
    const { sim, exporter } = await setup('server-2s', {}, { initialTimeoutMs: 1000, maxTimeoutMs: 4000, backoff: 2, attempts: 3, sessionAttempts: 2 });
    await scrape(exporter, sim); // warm: the next scrape is chassis, CPU1, CPU2, PSU1, PSU2
    const served = recordServed(exporter.httpServer);
    useFakeClock();
    sim.answerBudget = 2;
    const warmRequests = sim.requests;
    const answer = httpGet(`${exporter.url}/bmc?target=${sim.target}`, { 'X-Prometheus-Scrape-Timeout-Seconds': '1.5' });
    // Chassis and CPU1 answered; CPU2's request is on the wire and will never be.
    await until(() => sim.requests === warmRequests + 3);
    // The header's 1.5 s less the 500 ms offset: still waiting 1 ms before it, answered at it.
    await vi.advanceTimersByTimeAsync(999);
    await settle();
    expect(served[0]!.finishedAt).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    const r = await answer;
    expect(served[0]!.finishedAt! - served[0]!.arrivedAt).toBe(1000);
    const m = samples(r.text);
    expect(m.get('bmc_up')).toBe(1);
    expect(m.get('chassis_powered_on')).toBe(1);
    expect(m.has('processor_temperature_celsius{cpu="1"}')).toBe(true);
    expect(m.has('processor_temperature_celsius{cpu="2"}')).toBe(false);
    expect(m.has('power_draw_watts{psu="1"}')).toBe(false);
    // The header lowered that request only: the next one gets the full --scrape.timeout (2.5 s).
    const requestsBefore = sim.requests;
    const second = httpGet(`${exporter.url}/bmc?target=${sim.target}`);
    await until(() => served.length === 2 && sim.requests > requestsBefore);
    await vi.advanceTimersByTimeAsync(2499);
    await settle();
    expect(served[1]!.finishedAt).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect((await second).status).toBe(200);
    expect(served[1]!.finishedAt! - served[1]!.arrivedAt).toBe(2500);
    const self = samples((await httpGet(`${exporter.url}/metrics`)).text);
    expect(self.get('bmc_collector_partial_collections_total')).toBe(2);
  });

  it('answers 503 to a scrape whose deadline passes while it waits behind another of the same BMC', async () => {
    const { sim, exporter } = await setup();
    const served = recordServed(exporter.httpServer);
    useFakeClock();
    sim.answerBudget = 0;
    const slow = httpGet(`${exporter.url}/bmc?target=${sim.target}`);
    // The first scrape holds the BMC: its first datagram is on the wire.
    await until(() => sim.requests > 0);
    const queued = httpGet(`${exporter.url}/bmc?target=${sim.target}`, { 'X-Prometheus-Scrape-Timeout-Seconds': '0.8' });
    await until(() => served.length === 2);
    // 0.8 s less the 500 ms offset, spent in the queue: 503 at 300 ms, the first still trying (its retries take 450 ms).
    await vi.advanceTimersByTimeAsync(300);
    expect((await queued).status).toBe(503);
    expect(served[1]!.finishedAt! - served[1]!.arrivedAt).toBe(300);
    expect(served[0]!.finishedAt).toBeUndefined();
    await vi.advanceTimersByTimeAsync(2200);
    const first = await slow;
    expect(first.status).toBe(200);
    expect(samples(first.text).get('bmc_up')).toBe(0);
    const self = samples((await httpGet(`${exporter.url}/metrics`)).text);
    expect(self.get('bmc_target_abandoned_requests_total')).toBe(1);
  });
});

describe('the health meta metric', () => {
  it('is 1 before any scrape and while the first is in flight, 0 after a read failure, 1 again after a good collection', async () => {
    const { sim, exporter } = await setup();
    expect(await healthy(exporter)).toBe(1);
    sim.answerBudget = 0;
    const inFlight = scrape(exporter, sim);
    await until(() => sim.requests > 0);
    expect(await healthy(exporter)).toBe(1);
    expect(samples((await inFlight).text).get('bmc_up')).toBe(0);
    expect(await healthy(exporter)).toBe(0);
    sim.answerBudget = undefined;
    expect(samples((await scrape(exporter, sim)).text).get('bmc_up')).toBe(1);
    expect(await healthy(exporter)).toBe(1);
  });

  it('an absent sensor is not a failure', async () => {
    const { sim, exporter } = await setup();
    sim.model.setSensorPresent('CPU2 Temp', false);
    const m = samples((await scrape(exporter, sim)).text);
    expect(m.has('processor_temperature_celsius{cpu="2"}')).toBe(false);
    expect(m.get('processor_temperature_celsius{cpu="1"}')).toBeCloseTo(45, 0);
    expect(await healthy(exporter)).toBe(1);
  });
});

describe('target lifecycle', () => {
  it('evicts an idle target with Close Session', async () => {
    // Idle for 500 ms: long enough that the session is still open when the scrape's answer is checked on a loaded machine.
    const { sim, exporter } = await setup('server-2s', { targetIdleTimeoutMs: 500 });
    await scrape(exporter, sim);
    expect(sim.protocol.counters.open).toBe(1);
    // Waits for the Close Session to reach the BMC (the sweeper runs every 125 ms); the timeout is only a safety net.
    await vi.waitFor(() => expect(sim.protocol.counters.closedTotal).toBe(1), { timeout: 10_000, interval: 20 });
    expect(exporter.pool.size).toBe(0);
    expect(sim.protocol.counters).toMatchObject({ open: 0, closedTotal: 1 });
  });

  it('reloads secrets on POST /-/reload; a bad file keeps the old secrets and answers 500', async () => {
    const { sim, secrets, exporter } = await setup();
    await secrets.rewrite([]);
    expect((await fetch(`${exporter.url}/-/reload`, { method: 'POST' })).status).toBe(200);
    expect((await scrape(exporter, sim)).status).toBe(403);
    await secrets.rewrite([sim.target]);
    expect((await fetch(`${exporter.url}/-/reload`, { method: 'POST' })).status).toBe(200);
    expect((await scrape(exporter, sim)).status).toBe(200);
    await secrets.rewrite('"127.0.0.1:1": [unclosed\n');
    const bad = await fetch(`${exporter.url}/-/reload`, { method: 'POST' });
    expect(bad.status).toBe(500);
    expect(await bad.text()).toMatch(/reload failed/);
    expect((await scrape(exporter, sim)).status).toBe(200);
    const self = samples((await get(exporter, '/metrics')).text);
    expect(self.get('bmc_exporter_secrets_reloads_total{result="success"}')).toBe(2);
    expect(self.get('bmc_exporter_secrets_reloads_total{result="failure"}')).toBe(1);
  });

  it('close() sends Close Session to every open session', async () => {
    const { sim, exporter } = await setup();
    await scrape(exporter, sim);
    await exporter.close();
    expect(sim.protocol.counters).toMatchObject({ open: 0, closedTotal: 1 });
  });
});

describe('routes', () => {
  it('serves the probes, the homepage and errors', async () => {
    const { sim, exporter } = await setup();
    expect((await get(exporter, '/-/healthy')).status).toBe(200);
    expect((await get(exporter, '/-/ready')).status).toBe(200);
    expect((await get(exporter, '/-/reload')).status).toBe(405);
    expect((await get(exporter, '/nope')).status).toBe(404);
    await scrape(exporter, sim);
    const home = await get(exporter, '/');
    expect(home.text).toContain('<form action="bmc" method="get">');
    expect(home.text).toContain(sim.target);
    expect((await get(exporter, '/bmc?target=%3Cscript%3E')).status).toBe(400);
    // The page's own small script only: the refused target is not listed.
    expect((await get(exporter, '/')).text.split('<script>')).toHaveLength(2);
  });
});

describe('demo mode', () => {
  it('starts simulated BMCs, lists them on the homepage before any scrape, and scrapes them', async () => {
    const exporter = await start({ demo: true });
    const demo = exporter.demo!;
    expect(demo.targets).toHaveLength(3);
    const home = (await get(exporter, '/')).text;
    for (const t of demo.targets) expect(home).toContain(t);
    const m = samples((await get(exporter, `/bmc?target=${demo.targets[1]}`)).text);
    expect(m.get('bmc_up')).toBe(1);
    expect(m.has('processor_temperature_celsius{cpu="2"}')).toBe(true);
    expect(m.has('power_draw_watts{psu="1"}')).toBe(true);
  });
});

describe('credentials changes', () => {
  it('replaces a target whose credentials changed on reload, closing the old session first', async () => {
    const { sim, secrets, exporter } = await setup();
    await scrape(exporter, sim);
    const before = exporter.pool.peek(sim.target);
    await secrets.rewrite(`"${sim.target}":\n  username: ${SIM_USER.username}\n  password: ${SIM_USER.password}\n  privilege: operator\n`);
    expect((await fetch(`${exporter.url}/-/reload`, { method: 'POST' })).status).toBe(200);
    expect(samples((await scrape(exporter, sim)).text).get('bmc_up')).toBe(1);
    expect(exporter.pool.peek(sim.target)).not.toBe(before);
    expect(sim.protocol.counters).toMatchObject({ open: 1, maxOpen: 1, openedTotal: 2, closedTotal: 1 });
  });
});

describe('--web.config.file', () => {
  it('refuses requests without valid basic auth (401 + WWW-Authenticate) and serves them with it', async () => {
    const bcrypt = (await import('bcryptjs')).default;
    const { writeFile, mkdtemp } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'bmc-exporter-web-'));
    const file = join(dir, 'web.yml');
    await writeFile(file, `basic_auth_users:\n  prom: "${bcrypt.hashSync('let-me-in', 4)}"\n`);
    const { sim, exporter } = await setup('server-2s', { webConfigFile: file });
    const denied = await fetch(`${exporter.url}/bmc?target=${sim.target}`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(sim.requests).toBe(0);
    const auth = { Authorization: `Basic ${Buffer.from('prom:let-me-in').toString('base64')}` };
    expect((await scrape(exporter, sim, auth)).status).toBe(200);
    expect((await get(exporter, '/metrics', { Authorization: `Basic ${Buffer.from('prom:wrong').toString('base64')}` })).status).toBe(401);
  });
});
