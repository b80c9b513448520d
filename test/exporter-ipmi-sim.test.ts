// The exporter against a real BMC simulator (OpenIPMI's ipmi_sim on
// 127.0.0.4:623): every bmc_exporter-compatible metric equals what ipmitool,
// the reference client, reads from the same simulator in the same run; a
// sensor changed through the simulator's console shows in the next scrape.
// Needs root (port 623) and the Debian packages openipmi and ipmitool; a
// missing peer fails the test, it never skips.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exporter } from '../src/main.js';
import { samples } from './exporter/cli.js';
import type { IpmiSimHandle } from './peers/ipmi-sim.js';
import { startIpmiSimExporter, type IpmiSimExporter } from './exporter/ipmi-sim-exporter.js';
import { parseChassisStatus, parseMcInfo, parseSdrElist, parseSensorList, runIpmitool } from './peers/ipmitool.js';

let env: IpmiSimExporter;
let sim: IpmiSimHandle;
let exporter: Exporter;
let target: string;

beforeAll(async () => {
  env = await startIpmiSimExporter('127.0.0.4', { logLevel: 'debug' });
  ({ sim, exporter, target } = env);
});

afterAll(async () => {
  await env?.close();
});

async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(`${exporter.url}/bmc?target=${target}`);
  expect(res.status).toBe(200);
  return samples(await res.text());
}

const asUser = { user: 'user' as const };

/** `ipmitool raw 0x06 0x37` (Get System GUID): the 16 data bytes as printed, in wire order. */
async function rawGuidBytes(): Promise<string> {
  const out = await runIpmitool(sim, ['raw', '0x06', '0x37'], asUser);
  const bytes = out.trim().split(/\s+/);
  expect(bytes).toHaveLength(16);
  return bytes.join('').toLowerCase();
}

// Sensor name → entity, from `ipmitool sdr elist full` (the SDR does not change; read once).
let entities: Promise<ReturnType<typeof parseSdrElist>> | undefined;

/** ipmitool's readings (`sensor list`, 3 decimals) of the threshold sensors on one entity id with one unit, keyed by entity instance. */
async function ipmitoolReadings(entityId: number, unit: string): Promise<Map<string, number>> {
  entities ??= runIpmitool(sim, ['sdr', 'elist', 'full'], asUser).then(parseSdrElist);
  const [elist, list] = await Promise.all([entities, runIpmitool(sim, ['sensor', 'list'], asUser)]);
  const byName = new Map(parseSensorList(list).map((r) => [r.name, r]));
  const out = new Map<string, number>();
  for (const row of elist) {
    if (row.entity.id !== entityId) continue;
    const s = byName.get(row.name);
    if (!s || s.unit !== unit || s.reading === null) continue;
    out.set(String(row.entity.instance), s.reading);
  }
  return out;
}

describe('exporter vs ipmitool against ipmi_sim', () => {
  it('bmc_up 1 and bmc_info: firmware as ipmitool mc info prints it, guid in wire order as Get System GUID returns it', async () => {
    const m = await scrape();
    expect(m.get('bmc_up')).toBe(1);
    const info = [...m.keys()].filter((k) => k.startsWith('bmc_info{'));
    expect(info).toHaveLength(1);
    const labels = Object.fromEntries([...info[0]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    const mc = parseMcInfo(await runIpmitool(sim, ['mc', 'info'], asUser));
    expect(labels['firmware']).toBe(mc.firmwareRevision);
    expect(labels['ipmi']).toBe('2.0');
    expect(labels['guid']!.replace(/-/g, '')).toBe(await rawGuidBytes());
    expect(labels['guid']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(m.get(info[0]!)).toBe(1);
  });

  it('chassis_* as ipmitool chassis status', async () => {
    const [m, cs] = await Promise.all([scrape(), runIpmitool(sim, ['chassis', 'status'], asUser).then(parseChassisStatus)]);
    const b = (x: boolean) => (x ? 1 : 0);
    expect(m.get('chassis_powered_on')).toBe(b(cs.powerOn));
    expect(m.get('chassis_intrusion')).toBe(b(cs.intrusion));
    expect(m.get('chassis_power_fault')).toBe(b(cs.powerFault));
    expect(m.get('chassis_cooling_fault')).toBe(b(cs.coolingFault));
    expect(m.get('chassis_drive_fault')).toBe(b(cs.driveFault));
    // The simulator's power is on: the comparison is not all zeros.
    expect(cs.powerOn).toBe(true);
  });

  it('power_draw_watts{psu} = the PSU (entity 10.x) wattage sensors ipmitool lists, whatever their sensor type', async () => {
    const [m, psus] = await Promise.all([scrape(), ipmitoolReadings(0x0a, 'Watts')]);
    // ipmi_sim types PSU1 "Current" and PSU2 "Other Units": both count.
    expect([...psus.keys()].sort()).toEqual(['1', '2']);
    const ours = [...m.keys()].filter((k) => k.startsWith('power_draw_watts{'));
    expect(ours.sort()).toEqual([...psus.keys()].map((p) => `power_draw_watts{psu="${p}"}`).sort());
    for (const [psu, watts] of psus) expect(m.get(`power_draw_watts{psu="${psu}"}`)).toBeCloseTo(watts, 3);
  });

  it('processor_temperature_celsius{cpu} = the processor (entity 3.x) temperatures ipmitool lists', async () => {
    const [m, cpus] = await Promise.all([scrape(), ipmitoolReadings(0x03, 'degrees C')]);
    expect([...cpus.keys()].sort()).toEqual(['1', '2']);
    const ours = [...m.keys()].filter((k) => k.startsWith('processor_temperature_celsius{'));
    expect(ours.sort()).toEqual([...cpus.keys()].map((c) => `processor_temperature_celsius{cpu="${c}"}`).sort());
    for (const [cpu, celsius] of cpus) expect(m.get(`processor_temperature_celsius{cpu="${cpu}"}`)).toBeCloseTo(celsius, 3);
  });

  it('a sensor changed through the simulator console shows in the next scrape, as ipmitool sees it', async () => {
    const before = await scrape();
    expect(before.get('processor_temperature_celsius{cpu="2"}')).not.toBe(71);
    expect(before.get('power_draw_watts{psu="1"}')).not.toBe(250);
    // CPU2 Temp (0x02, M=1) to 71 °C; PSU1 Input Power (0x30, M=2) to raw 125 = 250 W.
    expect(await sim.console('sensor_set_value 0x20 0 0x02 71 0')).not.toMatch(/\*\*/);
    expect(await sim.console('sensor_set_value 0x20 0 0x30 125 0')).not.toMatch(/\*\*/);
    const after = await scrape();
    expect(after.get('bmc_up')).toBe(1);
    expect(after.get('processor_temperature_celsius{cpu="2"}')).toBe(71);
    expect(after.get('power_draw_watts{psu="1"}')).toBe(250);
    expect((await ipmitoolReadings(0x03, 'degrees C')).get('2')).toBe(71);
    expect((await ipmitoolReadings(0x0a, 'Watts')).get('1')).toBe(250);
    // Unchanged ones stay as they were.
    expect(after.get('processor_temperature_celsius{cpu="1"}')).toBe(before.get('processor_temperature_celsius{cpu="1"}'));
  });

  it('kept one session for all of it, and never logged the password', async () => {
    const self = samples(await (await fetch(`${exporter.url}/metrics`)).text());
    expect(self.get('bmc_exporter_healthy')).toBe(1);
    expect(self.get('bmc_exporter_sessions_open')).toBe(1);
    expect(self.get('bmc_collector_session_expiries_total') ?? 0).toBe(0);
    expect(env.log).not.toContain(sim.users.user.password);
    expect(env.log).toContain(target);
  });
});
