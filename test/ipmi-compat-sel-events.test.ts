// The collectors ipmi_exporter added after the Debian 1.6.1 release, which
// that binary therefore cannot be compared with: sel-events is checked
// against FreeIPMI's ipmi-sel run with the arguments those releases pass it,
// its output read the way their collector reads it (count per State column,
// rule regexes over the Event column, "Jan-02-2006 15:04:05" dates as UTC,
// lines whose Event holds a comma skipped); bmc-watchdog against ipmitool's
// `mc watchdog get`. Same ipmi_sim BMC (127.0.0.30:623), before and after
// new SEL entries are added through its console. Needs root and the Debian
// packages openipmi, freeipmi-tools and ipmitool: a missing peer fails.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, tempDir, type CliProcess, type TempDir } from './exporter/cli.js';
import { parseExposition, type Series } from './exporter/ipmi-series.js';
import { startIpmiSim, type IpmiSimHandle } from './peers/ipmi-sim.js';
import { runIpmitool } from './peers/ipmitool.js';

const SIM_ADDRESS = '127.0.0.30';
const RULES = [
  { name: 'memory_errors', regex: '(?i)memory error' },
  { name: 'psu', regex: '^Power Supply' },
  { name: 'thresholds_low', regex: 'Lower (Non-)?[Cc]ritical - going low' },
  { name: 'named_group', regex: '^(?P<what>Upper) Critical' },
  { name: 'never', regex: 'no event says this' },
];

let sim: IpmiSimHandle;
let ours: CliProcess;
let dir: TempDir;
let freeipmiConf: string;

beforeAll(async () => {
  sim = await startIpmiSim({ address: SIM_ADDRESS });
  dir = await tempDir('bmc-exporter-sel-events-');
  const { admin } = sim.users;
  const rules = RULES.map((r) => `      - name: ${r.name}\n        regex: ${JSON.stringify(r.regex)}`).join('\n');
  const file = await dir.write(
    'ipmi.yml',
    `modules:\n  default:\n    user: "${admin.username}"\n    pass: "${admin.password}"\n    driver: "LAN_2_0"\n    privilege: "admin"\n    collectors: [sel-events, bmc-watchdog]\n    sel_events:\n${rules}\n`,
  );
  freeipmiConf = await dir.write(
    'freeipmi.conf',
    `driver-type LAN_2_0\nprivilege-level admin\nusername ${admin.username}\npassword ${admin.password}\nworkaround-flags opensesspriv\n`,
  );
  ours = await startCli(['--config.file', file, '--web.listen-address', '127.0.0.1:0']);
});

afterAll(async () => {
  await ours?.stop();
  await sim?.stop();
  await dir?.remove();
});

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => reject(new Error(`cannot run ${cmd} (Debian package freeipmi-tools): ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${err}`))));
  });
}

/** What ipmi_exporter's sel-events collector makes of ipmi-sel's output. */
async function expectedFromIpmiSel(): Promise<{
  byState: Record<string, number>;
  count: Record<string, number>;
  latest: Record<string, number>;
  lines: number;
}> {
  const out = await run('ipmi-sel', [
    '--quiet-cache',
    '--comma-separated-output',
    '--no-header-output',
    '--sdr-cache-recreate',
    '--output-event-state',
    '--interpret-oem-data',
    '--entity-sensor-names',
    '--config-file',
    freeipmiConf,
    '-h',
    SIM_ADDRESS,
  ]);
  const byState: Record<string, number> = {};
  const count: Record<string, number> = Object.fromEntries(RULES.map((r) => [r.name, 0]));
  const latest: Record<string, number> = Object.fromEntries(RULES.map((r) => [r.name, 0]));
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  let lines = 0;
  for (const line of out.split('\n')) {
    const m = /^([0-9]+),\s*([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*)$/.exec(line);
    if (!m) continue;
    lines++;
    const [, , date, time, , , state, event] = m as unknown as string[];
    byState[state!] = (byState[state!] ?? 0) + 1;
    const d = /^([A-Z][a-z]{2})-(\d{2})-(\d{4})$/.exec(date!);
    const t = /^(\d{2}):(\d{2}):(\d{2})$/.exec(time!);
    const ts = d && t ? Date.UTC(Number(d[3]), months.indexOf(d[1]!), Number(d[2]), Number(t[1]), Number(t[2]), Number(t[3])) / 1000 : 0;
    for (const r of RULES) {
      const re = r.regex.startsWith('(?i)') ? new RegExp(r.regex.slice(4), 'i') : new RegExp(r.regex.replace('(?P<', '(?<'));
      if (!re.test(event!)) continue;
      count[r.name]!++;
      if (ts > latest[r.name]!) latest[r.name] = ts;
    }
  }
  return { byState, count, latest, lines };
}

async function scrape(): Promise<Map<string, Series>> {
  const res = await fetch(`${ours.url}/ipmi?target=${SIM_ADDRESS}`);
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

function family(m: Map<string, Series>, name: string, label: string): Record<string, number> {
  return Object.fromEntries([...m.values()].filter((s) => s.name === name).map((s) => [s.labels[label]!, s.value]));
}

async function agree(): Promise<void> {
  const [m, want] = [await scrape(), await expectedFromIpmiSel()];
  expect(want.lines).toBeGreaterThan(0);
  expect(m.get('ipmi_up{collector="sel-events"}')?.value).toBe(1);
  expect(family(m, 'ipmi_sel_events_count_by_state', 'state')).toEqual(want.byState);
  expect(family(m, 'ipmi_sel_events_count_by_name', 'name')).toEqual(want.count);
  expect(family(m, 'ipmi_sel_events_latest_timestamp', 'name')).toEqual(want.latest);
  console.log(`[sel-events] ${want.lines} ipmi-sel lines; by state ${JSON.stringify(want.byState)}; by rule ${JSON.stringify(want.count)}`);
}

describe('sel-events and bmc-watchdog (ipmi_exporter after 1.6.1) against FreeIPMI and ipmitool', () => {
  it('sel-events: the counts by state, by rule and the latest timestamps ipmi_exporter derives from ipmi-sel', async () => {
    await agree();
  });

  it('sel-events after new entries (sensor-specific, threshold, generic, one whose text has a comma): still the same', async () => {
    const add = (bytes: string) => sim.console(`sel_add 0x20 0x02 0x00 0x00 0x00 0x00 0x20 0x00 0x04 ${bytes}`);
    for (const bytes of [
      '0x0c 0x60 0x6f 0x01 0xff 0xff', // Memory: uncorrectable
      '0x08 0x40 0x6f 0x05 0xff 0xff', // PSU1: input out-of-range, but present (a comma: skipped by ipmi_exporter)
      '0x01 0x04 0x01 0x59 0x3d 0x3c', // Exhaust Temp: upper critical going high, reading 61, threshold 60
      '0x04 0x10 0x01 0x50 0x09 0x0a', // FAN1: lower critical going low
      '0x01 0x03 0x07 0x02 0xff 0xff', // Inlet Temp, severity: to critical from less severe
      '0x05 0x50 0xef 0x00 0xff 0xff', // Intrusion deasserted
    ]) {
      expect(await add(bytes)).toMatch(/Added record/);
    }
    await agree();
  });

  it('bmc-watchdog: timer state, use, action and countdowns as ipmitool mc watchdog get reads them', async () => {
    const m = await scrape();
    expect(m.get('ipmi_up{collector="bmc-watchdog"}')?.value).toBe(1);
    const wd = await runIpmitool(sim, ['mc', 'watchdog', 'get']);
    const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(wd)?.[1]?.trim() ?? '';
    expect(m.get('ipmi_bmc_watchdog_timer_state')?.value).toBe(field('Watchdog Timer Is') === 'Started/Running' ? 1 : 0);
    expect(m.get('ipmi_bmc_watchdog_logging_state')?.value).toBe(field('Watchdog Timer Logging') === 'On' ? 1 : 0);
    expect(m.get('ipmi_bmc_watchdog_initial_countdown_seconds')?.value).toBe(Number(field('Initial Countdown').replace(/\s*sec$/, '')));
    expect(m.get('ipmi_bmc_watchdog_pretimeout_interval_seconds')?.value).toBe(Number(field('Pre-timeout interval').replace(/\s*seconds$/, '')));
    // ipmi_sim reports timer use 0 (reserved) and no action: no use flagged, action None.
    const uses = [...m.values()].filter((s) => s.name === 'ipmi_bmc_watchdog_timer_use_state');
    expect(uses.map((s) => s.labels['name'])).toEqual(['BIOS FRB2', 'BIOS POST', 'OS LOAD', 'SMS/OS', 'OEM']);
    expect(uses.filter((s) => s.value === 1)).toHaveLength(field('Watchdog Timer Use').startsWith('Reserved') ? 0 : 1);
    expect(m.get('ipmi_bmc_watchdog_timeout_action_state{action="None"}')?.value).toBe(field('Watchdog Timer Action').startsWith('No action') ? 1 : 0);
  });
});
