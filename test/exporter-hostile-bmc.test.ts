// Hostile BMCs against the exporter CLI as users run it: simulated
// BMCs on 127.6.9.0/24 whose answers are well framed, authenticated and carry
// completion code 0, but whose content is hostile (the simulator's hostile
// faults): an SDR whose links form a cycle, an SDR of 65,535 records, a SEL
// cycle, a SEL of 65,535 entries, short and random sensor readings, short
// Get Device ID and Get System GUID answers. Every scrape is answered 200 by
// its deadline plus a bound, the exporter's memory stays bounded, and what
// happened is reported: bmc_up, the series still exported, the exporter's
// own counters, health and the homepage. A healthy BMC scraped in between is
// never disturbed.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultConfig } from '@bmc-exporter/bmc-sim';
import { samples, startCli, tempDir, type CliProcess, type TempDir } from './exporter/cli.js';
import { startTestFleet, type TestFleet } from './exporter/fleet.js';

const DEADLINE_MS = 4000;
/**
 * Lower than the 4,096 default so the capped walk (two Get SDR per record)
 * takes a few scrapes at most on a slow machine: a walk cut by its deadline
 * is continued by the next scrape, and 8,192 round trips do not always fit in 4 s.
 */
const SDR_CAP = 1024;
/**
 * Real time, because the exporter is the CLI in a child process: scheduling on a loaded 2-core
 * machine, HTTP and the generator's own work. Generous, but far below "hung".
 */
const BOUND_MS = 2000;
/** Exporter RSS growth allowed for a hostile BMC's scrapes (held whole, 65,535 SDR records cost ~180 MB). */
const MEMORY_BOUND_MIB = 64;

const HOSTILE: Record<string, Partial<FaultConfig>> = {
  healthy: {},
  sdrCycle: { sdrCycle: true },
  sdrHuge: { sdrRecords: 65_535 },
  selCycle: { selCycle: true },
  selHuge: { selEntries: 65_535 },
  shortReadings: { shortSensorReadingPercent: 30 },
  randomReadings: { randomSensorReadingPercent: 30 },
  shortDeviceId: { shortDeviceId: true },
  shortGuid: { shortGuid: true },
};
const NAMES = Object.keys(HOSTILE);

let fleet: TestFleet;
let dir: TempDir;
let cli: CliProcess;
const target = (name: string) => fleet.targets[NAMES.indexOf(name)]!;
/** Series of the healthy BMC's first scrape: the same profile, so every other BMC should show as many. */
let healthySeries: string[];

interface Scrape {
  status: number;
  ms: number;
  body: string;
  series: Map<string, number>;
}

async function scrape(name: string): Promise<Scrape> {
  const t0 = performance.now();
  const r = await fetch(`${cli.url}/bmc?target=${encodeURIComponent(target(name))}`, { signal: AbortSignal.timeout(60_000) });
  const body = await r.text();
  return { status: r.status, ms: performance.now() - t0, body, series: samples(body) };
}

/** A scrape answered 200 by its deadline plus the bound. */
async function inTime(name: string): Promise<Scrape> {
  const s = await scrape(name);
  expect(s.status, `${name}: ${s.body.slice(0, 300)}`).toBe(200);
  expect(s.ms, `${name} answered after ${s.ms.toFixed(0)} ms`).toBeLessThan(DEADLINE_MS + BOUND_MS);
  return s;
}

const selfMetrics = async () => samples(await (await fetch(`${cli.url}/metrics`)).text());
const rssMiB = () => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${cli.pid}/status`, 'utf8'))![1]) / 1024;
/** Family name of every series (labels such as bmc_info's guid differ per BMC), sorted. */
const families = (ks: string[]) => ks.map((k) => k.replace(/\{.*$/, '')).sort();
/** Series names without values, minus the per-scrape duration. */
const keys = (s: Scrape) => [...s.series.keys()].filter((k) => k !== 'bmc_scrape_duration_seconds').sort();
/** The homepage row of a target, tags stripped. */
async function homepageRow(name: string): Promise<string> {
  const html = await (await fetch(`${cli.url}/`)).text();
  const row = html.split('<tr').find((r) => r.includes(target(name)));
  return (row ?? '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');
}

beforeAll(async () => {
  const bmcFaults = Object.fromEntries(NAMES.map((n, i) => [String(i), HOSTILE[n]!]));
  fleet = await startTestFleet({ count: NAMES.length, profile: 'server-2s', baseAddress: '127.6.9.1', seed: 91, bmcFaults });
  dir = await tempDir('bmc-exporter-hostile-');
  const secrets = await dir.write('secrets.yml', fleet.fleet.secrets());
  cli = await startCli([
    '--web.listen-address',
    '127.0.0.1:0',
    '--secrets.static',
    secrets,
    '--scrape.timeout',
    `${DEADLINE_MS}ms`,
    '--sdr.max-records',
    `${SDR_CAP}`,
    '--log.level',
    'info',
  ]);
  const first = await inTime('healthy');
  expect(first.series.get('bmc_up')).toBe(1);
  healthySeries = keys(first);
});

afterAll(async () => {
  await cli?.stop();
  await fleet?.close();
  await dir?.remove();
});

describe('hostile BMCs against the exporter', () => {
  it('an SDR whose links form a cycle: the walk stops at the loop, its sensors are exported, the cycle is reported', async () => {
    const before = await selfMetrics();
    const s = await inTime('sdrCycle');
    expect(s.series.get('bmc_up')).toBe(1);
    // Every record comes before the link back, so every sensor is there (values differ per BMC, names do not).
    expect(families(keys(s))).toEqual(families(healthySeries));
    const after = await selfMetrics();
    expect(after.get('bmc_exporter_sdr_incomplete_total{reason="cycle"}')! - (before.get('bmc_exporter_sdr_incomplete_total{reason="cycle"}') ?? 0)).toBe(1);
    expect(after.get('bmc_exporter_healthy')).toBe(0);
    expect(await homepageRow('sdrCycle')).toMatch(/cycle/);
    // Warm: the cached (cut) walk is used, still in time.
    expect((await inTime('sdrCycle')).series.get('bmc_up')).toBe(1);
  });

  it('an SDR of 65,535 records: every scrape in time, the walk stops at --sdr.max-records, memory stays bounded', async () => {
    const rss0 = rssMiB();
    let limit = 0;
    let last: Scrape | undefined;
    // The walk to the cap may span a few scrapes on a slow machine.
    for (let i = 0; i < 12 && limit === 0; i++) {
      last = await inTime('sdrHuge');
      expect(last.series.get('bmc_up')).toBe(1);
      limit = (await selfMetrics()).get('bmc_exporter_sdr_incomplete_total{reason="record-limit"}')!;
    }
    expect(limit).toBe(1);
    // The model's sensors come first: all of them are exported once the walk has stopped.
    last = await inTime('sdrHuge');
    const fan = (s: Scrape) => [...s.series.keys()].filter((k) => k.startsWith('fan_speed_rpm{')).length;
    expect(fan(last)).toBe(healthySeries.filter((k) => k.startsWith('fan_speed_rpm{')).length);
    expect(fan(last)).toBeGreaterThan(0);
    expect(await homepageRow('sdrHuge')).toMatch(new RegExp(`${SDR_CAP} records`));
    expect(rssMiB() - rss0).toBeLessThan(MEMORY_BOUND_MIB);
    // Bounded by the cap, not by the BMC: an uncapped walk would be 131,070 Get SDR
    // (header and body per record). A walk cut by a deadline is continued by the next
    // scrape, so the capped walk is read once: each cut costs at most the record in
    // flight again (header and body), at most 12 cuts.
    expect(fleet.fleet.bmcs[NAMES.indexOf('sdrHuge')]!.hostile.counters.sdr).toBeLessThanOrEqual(2 * SDR_CAP + 2 * 12);
  }, 120_000);

  it('a SEL whose newest entry links back to the first: each entry counted once, in time', async () => {
    for (let i = 0; i < 2; i++) {
      const s = await inTime('selCycle');
      expect(s.series.get('bmc_up')).toBe(1);
      expect(s.series.get('sel_entries')).toBe(2);
      expect(s.series.get('sel_read_complete')).toBe(1);
      const events = [...s.series].filter(([k]) => k.startsWith('sel_events{')).reduce((a, [, v]) => a + v, 0);
      expect(events).toBe(2);
    }
  });

  it('a SEL of 65,535 entries: read in batches paced to the deadline, every scrape in time, memory bounded', async () => {
    const rss0 = rssMiB();
    let counted = 0;
    // Not all in one scrape; each scrape reads on from where the last stopped. How many
    // scrapes the whole SEL takes depends on the machine's speed: at most 3 are looked at.
    for (let i = 0; i < 3; i++) {
      const s = await inTime('selHuge');
      expect(s.series.get('bmc_up')).toBe(1);
      expect(s.series.get('sel_entries')).toBe(65_535);
      const complete = s.series.get('sel_read_complete');
      if (i === 0) expect(complete).toBe(0);
      const events = [...s.series].filter(([k]) => k.startsWith('sel_events{')).reduce((a, [, v]) => a + v, 0);
      expect(events).toBeGreaterThan(counted);
      counted = events;
      if (complete === 1) break;
    }
    expect(rssMiB() - rss0).toBeLessThan(MEMORY_BOUND_MIB);
  });

  it('short sensor readings: the other sensors are still exported, each bad one counted and named', async () => {
    const before = (await selfMetrics()).get('bmc_exporter_sensor_read_errors_total{reason="malformed"}') ?? 0;
    const s = await inTime('shortReadings');
    expect(s.series.get('bmc_up')).toBe(1);
    const readings = (x: string[]) =>
      x.filter((k) => /^(fan_speed_rpm|voltage_volts|processor_temperature_celsius|power_draw_watts|chassis_\w+_temperature_celsius)\{/.test(k));
    const got = readings(keys(s));
    const all = readings(healthySeries);
    // About 30% of readings short: some series missing, most there (not "the rest of the collector dropped").
    expect(got.length).toBeLessThan(all.length);
    expect(got.length).toBeGreaterThan(all.length / 3);
    for (const k of got) expect(all).toContain(k);
    const after = (await selfMetrics()).get('bmc_exporter_sensor_read_errors_total{reason="malformed"}')!;
    expect(after).toBeGreaterThan(before);
    expect(await homepageRow('shortReadings')).toMatch(/sensor "[^"]+": Get Sensor Reading response: short read/);
  });

  it('random sensor readings: answered in time with bmc_up 1, every sample a number', async () => {
    for (let i = 0; i < 3; i++) {
      const s = await inTime('randomReadings');
      expect(s.series.get('bmc_up')).toBe(1);
      for (const [k, v] of s.series) expect(Number.isNaN(v), `${k} ${v}`).toBe(false);
      const known = new Set(families(healthySeries));
      for (const f of families(keys(s))) expect(known).toContain(f);
    }
  });

  it.each([
    ['shortDeviceId', /Get Device ID response: short read/],
    ['shortGuid', /Get System GUID response: short read/],
  ])('%s: bmc_info is left out and its error counted and shown, everything else exported', async (name, why) => {
    const before = (await selfMetrics()).get('bmc_exporter_collector_errors_total{collector="bmc_info"}') ?? 0;
    const s = await inTime(name);
    expect(s.series.get('bmc_up')).toBe(1);
    expect(keys(s)).toEqual(healthySeries.filter((k) => !k.startsWith('bmc_info{')));
    expect((await selfMetrics()).get('bmc_exporter_collector_errors_total{collector="bmc_info"}')).toBeGreaterThan(before);
    expect(await homepageRow(name)).toMatch(why);
  });

  it('the healthy BMC is undisturbed after all of it, and the exporter still runs', async () => {
    const s = await inTime('healthy');
    expect(s.series.get('bmc_up')).toBe(1);
    expect(keys(s)).toEqual(healthySeries);
    expect(cli.child.exitCode).toBeNull();
  });
});
