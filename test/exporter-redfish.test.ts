// The exporter reading BMCs over Redfish (transport: redfish | auto in the
// secrets file), against the simulator over loopback: one simulated BMC on
// 127.203.0.1 speaks IPMI on port 623 and Redfish over HTTPS on 8443
// (legacy Thermal/Power) and 8444 (Sensors/PowerSubsystem), all from one
// model, and the /bmc series agree across the protocols where both report
// a value. Further Redfish servers of the same model, each with one fault,
// give bmc_up 0 or a partial scrape with the reason in the log, within the
// deadline, and never a credential in any answer or log line.
//
// Target keys: a key is host:port with the IPMI port; the Redfish port is
// the entry's redfish_port. The Redfish-only entries use IPMI ports nothing
// listens on (1623, ...) so each is a target of its own on the one host.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createServer, type Server, type Socket } from 'node:net';
import { makeSelfSignedCert, PROFILES, RedfishSimServer, SimBmc, type RedfishSimOptions, type SelfSignedCert } from '@bmc-exporter/bmc-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import type { Exporter } from '../src/main.js';
import { startTestExporter } from '../src/testing/test-exporter.js';
import { samples } from './exporter/cli.js';

const HOST = '127.203.0.1';
const USER = 'rf-operator';
const PASSWORD = 'Redfish-Exp-S3cret';
const WRONG_PASSWORD = 'Not-The-Pa55word';

/** Redfish servers by name: port and options (faults included). */
const SERVERS: Record<string, { port: number; options: Partial<RedfishSimOptions> }> = {
  legacy: { port: 8443, options: { generation: 'legacy' } },
  subsystems: { port: 8444, options: { generation: 'subsystems' } },
  basic: { port: 8445, options: { sessionService: false } },
  malformed: { port: 8446, options: { generation: 'legacy', faults: { malformedPaths: ['/redfish/v1/Chassis/1/Thermal'] } } },
  unavailable: { port: 8447, options: { faults: { unavailable: true } } },
  slow: { port: 8448, options: { faults: { delayMs: 400 } } },
  expiring: { port: 8449, options: { generation: 'legacy', faults: { unauthorizedAfter: 6 } } },
  untrusted: { port: 8450, options: {} },
  hugeLog: { port: 8451, options: { generation: 'legacy', faults: { extraLogEntries: 30_000 } } },
};

let dir: string;
let cert: SelfSignedCert;
let bmc: SimBmc;
/** A second simulated BMC of the same profile on IPMI port 1636, for `auto` against a Redfish port whose handshake hangs. */
let hangingAutoBmc: SimBmc;
const sims = new Map<string, RedfishSimServer>();
let exporter: Exporter;
/** A TCP port that accepts connections and never answers: the TLS handshake never completes. */
let blackHole: Server;
const swallowed: Socket[] = [];
const logLines: string[] = [];
const bodies: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exporter-redfish-'));
  cert = await makeSelfSignedCert([HOST]);
  bmc = new SimBmc({ address: HOST, port: 623, definition: PROFILES['server-2s']!, users: [{ name: USER, password: PASSWORD, maxPrivilege: 4 }], seed: 203 });
  await bmc.bind();
  // The events the SEL generator makes, so sel_events has more than the profile's two entries to agree on.
  bmc.model.addSelEvent({ sensorType: 'temperature', sensorNumber: 1, eventType: 0x01, data: [0x59, 91, 90] });
  bmc.model.addSelEvent({ sensorType: 'power-supply', sensorNumber: 0x40, eventType: 0x6f, data: [0x01, 0xff, 0xff] });
  bmc.model.addSelEvent({ sensorType: 'memory', sensorNumber: 0x60, eventType: 0x6f, data: [0x00, 0xff, 0x01] });
  for (const [name, { port, options }] of Object.entries(SERVERS)) {
    const sim = new RedfishSimServer({ address: HOST, port, model: () => bmc.model, users: [{ name: USER, password: PASSWORD }], tls: cert, ...options });
    await sim.listen();
    sims.set(name, sim);
  }
  hangingAutoBmc = new SimBmc({
    address: HOST,
    port: 1636,
    definition: PROFILES['server-2s']!,
    users: [{ name: USER, password: PASSWORD, maxPrivilege: 4 }],
    seed: 204,
  });
  await hangingAutoBmc.bind();
  blackHole = createServer((socket) => {
    swallowed.push(socket);
    // Read (so the client closing is seen) and never answer.
    socket.on('error', () => undefined);
    socket.resume();
  });
  await new Promise<void>((resolve) => blackHole.listen(8452, HOST, resolve));
  await writeFile(join(dir, 'ca.pem'), cert.cert);
  const entry = (port: number, extra: string) => `  username: ${USER}\n  password: ${PASSWORD}\n  redfish_port: ${port}\n${extra}`;
  const secrets = [
    // auto with nothing on the Redfish port: IPMI.
    `"${HOST}:623":\n${entry(8499, '  transport: auto\n  ca_file: ca.pem\n')}`,
    `"${HOST}:1623":\n${entry(8443, '  transport: redfish\n  ca_file: ca.pem\n')}`,
    `"${HOST}:1624":\n${entry(8444, '  transport: redfish\n  ca_file: ca.pem\n')}`,
    `"${HOST}:1625":\n${entry(8445, '  transport: redfish\n  ca_file: ca.pem\n')}`,
    `"${HOST}:1626":\n${entry(8446, '  transport: redfish\n  ca_file: ca.pem\n')}`,
    `"${HOST}:1627":\n${entry(8447, '  transport: redfish\n  ca_file: ca.pem\n')}`,
    `"${HOST}:1628":\n${entry(8448, '  transport: redfish\n  ca_file: ca.pem\n')}`,
    `"${HOST}:1629":\n${entry(8449, '  transport: redfish\n  ca_file: ca.pem\n')}`,
    // No ca_file: the self-signed certificate is refused.
    `"${HOST}:1630":\n${entry(8450, '  transport: redfish\n')}`,
    `"${HOST}:1631":\n${entry(8450, '  transport: redfish\n  insecure_skip_verify: true\n')}`,
    `"${HOST}:1632":\n  username: ${USER}\n  password: ${WRONG_PASSWORD}\n  redfish_port: 8443\n  transport: redfish\n  ca_file: ca.pem\n`,
    // auto where Redfish answers: Redfish.
    `"${HOST}:1633":\n${entry(8444, '  transport: auto\n  ca_file: ca.pem\n')}`,
    `"${HOST}:1634":\n${entry(8451, '  transport: redfish\n  ca_file: ca.pem\n')}`,
    `"${HOST}:1635":\n${entry(8452, '  transport: redfish\n  ca_file: ca.pem\n')}`,
    // auto where the Redfish port's TLS handshake never completes: IPMI, decided by the probe's own limit.
    `"${HOST}:1636":\n${entry(8452, '  transport: auto\n  ca_file: ca.pem\n')}`,
  ].join('');
  await writeFile(join(dir, 'secrets.yml'), secrets);
  const logger = createLogger({ level: 'debug', format: 'json', destination: new Writable({ write: (c, _e, cb) => (logLines.push(String(c)), cb()) }) });
  exporter = await startTestExporter(join(dir, 'secrets.yml'), { logLevel: 'debug' }, { logger });
}, 60_000);

afterAll(async () => {
  await exporter?.close();
  for (const s of sims.values()) await s.close();
  for (const socket of swallowed) socket.destroy();
  await new Promise((resolve) => blackHole?.close(resolve));
  await bmc?.close();
  await hangingAutoBmc?.close();
  await cert?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function scrape(ipmiPort: number, query = '', headers: Record<string, string> = {}): Promise<{ text: string; series: Map<string, number> }> {
  const res = await fetch(`${exporter.url}/bmc?target=${HOST}:${ipmiPort}${query}`, { headers });
  expect(res.status).toBe(200);
  const text = await res.text();
  bodies.push(text);
  return { text, series: samples(text) };
}

/** The series of `family` (name{labels} -> value). */
function family(series: Map<string, number>, name: string): Map<string, number> {
  return new Map([...series].filter(([k]) => k === name || k.startsWith(`${name}{`)));
}

/** Families both protocols report, compared series by series where Redfish has the series. */
const COMPARED = [
  'chassis_powered_on',
  'chassis_intrusion',
  'chassis_power_fault',
  'chassis_cooling_fault',
  'power_draw_watts',
  'processor_temperature_celsius',
  'chassis_intake_temperature_celsius',
  'chassis_exhaust_temperature_celsius',
  'fan_speed_rpm',
  'voltage_volts',
  'power_supply_present',
  'power_supply_failed',
  'power_supply_predictive_failure',
  'dcmi_power_current_watts',
  'dcmi_power_minimum_watts',
  'dcmi_power_maximum_watts',
  'dcmi_power_average_watts',
  'sel_events',
] as const;

function expectSameSeries(ipmi: Map<string, number>, redfish: Map<string, number>): void {
  expect(ipmi.get('bmc_up')).toBe(1);
  expect(redfish.get('bmc_up')).toBe(1);
  for (const name of COMPARED) {
    const theirs = family(redfish, name);
    expect(theirs.size, `${name} over Redfish`).toBeGreaterThan(0);
    for (const [series, value] of theirs) {
      expect(ipmi.has(series), `${series} over IPMI`).toBe(true);
      expect(value, series).toBeCloseTo(ipmi.get(series)!, 3);
    }
  }
  // Threshold states of the temperature, fan and voltage sensors (the PSU watts are typed differently: power vs other_units_based_sensor).
  const states = [...family(redfish, 'sensor_threshold_state')].filter(([k]) => /type="(temperature|fan|voltage)"/.test(k));
  expect(states.length).toBeGreaterThan(10);
  for (const [series, value] of states) expect(ipmi.get(series), series).toBe(value);
  // bmc_info: the same GUID and firmware; the ipmi label is "" over Redfish.
  const info = (m: Map<string, number>) => [...family(m, 'bmc_info').keys()][0]!.replace(/,?ipmi="[^"]*"/, '');
  expect(info(redfish)).toBe(info(ipmi));
  expect([...family(redfish, 'bmc_info').keys()][0]).toContain('ipmi=""');
}

describe('one BMC through IPMI and Redfish', () => {
  it('transport auto with no Redfish service uses IPMI', async () => {
    const { series } = await scrape(623);
    expect(series.get('bmc_up')).toBe(1);
    expect([...family(series, 'bmc_info').keys()][0]).toContain('ipmi="2.0"');
    expect(family(series, 'bmc_transport_info').size).toBe(0);
    expect(logLines.some((l) => l.includes('no usable Redfish service root'))).toBe(true);
  });

  for (const [generation, port] of [
    ['legacy', 1623],
    ['subsystems', 1624],
  ] as const) {
    it(`gives the same series in the ${generation} schema generation`, async () => {
      const ipmi = (await scrape(623)).series;
      const redfish = (await scrape(port)).series;
      expectSameSeries(ipmi, redfish);
      expect(redfish.get('bmc_transport_info{transport="redfish",redfish_version="1.17.0",auth="session"}')).toBe(1);
      // Warm: the structure is reused and only new log entries are read.
      const before = sims.get(generation)!.counters.requests;
      const again = (await scrape(port)).series;
      expect(again.get('bmc_up')).toBe(1);
      const warm = sims.get(generation)!.counters.requests - before;
      // Legacy: chassis, Thermal, Power, one log page. Subsystems: chassis, Sensors ($expand), ThermalSubsystem,
      // PowerSubsystem, its PowerSupplies and each PSU with its Metrics (2 x 2), EnvironmentMetrics and its sensor, one log page.
      expect(warm).toBe(generation === 'legacy' ? 4 : 12);
      // A new event shows in the next scrape of both.
      bmc.model.addSelEvent({ sensorType: 'fan', sensorNumber: 0x10, eventType: 0x01, data: [0x52, 0x05, 0x10] });
      expectSameSeries((await scrape(623)).series, (await scrape(port)).series);
    });
  }

  it('transport auto where the handshake hangs: IPMI in the first scrape, kept, the reason logged', async () => {
    const connectionsBefore = swallowed.length;
    const started = performance.now();
    const first = (await scrape(1636, '', { 'X-Prometheus-Scrape-Timeout-Seconds': '6' })).series;
    // The probe gives up after its own 2 s; the IPMI read follows in the same scrape (6 s less the 0.5 s offset).
    expect((performance.now() - started) / 1000).toBeLessThan(5.5);
    expect(first.get('bmc_up')).toBe(1);
    expect([...family(first, 'bmc_info').keys()][0]).toContain('ipmi="2.0"');
    expect(swallowed.length).toBe(connectionsBefore + 1);
    const fallback = logLines.filter((l) => l.includes('"target":"127.203.0.1:1636"') && l.includes('no usable Redfish service root'));
    expect(fallback).toHaveLength(1);
    // The probe's own limit ended it: 2 s, or half the time left when the scrape reached it
    // later than that allows (a loaded machine), never the scrape's deadline.
    const limitMs = Number(/no answer within the probe's (\d+) ms/.exec(fallback[0]!)?.[1]);
    expect(limitMs).toBeGreaterThan(0);
    expect(limitMs).toBeLessThanOrEqual(2000);
    // The choice is kept: no second probe, no second connection to the Redfish port.
    for (let i = 0; i < 2; i++) {
      const again = (await scrape(1636, '', { 'X-Prometheus-Scrape-Timeout-Seconds': '6' })).series;
      expect(again.get('bmc_up')).toBe(1);
    }
    expect(swallowed.length).toBe(connectionsBefore + 1);
    expect(logLines.filter((l) => l.includes('"target":"127.203.0.1:1636"') && l.includes('transport auto'))).toHaveLength(1);
  });

  it('transport auto picks Redfish where the service root answers', async () => {
    const { series } = await scrape(1633);
    expect(series.get('bmc_up')).toBe(1);
    expect(series.get('bmc_transport_info{transport="redfish",redfish_version="1.17.0",auth="session"}')).toBe(1);
  });
});

describe('Redfish faults', () => {
  const errorsOf = async (port: number, headers: Record<string, string> = {}) => {
    const { text, series } = await scrape(port, '&debug=true', headers);
    return { text, series };
  };

  it('a certificate that does not verify: bmc_up 0 with the TLS reason; insecure_skip_verify accepts it', async () => {
    const { text, series } = await errorsOf(1630);
    expect(series.get('bmc_up')).toBe(0);
    expect(text).toMatch(/TLS certificate not accepted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/);
    expect(logLines.some((l) => l.includes('Redfish scrape failed') && l.includes('TLS certificate not accepted'))).toBe(true);
    expect((await scrape(1631)).series.get('bmc_up')).toBe(1);
  });

  it('a wrong password: bmc_up 0, the BMC refused the credentials', async () => {
    const { text, series } = await errorsOf(1632);
    expect(series.get('bmc_up')).toBe(0);
    expect(text).toContain('refused the credentials (HTTP 401)');
  });

  it('a BMC without SessionService is read with Basic auth', async () => {
    const { series } = await scrape(1625);
    expect(series.get('bmc_up')).toBe(1);
    expect([...family(series, 'bmc_transport_info').keys()][0]).toContain('auth="basic"');
    expect(family(series, 'fan_speed_rpm').size).toBe(6);
  });

  it('a malformed document: a partial scrape, the rest exported and the reason logged', async () => {
    const { text, series } = await errorsOf(1626);
    expect(series.get('bmc_up')).toBe(1);
    expect(family(series, 'fan_speed_rpm').size).toBe(0);
    expect(family(series, 'voltage_volts').size).toBeGreaterThan(0);
    expect(text).toContain('/redfish/v1/Chassis/1/Thermal');
    expect(text).toContain('not everything was read');
  });

  it('503 on every read: bmc_up 0 with the status', async () => {
    const { text, series } = await errorsOf(1627);
    expect(series.get('bmc_up')).toBe(0);
    expect(text).toContain('HTTP 503');
  });

  it('slow answers: the answer comes within the deadline, bmc_up 0 or partial', async () => {
    const started = performance.now();
    const { text, series } = await errorsOf(1628, { 'X-Prometheus-Scrape-Timeout-Seconds': '2' });
    const seconds = (performance.now() - started) / 1000;
    // 2 s less the 0.5 s offset, plus generous room for a loaded machine.
    expect(seconds).toBeLessThan(4);
    expect(series.has('bmc_up')).toBe(true);
    if (series.get('bmc_up') === 1) expect(text).toContain('not everything was read');
    else expect(text).toMatch(/deadline|aborted/);
  });

  it('a TLS handshake that never completes: answered by the deadline with bmc_up 0, the connection closed', async () => {
    for (let i = 0; i < 2; i++) {
      const connectionsBefore = swallowed.length;
      const started = performance.now();
      const { text, series } = await errorsOf(1635, { 'X-Prometheus-Scrape-Timeout-Seconds': '2' });
      expect((performance.now() - started) / 1000).toBeLessThan(3.5);
      expect(series.get('bmc_up')).toBe(0);
      expect(text).toContain('GET /redfish/v1/: deadline passed');
      // Each scrape's half-made connection is closed at its deadline; the next scrape connects afresh.
      expect(swallowed.length).toBe(connectionsBefore + 1);
      const socket = swallowed.at(-1)!;
      if (!socket.closed) await new Promise((resolve) => socket.once('close', resolve));
    }
  });

  it('a session the BMC drops after a few requests: logged in again, every scrape up', async () => {
    const sim = sims.get('expiring')!;
    for (let i = 0; i < 3; i++) expect((await scrape(1629)).series.get('bmc_up')).toBe(1);
    expect(sim.counters.sessionsCreated).toBeGreaterThanOrEqual(2);
  });

  it('a log of 30,000 entries is read over several scrapes, each answered within its deadline', async () => {
    const total = (m: Map<string, number>) => [...family(m, 'sel_events')].reduce((n, [, v]) => n + v, 0);
    let previous = -1;
    let last = new Map<string, number>();
    for (let i = 0; i < 8; i++) {
      const started = performance.now();
      last = (await scrape(1634, '', { 'X-Prometheus-Scrape-Timeout-Seconds': '2' })).series;
      expect((performance.now() - started) / 1000).toBeLessThan(4);
      expect(last.get('bmc_up')).toBe(1);
      expect(total(last)).toBeGreaterThan(previous);
      previous = total(last);
      if (i === 0) expect(last.get('sel_read_complete')).toBe(0);
      if (last.get('sel_read_complete') === 1) break;
    }
    expect(last.get('sel_read_complete')).toBe(1);
    expect(last.get('sel_entries')).toBe(30_000 + bmc.model.sel.count);
    expect(total(last)).toBe(last.get('sel_entries'));
  });

  it('counts Redfish requests and errors in /metrics', async () => {
    const m = samples(await (await fetch(`${exporter.url}/metrics`)).text());
    expect(m.get('bmc_exporter_redfish_requests_total')).toBeGreaterThan(20);
    expect(m.get('bmc_exporter_redfish_errors_total{code="REDFISH_TLS"}')).toBeGreaterThan(0);
    expect(m.get('bmc_exporter_redfish_errors_total{code="REDFISH_HTTP_STATUS"}')).toBeGreaterThan(0);
  });

  it('the homepage and the target page say the target is read over Redfish', async () => {
    const home = await (await fetch(`${exporter.url}/`)).text();
    bodies.push(home);
    expect(home).toContain('over Redfish');
    const page = await (await fetch(`${exporter.url}/target?target=${HOST}:1623`)).text();
    bodies.push(page);
    expect(page).toContain('Redfish (HTTPS)');
    expect(page).toContain('HTTP requests sent');
    const ipmiPage = await (await fetch(`${exporter.url}/target?target=${HOST}:623`)).text();
    expect(ipmiPage).toContain('<dd>IPMI</dd>');
  });

  it('never puts a credential in an answer or a log line', async () => {
    const pages = await Promise.all(['/', '/metrics', `/target?target=${HOST}:1632`].map(async (p) => (await fetch(`${exporter.url}${p}`)).text()));
    for (const text of [...bodies, ...pages, ...logLines]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(WRONG_PASSWORD);
    }
  });
});

describe('shutdown', () => {
  it('DELETEs every Redfish session', async () => {
    const open = [...sims.values()].reduce((n, s) => n + s.openSessions, 0);
    expect(open).toBeGreaterThan(0);
    await exporter.close();
    // The 503 fault answers the DELETE with 503 as well: that session was asked to end, and times out on the BMC.
    const left = [...sims].filter(([, s]) => s.openSessions > 0).map(([name, s]) => `${name}: ${s.openSessions}`);
    expect(left).toEqual(['unavailable: 1']);
    expect(Object.keys(sims.get('unavailable')!.counters.byPath).some((p) => p.startsWith('/redfish/v1/SessionService/Sessions/'))).toBe(true);
  });
});

describe('npm run sim -- --redfish-port', () => {
  it('serves Redfish for the fleet and writes secrets the exporter reads over Redfish', async () => {
    const cli = fileURLToPath(new URL('../packages/bmc-sim/dist/cli.js', import.meta.url));
    const secretsFile = join(dir, 'sim-secrets.yml');
    // 127.203.1.0/24: this file's range; IPMI on 1623 (no root needed), Redfish on 8443.
    const child = spawn(
      process.execPath,
      [cli, '--count', '2', '--base-address', '127.203.1.1', '--port', '1623', '--redfish-port', '8443', '--secrets-out', secretsFile],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let simExporter: Exporter | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\nready')) resolve();
        });
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.once('exit', (code) => reject(new Error(`sim exited ${code}: ${out}`)));
      });
      expect(out).toContain('Redfish (HTTPS): https://127.203.1.1:8443 … https://127.203.1.2:8443');
      const written = readFileSync(secretsFile, 'utf8');
      expect(written).toContain('transport: redfish');
      expect(written).toContain('ca_file: sim-secrets-ca.pem');
      simExporter = await startTestExporter(secretsFile);
      const res = await fetch(`${simExporter.url}/bmc?target=127.203.1.2:1623`);
      const series = samples(await res.text());
      expect(series.get('bmc_up')).toBe(1);
      expect(series.get('bmc_transport_info{transport="redfish",redfish_version="1.17.0",auth="session"}')).toBe(1);
      expect(family(series, 'fan_speed_rpm').size).toBe(6);
    } finally {
      await simExporter?.close();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    }
  }, 60_000);
});
