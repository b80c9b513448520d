// /ipmi side by side with the exporter it replaces: the real
// prometheus-community/ipmi_exporter (Debian's prometheus-ipmi-exporter,
// which runs FreeIPMI's tools) and bmc-exporter read the same modules file
// and scrape the same ipmi_sim BMC (127.0.0.30:623). Every module must give
// the same ipmi_* series (name and full label set) with equal values, but for
// the documented differences (README "Migrating from ipmi_exporter"); then
// sensors are moved across thresholds and SEL entries added through
// ipmi_sim's console, and the two must still agree. Needs root (port 623)
// and the Debian packages openipmi, freeipmi-tools and
// prometheus-ipmi-exporter: a missing peer fails, it never skips.
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle } from '../src/testing/fake-clock.js';
import { startCli, tempDir, type CliProcess, type TempDir } from './exporter/cli.js';
import { compareSeries, parseExposition, type Series } from './exporter/ipmi-series.js';
import { startIpmiExporter, type IpmiExporterHandle } from './peers/ipmi-exporter.js';
import { startIpmiSim, type IpmiSimHandle } from './peers/ipmi-sim.js';
import { runIpmitool } from './peers/ipmitool.js';
import { SIM_THRESHOLD_SENSORS } from './peers/sim-model.js';

const SIM_ADDRESS = '127.0.0.30';
const WRONG_PASSWORD = 'not-the-Pa55word';

/** Series only one side has by design, each listed in the README with its reason. */
const ONLY_OURS = new Set(['ipmi_chassis_drive_fault_state', 'ipmi_chassis_cooling_fault_state']);

let sim: IpmiSimHandle;
let theirs: IpmiExporterHandle;
let ours: CliProcess;
let dir: TempDir;

function modulesFile(): string {
  const { admin, user } = sim.users;
  // opensesspriv: FreeIPMI gives up on ipmi_sim's Open Session answer without it (our client tolerates it).
  return `modules:
  default:
    user: "${admin.username}"
    pass: "${admin.password}"
    driver: "LAN_2_0"
    privilege: "admin"
    workaround_flags: [opensesspriv]
    collectors: [ipmi, dcmi, bmc, chassis, sel, sm-lan-mode]
  user-level:
    user: "${user.username}"
    pass: "${user.password}"
    driver: "LAN_2_0"
    privilege: "user"
    timeout: 10000
    workaround_flags: [opensesspriv]
  excluded:
    user: "${admin.username}"
    pass: "${admin.password}"
    driver: "LAN_2_0"
    privilege: "admin"
    workaround_flags: [opensesspriv]
    collectors: [ipmi]
    exclude_sensor_ids: [5, 8, 15, 17]
  ipmi15:
    user: "${admin.username}"
    pass: "${admin.password}"
    driver: "LAN"
    privilege: "admin"
    collectors: [ipmi, bmc, chassis, sel]
  wrong-password:
    user: "${admin.username}"
    pass: "${WRONG_PASSWORD}"
    driver: "LAN_2_0"
    privilege: "admin"
    workaround_flags: [opensesspriv]
    collectors: [ipmi, bmc, chassis, sel]
`;
}

beforeAll(async () => {
  sim = await startIpmiSim({ address: SIM_ADDRESS });
  dir = await tempDir('bmc-exporter-ipmi-compat-');
  const file = await dir.write('ipmi.yml', modulesFile());
  theirs = await startIpmiExporter(file);
  ours = await startCli(['--config.file', file, '--web.listen-address', '127.0.0.1:0', '--scrape.timeout', '20s']);
});

afterAll(async () => {
  await ours?.stop();
  await theirs?.stop();
  await sim?.stop();
  await dir?.remove();
});

async function scrape(base: string, module: string): Promise<{ status: number; series: Map<string, Series>; text: string }> {
  const res = await fetch(`${base}/ipmi?target=${SIM_ADDRESS}&module=${module}`);
  const text = await res.text();
  return { status: res.status, text, series: res.status === 200 ? parseExposition(text) : new Map() };
}

/** One step of the sensor's conversion (M * 10^R_exp) for sensor values; exact for everything else but durations. */
function tolerance(s: Series): number {
  if (s.name === 'ipmi_scrape_duration_seconds') return Infinity;
  const sensor = SIM_THRESHOLD_SENSORS.find((t) => t.name === s.labels['name']);
  return sensor && !s.name.endsWith('_state') ? sensor.m * 10 ** sensor.rExp : 0;
}

/** Scrape both with one module; both answer 200 and the same series. Returns ours for further checks. */
async function sideBySide(module: string): Promise<Map<string, Series>> {
  const [t, o] = [await scrape(theirs.url, module), await scrape(ours.url, module)];
  expect(t.status, t.text).toBe(200);
  expect(o.status, o.text).toBe(200);
  const c = compareSeries(t.series, o.series, ONLY_OURS, tolerance);
  expect({ onlyTheirs: c.onlyTheirs, onlyOurs: c.onlyOurs, different: c.different }).toEqual({ onlyTheirs: [], onlyOurs: [], different: [] });
  expect(c.equal.length).toBeGreaterThan(0);
  console.log(`[side-by-side] module ${module}: ${c.equal.length} series equal (${[...new Set(c.equal.map((k) => k.replace(/\{.*/, '')))].join(', ')})`);
  return o.series;
}

const value = (m: Map<string, Series>, name: string, labels: Record<string, string> = {}) =>
  [...m.values()].find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('/ipmi against prometheus-ipmi-exporter on one ipmi_sim BMC', () => {
  it('the reference is the real prometheus-ipmi-exporter 1.6.x', () => {
    expect(theirs.version).toMatch(/^1\.6\./);
  });

  it('module default (ipmi, dcmi, bmc, chassis, sel, sm-lan-mode at admin): same series and values', async () => {
    const m = await sideBySide('default');
    expect(value(m, 'ipmi_up', { collector: 'ipmi' })).toBe(1);
    expect(value(m, 'ipmi_up', { collector: 'sel' })).toBe(1);
    // ipmi_sim has neither DCMI nor Supermicro's LAN mode command: down on both sides.
    expect(value(m, 'ipmi_up', { collector: 'dcmi' })).toBe(0);
    expect(value(m, 'ipmi_up', { collector: 'sm-lan-mode' })).toBe(0);
    expect(value(m, 'ipmi_chassis_drive_fault_state')).toBe(1);
  });

  it('module user-level (no collectors: ipmi_exporter default set, USER privilege): same series and values', async () => {
    await sideBySide('user-level');
  });

  it('module excluded (exclude_sensor_ids 5, 8, 15, 17): same series, the excluded ids absent', async () => {
    const m = await sideBySide('excluded');
    const ids = new Set([...m.values()].map((s) => s.labels['id']).filter((x) => x !== undefined));
    for (const gone of ['5', '8', '15', '17']) expect(ids.has(gone)).toBe(false);
    expect(ids.has('2')).toBe(true);
  });

  it('module ipmi15 (driver LAN: IPMI 1.5 session): same series and values', async () => {
    await sideBySide('ipmi15');
  });

  it('module wrong-password: every collector ipmi_up 0 on both, and our log says why without the password', async () => {
    const m = await sideBySide('wrong-password');
    for (const c of ['ipmi', 'bmc', 'chassis', 'sel']) expect(value(m, 'ipmi_up', { collector: c })).toBe(0);
    expect([...m.values()].filter((s) => s.name !== 'ipmi_up' && s.name !== 'ipmi_scrape_duration_seconds')).toEqual([]);
    expect(ours.stderr()).toMatch(/cannot open a session[^\n]*target=127\.0\.0\.30:623[^\n]*module=wrong-password/);
    expect(ours.stderr()).not.toContain(WRONG_PASSWORD);
  });

  it('unknown module: 400 from both', async () => {
    const [t, o] = [await scrape(theirs.url, 'no-such-module'), await scrape(ours.url, 'no-such-module')];
    expect(t.status).toBe(400);
    expect(o.status).toBe(400);
    expect(o.text).toContain('Unknown module "no-such-module"');
  });

  it('sensors moved across thresholds and SEL entries added through the console: both still agree, on the new states', async () => {
    const commands = [
      'sensor_set_value 0x20 0 0x04 61 0', // Exhaust Temp 61 C: past its upper critical (60)
      'sensor_set_value 0x20 0 0x12 9 0', // FAN3 540 RPM: under its lower critical (600)
      'sensor_set_value 0x20 0 0x20 150 0', // 12V 10.50 V: under its lower critical (10.78)
      'sensor_set_bit_clr_rest 0x20 0 0x50 0 1', // Intrusion: general chassis intrusion
      'sensor_set_bit_clr_rest 0x20 0 0x41 1 1', // PSU2 Status: failure detected
      'sensor_set_bit_clr_rest 0x20 0 0x60 0 1', // Memory ECC: correctable error (FreeIPMI: Warning)
      'sel_add 0x20 0x02 0x00 0x00 0x00 0x00 0x20 0x00 0x04 0x0c 0x60 0x6f 0x01 0xff 0x02',
      'sel_add 0x20 0x02 0x00 0x00 0x00 0x00 0x20 0x00 0x04 0x01 0x04 0x01 0x59 0x3d 0x3c',
    ];
    for (const cmd of commands) expect(await sim.console(cmd)).not.toMatch(/\*\*/);
    const m = await sideBySide('default');
    expect(value(m, 'ipmi_temperature_state', { name: 'Exhaust Temp' })).toBe(2);
    expect(value(m, 'ipmi_temperature_celsius', { name: 'Exhaust Temp' })).toBe(61);
    expect(value(m, 'ipmi_fan_speed_state', { name: 'FAN3' })).toBe(2);
    expect(value(m, 'ipmi_voltage_state', { name: '12V' })).toBe(2);
    expect(value(m, 'ipmi_sensor_state', { name: 'Intrusion' })).toBe(2);
    expect(value(m, 'ipmi_sensor_state', { name: 'PSU2 Status' })).toBe(2);
    expect(value(m, 'ipmi_sensor_state', { name: 'Memory ECC' })).toBe(1);
    // 6 at start, 2 sel_add, and the events the sensor changes generated (gen-event 1): compared exactly above.
    expect(value(m, 'ipmi_sel_logs_count')).toBeGreaterThanOrEqual(8);
    await sideBySide('ipmi15');
  });
});

describe('/ipmi allow-list', () => {
  let narrow: CliProcess;
  beforeAll(async () => {
    narrow = await startCli(['--config.file', `${dir.path}/ipmi.yml`, '--web.listen-address', '127.0.0.1:0', '--ipmi.allowed-targets', `${SIM_ADDRESS}/32`]);
  });
  afterAll(async () => {
    await narrow?.stop();
  });

  it('a target outside --ipmi.allowed-targets gets 403 and no packet; one inside is scraped', async () => {
    const outside = '127.0.0.31';
    const sock = createSocket('udp4');
    let packets = 0;
    sock.on('message', () => packets++);
    await new Promise<void>((resolve) => sock.bind(623, outside, () => resolve()));
    try {
      const res = await fetch(`${narrow.url}/ipmi?target=${outside}&module=default`);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('outside --ipmi.allowed-targets');
      // On loopback a datagram is in the receiving socket's queue once sendto returns, and the
      // exporter sends before it answers; so by the time we hold the answer, any datagram is
      // already queued here, and a few turns of our event loop read it. No waiting on the clock.
      await settle();
      expect(packets).toBe(0);
    } finally {
      sock.close();
    }
    const inside = await fetch(`${narrow.url}/ipmi?target=${SIM_ADDRESS}&module=default`);
    expect(inside.status).toBe(200);
    expect(await inside.text()).toMatch(/^ipmi_up\{collector="ipmi"\} 1$/m);
    expect(narrow.stderr()).not.toContain('may send packets to any address');
    expect(ours.stderr()).toContain('may send packets to any address');
  });
});

describe('/ipmi and /bmc share one session per BMC; a secrets entry wins over the module', () => {
  let both: CliProcess;
  beforeAll(async () => {
    const { user } = sim.users;
    const secrets = await dir.write('secrets.yml', { [`${SIM_ADDRESS}:623`]: { username: user.username, password: user.password, privilege: 'user' } });
    both = await startCli(['--config.file', `${dir.path}/ipmi.yml`, '--secrets.static', secrets, '--web.listen-address', '127.0.0.1:0']);
  });
  afterAll(async () => {
    await both?.stop();
  });

  /** Active sessions on the BMC as ipmitool's Get Session Info reads them (ipmitool's own included). */
  async function activeSessions(): Promise<number> {
    const out = await runIpmitool(sim, ['session', 'info', 'active'], { user: 'user' });
    const m = /^active sessions\s*:\s*(\d+)/m.exec(out);
    expect(m, out).not.toBeNull();
    return Number(m![1]);
  }

  it('scraped alternately through /bmc and /ipmi (module wrong-password: the secrets entry is used), the BMC sees one more session, not two', async () => {
    const before = await activeSessions();
    for (let i = 0; i < 3; i++) {
      const b = await fetch(`${both.url}/bmc?target=${SIM_ADDRESS}`);
      expect(b.status).toBe(200);
      expect(await b.text()).toMatch(/^bmc_up 1$/m);
      const p = await fetch(`${both.url}/ipmi?target=${SIM_ADDRESS}&module=wrong-password`);
      expect(p.status).toBe(200);
      const text = await p.text();
      expect(text).toMatch(/^ipmi_up\{collector="ipmi"\} 1$/m);
      expect(text).toMatch(/^ipmi_up\{collector="sel"\} 1$/m);
    }
    expect(await activeSessions()).toBe(before + 1);
    const metrics = await (await fetch(`${both.url}/metrics`)).text();
    expect(metrics).toMatch(/^bmc_exporter_sessions_open 1$/m);
    expect(metrics).toMatch(/^bmc_exporter_targets 1$/m);
  });
});
