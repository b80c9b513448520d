// The issue-5 sensor collectors against a real BMC simulator (OpenIPMI's
// ipmi_sim on 127.0.0.8:623, F1's address): fans, voltage rails,
// intake/exhaust, PSU status and every threshold sensor's state equal what
// ipmitool (the reference client) reads from the same simulator in the same
// run, before and after the simulator's console moves sensors across their
// thresholds. Needs root (port 623) and the Debian packages openipmi and
// ipmitool; a missing peer fails the test, it never skips.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exporter } from '../src/main.js';
import { samples } from './exporter/cli.js';
import type { IpmiSimHandle } from './peers/ipmi-sim.js';
import { startIpmiSimExporter, type IpmiSimExporter } from './exporter/ipmi-sim-exporter.js';
import { parseSdrElist, parseSensorList, runIpmitool, type SdrElistRow, type SensorListRow } from './peers/ipmitool.js';

let env: IpmiSimExporter;
let sim: IpmiSimHandle;
let exporter: Exporter;
let target: string;

beforeAll(async () => {
  env = await startIpmiSimExporter('127.0.0.8');
  ({ sim, exporter, target } = env);
});

afterAll(async () => {
  await env?.close();
});

/** The default set plus the opt-in all-sensors collector. */
async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(`${exporter.url}/bmc?target=${target}&collectors=chassis_temperature,fans,voltages,power_supply,sensor_health,sensors`);
  expect(res.status).toBe(200);
  const m = samples(await res.text());
  expect(m.get('bmc_up')).toBe(1);
  return m;
}

const asUser = { user: 'user' as const };

/** One ipmitool view of the simulator: `sdr elist full` (entities, status) and `sensor list` (3-decimal readings, states). */
async function ipmitool(): Promise<{ elist: SdrElistRow[]; list: Map<string, SensorListRow> }> {
  const [elist, list] = await Promise.all([
    runIpmitool(sim, ['sdr', 'elist', 'full'], asUser).then(parseSdrElist),
    runIpmitool(sim, ['sensor', 'list'], asUser).then(parseSensorList),
  ]);
  return { elist, list: new Map(list.map((r) => [r.name, r])) };
}

/** ipmitool's threshold status words (sensor list / sdr elist) as our 0-3 levels. */
const LEVEL: Record<string, number> = { ok: 0, nc: 1, lnc: 1, unc: 1, cr: 2, lcr: 2, ucr: 2, nr: 3, lnr: 3, unr: 3 };

function compare(m: Map<string, number>, ref: Awaited<ReturnType<typeof ipmitool>>) {
  const byUnit = (unit: string) => [...ref.list.values()].filter((r) => r.unit === unit && r.reading !== null);
  // Fans: every RPM sensor ipmitool lists, by name, and nothing else.
  const fans = byUnit('RPM');
  expect(fans.map((r) => r.name).sort()).toEqual(['FAN1', 'FAN2', 'FAN3', 'FAN4']);
  expect([...m.keys()].filter((k) => k.startsWith('fan_speed_rpm{')).sort()).toEqual(fans.map((r) => `fan_speed_rpm{fan="${r.name}"}`).sort());
  for (const r of fans) expect(m.get(`fan_speed_rpm{fan="${r.name}"}`)).toBeCloseTo(r.reading!, 3);
  // Voltage rails.
  const rails = byUnit('Volts');
  expect(rails.map((r) => r.name).sort()).toEqual(['12V', '3.3V', '5V']);
  expect([...m.keys()].filter((k) => k.startsWith('voltage_volts{')).sort()).toEqual(rails.map((r) => `voltage_volts{rail="${r.name}"}`).sort());
  for (const r of rails) expect(m.get(`voltage_volts{rail="${r.name}"}`)).toBeCloseTo(r.reading!, 3);
  // Intake: the air-inlet entity (0x40 = 64 as ipmitool prints it); exhaust: by name, on the system board (7.1).
  const inlet = ref.elist.find((r) => r.entity.id === 0x40)!;
  expect(inlet.name).toBe('Inlet Temp');
  const exhaust = ref.elist.find((r) => r.name === 'Exhaust Temp')!;
  expect(exhaust.entity).toEqual({ id: 7, instance: 1 });
  expect(m.get('chassis_intake_temperature_celsius')).toBeCloseTo(ref.list.get('Inlet Temp')!.reading!, 3);
  expect(m.get('chassis_exhaust_temperature_celsius')).toBeCloseTo(ref.list.get('Exhaust Temp')!.reading!, 3);
  // Every threshold sensor's state, as both ipmitool views print it; values as sensor list prints them.
  const thresholdRows = ref.elist.filter((r) => r.reading !== null);
  const ours = [...m.keys()].filter((k) => k.startsWith('sensor_threshold_state{'));
  expect(ours).toHaveLength(thresholdRows.length);
  for (const row of thresholdRows) {
    const key = [...m.keys()].find((k) => k.startsWith(`sensor_threshold_state{sensor="${row.name}",`));
    expect(key, row.name).toBeDefined();
    expect(m.get(key!), `${row.name}: sdr elist says ${row.status}`).toBe(LEVEL[row.status]);
    expect(m.get(key!), `${row.name}: sensor list says ${ref.list.get(row.name)!.status}`).toBe(LEVEL[ref.list.get(row.name)!.status]);
    const value = [...m.keys()].find((k) => k.startsWith(`sensor_value{name="${row.name}",`));
    expect(m.get(value!)).toBeCloseTo(ref.list.get(row.name)!.reading!, 3);
  }
  // PSU status: the discrete state word ipmitool prints (byte 3 first: offsets 0-7).
  for (const psu of ['1', '2']) {
    const word = ref.list.get(`PSU${psu} Status`)!.discreteState!;
    const offsets = (word >> 8) & 0xff;
    const bit = (n: number) => (offsets >> n) & 1;
    expect(m.get(`power_supply_present{psu="${psu}"}`), `PSU${psu} ${word.toString(16)}`).toBe(bit(0));
    expect(m.get(`power_supply_failed{psu="${psu}"}`)).toBe(bit(1));
    expect(m.get(`power_supply_predictive_failure{psu="${psu}"}`)).toBe(bit(2));
    expect(m.get(`power_supply_input_lost{psu="${psu}"}`)).toBe(bit(3) | bit(4));
  }
}

describe('sensor collectors vs ipmitool against ipmi_sim', () => {
  it('fans, rails, intake/exhaust, PSU status and threshold states equal ipmitool; the exhaust starts non-critical', async () => {
    const [m, ref] = await Promise.all([scrape(), ipmitool()]);
    compare(m, ref);
    expect(m.get('sensor_threshold_state{sensor="Exhaust Temp",type="temperature"}')).toBe(1);
    expect(m.get('power_supply_present{psu="1"}')).toBe(1);
  });

  it('after the console moves sensors across thresholds and fails a PSU, the next scrape equals ipmitool again', async () => {
    // FAN2 raw 15: below lower non-critical (20); FAN3 raw 5: below lower critical (10); CPU1 raw 101: above upper non-recoverable (100).
    for (const cmd of [
      'sensor_set_value 0x20 0 0x11 15 0',
      'sensor_set_value 0x20 0 0x12 5 0',
      'sensor_set_value 0x20 0 0x01 101 0',
      'sensor_set_bit_clr_rest 0x20 0 0x41 1 0',
    ]) {
      expect(await sim.console(cmd)).not.toMatch(/\*\*/);
    }
    const [m, ref] = await Promise.all([scrape(), ipmitool()]);
    compare(m, ref);
    expect(m.get('sensor_threshold_state{sensor="FAN2",type="fan"}')).toBe(1);
    expect(m.get('sensor_threshold_state{sensor="FAN3",type="fan"}')).toBe(2);
    expect(m.get('sensor_threshold_state{sensor="CPU1 Temp",type="temperature"}')).toBe(3);
    expect(m.get('power_supply_failed{psu="2"}')).toBe(1);
    expect(m.get('power_supply_present{psu="2"}')).toBe(0);
  });
});
