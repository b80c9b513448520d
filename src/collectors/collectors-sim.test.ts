import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { deriveLinear, PROFILES, resolution, startFleet, type BmcDefinition, type Fleet, type SensorDefinition } from '@bmc-exporter/bmc-sim';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { startExporter, type Exporter, type StartOptions } from '../main.js';
import { samples } from '../testing/sim-target.js';
import { DEFAULT_COLLECTORS } from './index.js';

// F1's address block: 127.7.x.y, one /24 per fleet so fleets never share a socket.
let nextBlock = 1;
const FAST = { initialTimeoutMs: 150, maxTimeoutMs: 300, backoff: 2, attempts: 2, sessionAttempts: 2 };
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});
afterAll(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

interface Setup {
  fleet: Fleet;
  exporter: Exporter;
  target: string;
  /** Engineering value the simulated BMC holds for a sensor, and the converter's step (half of it is the tolerance). */
  held(name: string): { value: number; step: number };
  scrape(query?: string): Promise<{ status: number; text: string; m: Map<string, number> }>;
  commands(): Promise<Record<string, number>>;
}

async function setup(
  bmc: { profile: string } | { bmc: BmcDefinition },
  opts: { faults?: { dcmiIgnore?: boolean }; secretsCollectors?: string[]; options?: Partial<StartOptions> } = {},
): Promise<Setup> {
  const fleet = await startFleet(
    { count: 1, baseAddress: `127.7.${nextBlock++}.1`, seed: 11, ...bmc, ...(opts.faults ? { faults: opts.faults } : {}) },
    { workers: 0 },
  );
  cleanup.push(() => fleet.close());
  const [target, cred] = Object.entries(fleet.secrets())[0]!;
  const dir = await mkdtemp(join(tmpdir(), 'bmc-exporter-f1-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const secretsFile = join(dir, 'secrets.yml');
  const list = opts.secretsCollectors ? `  collectors: [${opts.secretsCollectors.join(', ')}]\n` : '';
  await writeFile(secretsFile, `"${target}":\n  username: ${cred.username}\n  password: "${cred.password}"\n${list}`);
  const exporter = await startExporter(
    {
      listen: { host: '127.0.0.1', port: 0 },
      scrapeTimeoutMs: 4000,
      scrapeTimeoutOffsetMs: 500,
      logLevel: 'error',
      logFormat: 'json',
      targetIdleTimeoutMs: 60_000,
      demo: false,
      secretsFile,
      ...opts.options,
    },
    {
      retry: FAST,
      processMetrics: false,
      logger: createLogger({ level: 'error', format: 'json', destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
    },
  );
  cleanup.push(() => exporter.close());
  const sim = fleet.bmcs[0]!;
  return {
    fleet,
    exporter,
    target,
    held(name) {
      const s = sim.model.sensor(name);
      return { value: s.def.value!, step: resolution(deriveLinear(s.def)) };
    },
    async scrape(query = '') {
      const res = await fetch(`${exporter.url}/bmc?target=${target}${query}`);
      const text = await res.text();
      return { status: res.status, text, m: samples(text) };
    },
    commands: async () => (await fleet.counters(0)).commands,
  };
}

/** Commands since `before`, without the zeros. */
function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(after)) if (n - (before[k] ?? 0) > 0) out[k] = n - (before[k] ?? 0);
  return out;
}

const GET_SENSOR_READING = '0x04:0x2d';
const GET_CHASSIS_STATUS = '0x00:0x01';
const DCMI_CAPABILITIES = '0x2c:0x01';
const DCMI_POWER_READING = '0x2c:0x02';
const NEW_COLLECTORS = 'chassis_temperature,fans,voltages,power_supply,sensor_health,dcmi';

function expectHeld(s: Setup, m: Map<string, number>, series: string, sensor: string, scale = 1) {
  const { value, step } = s.held(sensor);
  const got = m.get(series);
  expect(got, series).toBeDefined();
  expect(Math.abs(got! - value * scale), `${series} = ${got}, BMC holds ${value * scale}`).toBeLessThanOrEqual((step / 2) * scale + 1e-9);
}

describe('sensor collectors against a simulated server-2s', () => {
  it('exports every family with the values the BMC holds, one series per physical thing', async () => {
    const s = await setup({ profile: 'server-2s' });
    const { status, m } = await s.scrape();
    expect(status).toBe(200);
    expect(m.get('bmc_up')).toBe(1);
    expectHeld(s, m, 'chassis_intake_temperature_celsius', 'Inlet Temp');
    expectHeld(s, m, 'chassis_exhaust_temperature_celsius', 'Exhaust Temp');
    for (let i = 1; i <= 6; i++) expectHeld(s, m, `fan_speed_rpm{fan="FAN${i}"}`, `FAN${i}`);
    for (const rail of ['12V', '5V', '3.3V', 'VBAT', 'CPU1 VCore']) expectHeld(s, m, `voltage_volts{rail="${rail}"}`, rail);
    for (const psu of ['1', '2']) {
      expect(m.get(`power_supply_present{psu="${psu}"}`)).toBe(1);
      for (const f of ['failed', 'predictive_failure', 'input_lost']) expect(m.get(`power_supply_${f}{psu="${psu}"}`)).toBe(0);
    }
    // Every threshold sensor ok; types from Table 42-3.
    const health = [...m].filter(([k]) => k.startsWith('sensor_threshold_state'));
    expect(health).toHaveLength(2 + 2 + 6 + 5 + 2);
    expect(health.every(([, v]) => v === 0)).toBe(true);
    expect(m.get('sensor_threshold_state{sensor="FAN3",type="fan"}')).toBe(0);
    expect(m.get('sensor_threshold_state{sensor="PSU1 Input Power",type="other_units_based_sensor"}')).toBe(0);
    expect(m.get('sensor_threshold_state{sensor="Inlet Temp",type="temperature"}')).toBe(0);
    // DCMI numbers the BMC holds (varied per BMC by the fleet: read them back from its definition).
    const dcmi = s.fleet.bmcs[0]!.model.definition.dcmi;
    if (typeof dcmi !== 'object') throw new Error('server-2s has DCMI');
    expect(m.get('dcmi_power_current_watts')).toBe(dcmi.powerWatts.current);
    expect(m.get('dcmi_power_minimum_watts')).toBe(dcmi.powerWatts.min);
    expect(m.get('dcmi_power_maximum_watts')).toBe(dcmi.powerWatts.max);
    expect(m.get('dcmi_power_average_watts')).toBe(dcmi.powerWatts.average);
    expect(m.get('dcmi_power_sampling_period_seconds')).toBe(60);
    // The opt-in collector is not in the default set, and no fan reports percent.
    expect([...m.keys()].some((k) => k.startsWith('sensor_value') || k.startsWith('fan_speed_ratio'))).toBe(false);
  });

  it('warm scrape: one Get Sensor Reading per distinct sensor, whichever collectors want it, no SDR, DCMI capabilities not asked again', async () => {
    const s = await setup({ profile: 'server-2s' });
    await s.scrape(`&collectors=${NEW_COLLECTORS},processor_temperature,power_draw,chassis`);
    const before = await s.commands();
    const { m } = await s.scrape(`&collectors=${NEW_COLLECTORS},processor_temperature,power_draw,chassis`);
    expect(m.get('bmc_up')).toBe(1);
    // 2 CPU + inlet + exhaust + 6 fans + 5 rails + 2 PSU watts + 2 PSU status = 19 distinct sensors;
    // sensor_health's 17 threshold sensors are all among them and cost nothing more.
    expect(delta(before, await s.commands())).toEqual({ [GET_CHASSIS_STATUS]: 1, [GET_SENSOR_READING]: 19, [DCMI_POWER_READING]: 1 });
    // 19 reads for 19 distinct sensors with every family's series present (first test) means no sensor was read twice.
  });

  it('sensor_health alone reads each threshold sensor once, and reports non-critical and critical crossings', async () => {
    const s = await setup({ profile: 'server-2s' });
    await s.scrape('&collectors=sensor_health');
    await s.fleet.setSensor(0, 'FAN2', 900); // below lnc 1000, above lcr 600
    await s.fleet.setSensor(0, 'CPU2 Temp', 91); // above ucr 90
    await s.fleet.setSensor(0, 'Exhaust Temp', 72); // above unc 70
    await s.fleet.setSensor(0, '12V', 10.5); // below lcr 10.8
    const before = await s.commands();
    const { m } = await s.scrape('&collectors=sensor_health');
    expect(delta(before, await s.commands())).toEqual({ [GET_SENSOR_READING]: 17 });
    expect(m.get('sensor_threshold_state{sensor="FAN2",type="fan"}')).toBe(1);
    expect(m.get('sensor_threshold_state{sensor="CPU2 Temp",type="temperature"}')).toBe(2);
    expect(m.get('sensor_threshold_state{sensor="Exhaust Temp",type="temperature"}')).toBe(1);
    expect(m.get('sensor_threshold_state{sensor="12V",type="voltage"}')).toBe(2);
    expect(m.get('sensor_threshold_state{sensor="FAN1",type="fan"}')).toBe(0);
    // Nothing else ran.
    expect([...m.keys()].filter((k) => !k.startsWith('sensor_threshold_state')).sort()).toEqual(['bmc_scrape_duration_seconds', 'bmc_up']);
  });

  it('PSU status follows the discrete offsets: failure, predictive failure, AC lost, absent', async () => {
    const s = await setup({ profile: 'server-2s' });
    const sim = s.fleet.bmcs[0]!.model;
    sim.setSensorStates('PSU1 Status', [0, 1, 2]);
    sim.setSensorStates('PSU2 Status', [0, 3]);
    let { m } = await s.scrape('&collectors=power_supply');
    expect(m.get('power_supply_failed{psu="1"}')).toBe(1);
    expect(m.get('power_supply_predictive_failure{psu="1"}')).toBe(1);
    expect(m.get('power_supply_input_lost{psu="1"}')).toBe(0);
    expect(m.get('power_supply_input_lost{psu="2"}')).toBe(1);
    expect(m.get('power_supply_failed{psu="2"}')).toBe(0);
    sim.setSensorStates('PSU2 Status', [4]); // input lost or out of range, presence no longer asserted
    ({ m } = await s.scrape('&collectors=power_supply'));
    expect(m.get('power_supply_present{psu="2"}')).toBe(0);
    expect(m.get('power_supply_input_lost{psu="2"}')).toBe(1);
    sim.setSensorPresent('PSU2 Status', false); // Get Sensor Reading answers "not present": no series, not a failure
    ({ m } = await s.scrape('&collectors=power_supply'));
    expect(m.has('power_supply_present{psu="2"}')).toBe(false);
    expect(m.get('power_supply_present{psu="1"}')).toBe(1);
    const health = samples(await (await fetch(`${s.exporter.url}/metrics`)).text()).get('bmc_exporter_healthy');
    expect(health).toBe(1);
  });

  it('the opt-in sensors collector exports every threshold sensor with name, type and unit', async () => {
    const s = await setup({ profile: 'server-2s' });
    const { m } = await s.scrape('&collectors=sensors');
    const values = [...m.keys()].filter((k) => k.startsWith('sensor_value{'));
    expect(values).toHaveLength(17);
    expectHeld(s, m, 'sensor_value{name="Inlet Temp",type="temperature",unit="celsius"}', 'Inlet Temp');
    expectHeld(s, m, 'sensor_value{name="FAN4",type="fan",unit="rpm"}', 'FAN4');
    expectHeld(s, m, 'sensor_value{name="3.3V",type="voltage",unit="volts"}', '3.3V');
    expectHeld(s, m, 'sensor_value{name="PSU2 Input Power",type="other_units_based_sensor",unit="watts"}', 'PSU2 Input Power');
    expect(m.get('sensor_state{name="FAN4",type="fan",unit="rpm"}')).toBe(0);
    expect([...m.keys()].filter((k) => k.startsWith('sensor_state{'))).toHaveLength(17);
  });
});

describe('sensor collectors against a simulated gpu-server', () => {
  it('100+ sensors: every family, GPU temperatures never taken for chassis air, warm cost one read per distinct sensor', async () => {
    const s = await setup({ profile: 'gpu-server' });
    const { m } = await s.scrape();
    expect(m.get('bmc_up')).toBe(1);
    expectHeld(s, m, 'chassis_intake_temperature_celsius', 'Inlet Temp');
    expectHeld(s, m, 'chassis_exhaust_temperature_celsius', 'Exhaust Temp');
    for (let f = 1; f <= 16; f++) expectHeld(s, m, `fan_speed_rpm{fan="FAN${f}"}`, `FAN${f}`);
    const rails = [...m.keys()].filter((k) => k.startsWith('voltage_volts{'));
    expect(rails).toHaveLength(48);
    expectHeld(s, m, 'voltage_volts{rail="GPU8 HBM"}', 'GPU8 HBM');
    expectHeld(s, m, 'voltage_volts{rail="CPU2 VPP EFGH"}', 'CPU2 VPP EFGH');
    for (let p = 1; p <= 4; p++) expect(m.get(`power_supply_present{psu="${p}"}`)).toBe(1);
    // 4 chassis temps + 8 GPU + 8 GPU memory + 16 fans + 4 PSU + 48 rails + 8 GPU power; GPU9 is absent: no series.
    const health = [...m.keys()].filter((k) => k.startsWith('sensor_threshold_state{'));
    expect(health).toHaveLength(4 + 8 + 8 + 16 + 4 + 48 + 8);
    expect(health.some((k) => k.includes('GPU9'))).toBe(false);
    expect(m.get('sensor_threshold_state{sensor="GPU3 Mem Temp",type="temperature"}')).toBe(0);
    expect(m.get('dcmi_power_sampling_period_seconds')).toBe(300);

    const before = await s.commands();
    await s.scrape(`&collectors=chassis,processor_temperature,power_draw,${NEW_COLLECTORS}`);
    // 96 readable threshold sensors + GPU9 (answers "not present") + 4 PSU status = 101 distinct sensors.
    expect(delta(before, await s.commands())).toEqual({ [GET_CHASSIS_STATUS]: 1, [GET_SENSOR_READING]: 101, [DCMI_POWER_READING]: 1 });
  });
});

/** A BMC listing sensors twice, and reusing names across entities (Dell names both CPU temperatures "Temp"). */
function duplicatedDefinition(): BmcDefinition {
  const base = PROFILES['server-2s']!;
  const find = (name: string) => base.sensors.find((x) => x.name === name)!;
  const cpuTemp = (number: number, instance: number): SensorDefinition => ({
    ...find('CPU1 Temp'),
    name: 'Temp',
    number,
    entity: { id: 'processor', instance },
  });
  return {
    ...base,
    sel: { capacity: 16 },
    sensors: [
      ...base.sensors,
      // Same name, same entity, another record: the same fan listed twice.
      { ...find('FAN1'), number: 0x90 },
      { ...find('12V'), number: 0x91 },
      { ...find('PSU1 Status'), number: 0x92 },
      // A second inlet on the air-inlet entity: still one intake series.
      { ...find('Inlet Temp'), name: 'Inlet Temp 2', number: 0x93, value: 30 },
      cpuTemp(0x94, 1),
      cpuTemp(0x95, 2),
      // HPE-style: a fan reporting percent of full speed.
      { name: 'Fan 7', number: 0x96, sensorType: 'fan', entity: { id: 'fan', instance: 7 }, unit: 'percent', value: 43, thresholds: { lnc: 10 } },
    ],
  };
}

describe('duplicated and ambiguous sensors', () => {
  it('one series per physical sensor: the same sensor listed twice counts once, the same name on two entities gets the entity', async () => {
    const s = await setup({ bmc: duplicatedDefinition() });
    const { m, text } = await s.scrape('&collectors=chassis_temperature,fans,voltages,power_supply,sensor_health,sensors');
    expect(m.get('bmc_up')).toBe(1);
    const count = (prefix: string) => [...m.keys()].filter((k) => k.startsWith(prefix)).length;
    expect(count('fan_speed_rpm{fan="FAN1"}')).toBe(1);
    expect(count('fan_speed_rpm{')).toBe(6);
    expect(count('fan_speed_ratio{')).toBe(1);
    expectHeld(s, m, 'fan_speed_ratio{fan="Fan 7"}', 'Fan 7', 0.01);
    expect(count('voltage_volts{rail="12V"}')).toBe(1);
    expect(count('power_supply_present{')).toBe(2);
    expect(count('chassis_intake_temperature_celsius')).toBe(1);
    // First in SDR order: the original inlet, not the second one at 30 °C.
    expectHeld(s, m, 'chassis_intake_temperature_celsius', 'Inlet Temp');
    expect(m.get('sensor_threshold_state{sensor="Temp (3.1)",type="temperature"}')).toBe(0);
    expect(m.get('sensor_threshold_state{sensor="Temp (3.2)",type="temperature"}')).toBe(0);
    expect(m.has('sensor_threshold_state{sensor="Temp",type="temperature"}')).toBe(false);
    expect(m.has('sensor_value{name="Temp (3.2)",type="temperature",unit="celsius"}')).toBe(true);
    expect(count('sensor_threshold_state{sensor="FAN1"')).toBe(1);
    // prom-client would have thrown on a duplicate; check the exposition has no repeated series line anyway.
    const lines = text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.slice(0, l.lastIndexOf(' ')));
    expect(new Set(lines).size).toBe(lines.length);
  });
});

/** Dell-style: inlet and exhaust both on the system board (7.1), no air-inlet entity; a PSU inlet sensor that must not be taken. */
function misusedEntitiesDefinition(): BmcDefinition {
  const base = PROFILES['server-2s']!;
  const temps = (name: string, number: number, entity: string, instance: number, value: number): SensorDefinition => ({
    name,
    number,
    sensorType: 'temperature',
    entity: { id: entity, instance },
    unit: 'celsius',
    value,
    thresholds: { unc: 70, ucr: 80 },
  });
  return {
    ...base,
    sel: { capacity: 16 },
    sensors: [
      temps('PSU1 Inlet Temp', 0x01, 'power-supply', 1, 38),
      temps('Temp', 0x02, 'processor', 1, 50),
      temps('SB Inlet Temp', 0x03, 'system-board', 1, 23),
      temps('Exhaust Temp', 0x04, 'system-board', 1, 36),
      temps('GPU1 Outlet Temp', 0x05, 'add-in-card', 1, 61),
    ],
  };
}

describe('intake/exhaust by sensor name when the BMC misuses entities', () => {
  it('takes the chassis-level sensors named inlet and exhaust, never a PSU or GPU one', async () => {
    const s = await setup({ bmc: misusedEntitiesDefinition() });
    const before = await s.commands();
    const { m } = await s.scrape('&collectors=chassis_temperature');
    expectHeld(s, m, 'chassis_intake_temperature_celsius', 'SB Inlet Temp');
    expectHeld(s, m, 'chassis_exhaust_temperature_celsius', 'Exhaust Temp');
    // Session setup and the SDR walk aside, two readings.
    expect(delta(before, await s.commands())[GET_SENSOR_READING]).toBe(2);
  });
});

describe('DCMI', () => {
  it('minimal profile: DCMI metrics from DCMI, power_draw from the same single Get Power Reading, no PSU series', async () => {
    const s = await setup({ profile: 'minimal' });
    const { m } = await s.scrape();
    const dcmi = s.fleet.bmcs[0]!.model.definition.dcmi;
    if (typeof dcmi !== 'object') throw new Error('minimal has DCMI');
    expect(m.get('dcmi_power_current_watts')).toBe(dcmi.powerWatts.current);
    expect(m.get('dcmi_power_average_watts')).toBe(dcmi.powerWatts.average);
    expect(m.get('dcmi_power_sampling_period_seconds')).toBe(60);
    expect(m.get('power_draw_watts{psu=""}')).toBe(dcmi.powerWatts.current);
    expect([...m.keys()].some((k) => k.startsWith('power_supply_'))).toBe(false);
    expectHeld(s, m, 'chassis_intake_temperature_celsius', 'Inlet Temp');
    expect(m.has('chassis_exhaust_temperature_celsius')).toBe(false);
    const before = await s.commands();
    await s.scrape();
    const warm = delta(before, await s.commands());
    expect(warm[DCMI_POWER_READING]).toBe(1);
    expect(warm[DCMI_CAPABILITIES]).toBeUndefined();
  });

  it('a BMC without DCMI: asked once per session, never again on warm scrapes', async () => {
    const s = await setup({ bmc: { ...PROFILES['server-2s']!, dcmi: false, sel: { capacity: 16 } } });
    const { m } = await s.scrape();
    expect(m.get('bmc_up')).toBe(1);
    expect([...m.keys()].some((k) => k.startsWith('dcmi_'))).toBe(false);
    expect((await s.commands())[DCMI_CAPABILITIES]).toBe(1);
    const before = await s.commands();
    await s.scrape();
    await s.scrape();
    const warm = delta(before, await s.commands());
    expect(Object.keys(warm).filter((k) => k.startsWith('0x2c:'))).toEqual([]);
  });

  it('a BMC that ignores DCMI (fault dcmiIgnore): one timeout in the first scrape, then no DCMI request, every scrape bmc_up 1', async () => {
    const s = await setup({ profile: 'minimal' }, { faults: { dcmiIgnore: true } });
    const first = await s.scrape();
    expect(first.m.get('bmc_up')).toBe(1);
    expect([...first.m.keys()].some((k) => k.startsWith('dcmi_') || k.startsWith('power_draw'))).toBe(false);
    const afterFirst = await s.commands();
    for (let i = 0; i < 3; i++) {
      const { m } = await s.scrape();
      expect(m.get('bmc_up')).toBe(1);
      expect(m.has('processor_temperature_celsius{cpu="1"}')).toBe(true);
    }
    const warm = delta(afterFirst, await s.commands());
    expect(Object.keys(warm).filter((k) => k.startsWith('0x2c:'))).toEqual([]);
    // Ignored DCMI is silence, not a read failure.
    expect(samples(await (await fetch(`${s.exporter.url}/metrics`)).text()).get('bmc_exporter_healthy')).toBe(1);
  });
});

describe('collector selection', () => {
  const families = (m: Map<string, number>) => [...new Set([...m.keys()].map((k) => k.replace(/\{.*/, '')))].sort();

  it('query parameter: a comma list or repeated values run only those; unknown or empty is 400 naming the known ones, nothing sent', async () => {
    const s = await setup({ profile: 'server-2s' });
    const only = await s.scrape('&collectors=chassis,voltages');
    expect(families(only.m)).toEqual([
      'bmc_scrape_duration_seconds',
      'bmc_up',
      'chassis_cooling_fault',
      'chassis_drive_fault',
      'chassis_intrusion',
      'chassis_power_fault',
      'chassis_powered_on',
      'voltage_volts',
    ]);
    // Prometheus sends `params: {collectors: [dcmi, fans]}` as repeated parameters.
    const repeated = await s.scrape('&collectors=dcmi&collectors=fans');
    expect(families(repeated.m)).toEqual([
      'bmc_scrape_duration_seconds',
      'bmc_up',
      'dcmi_power_average_watts',
      'dcmi_power_current_watts',
      'dcmi_power_maximum_watts',
      'dcmi_power_minimum_watts',
      'dcmi_power_sampling_period_seconds',
      'fan_speed_rpm',
    ]);
    const before = await s.commands();
    const unknown = await s.scrape('&collectors=chassis,fanz');
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('unknown collector "fanz"; known collectors: bmc_info, chassis');
    expect(unknown.text).toContain('sensors');
    const empty = await s.scrape('&collectors=');
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('name at least one collector');
    expect(delta(before, await s.commands())).toEqual({});
  });

  it('precedence: query parameter over the secrets entry over --collectors.default over the built-in default', async () => {
    const flagOnly = await setup({ profile: 'server-2s' }, { options: { defaultCollectors: ['fans', 'sensors'] } });
    expect(families((await flagOnly.scrape()).m)).toEqual(['bmc_scrape_duration_seconds', 'bmc_up', 'fan_speed_rpm', 'sensor_state', 'sensor_value']);
    expect(families((await flagOnly.scrape('&collectors=voltages')).m)).toEqual(['bmc_scrape_duration_seconds', 'bmc_up', 'voltage_volts']);

    const both = await setup({ profile: 'server-2s' }, { options: { defaultCollectors: ['fans'] }, secretsCollectors: ['dcmi'] });
    expect(families((await both.scrape()).m)).toContain('dcmi_power_current_watts');
    expect(families((await both.scrape()).m)).not.toContain('fan_speed_rpm');
    expect(families((await both.scrape('&collectors=chassis_temperature')).m)).toEqual([
      'bmc_scrape_duration_seconds',
      'bmc_up',
      'chassis_exhaust_temperature_celsius',
      'chassis_intake_temperature_celsius',
    ]);

    const builtIn = await setup({ profile: 'server-2s' });
    const all = families((await builtIn.scrape()).m);
    for (const f of [
      'bmc_info',
      'chassis_powered_on',
      'processor_temperature_celsius',
      'power_draw_watts',
      'chassis_intake_temperature_celsius',
      'fan_speed_rpm',
      'voltage_volts',
      'power_supply_present',
      'sensor_threshold_state',
      'dcmi_power_current_watts',
    ]) {
      expect(all).toContain(f);
    }
    expect(all).not.toContain('sensor_value');
    expect(DEFAULT_COLLECTORS.map((c) => c.name)).not.toContain('sensors');
  });
});
