// The SEL collector against a real BMC simulator (OpenIPMI's ipmi_sim on
// 127.0.0.9:623): sel_entries, sel_free_bytes and the events by category and
// severity equal what ipmitool (`sel info`, `sel elist`) reads from the same
// simulator in the same run; an event added at run time through the
// simulator's console (stamped "Pre-Init" by ipmi_sim) shows in the next
// scrape with its category and severity. Needs root (port 623) and the
// Debian packages openipmi and ipmitool; a missing peer fails, never skips.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEL_CATEGORIES, SEL_SEVERITIES } from '@bmc-exporter/ipmi';
import type { Exporter } from '../src/main.js';
import { samples } from './exporter/cli.js';
import type { IpmiSimHandle } from './peers/ipmi-sim.js';
import { startIpmiSimExporter, type IpmiSimExporter } from './exporter/ipmi-sim-exporter.js';
import { parseKeyValues, parseSelElist, runIpmitool, type SelElistRow } from './peers/ipmitool.js';

let env: IpmiSimExporter;
let sim: IpmiSimHandle;
let exporter: Exporter;
let target: string;

beforeAll(async () => {
  env = await startIpmiSimExporter('127.0.0.9');
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

/**
 * Our category and severity for an event as ipmitool words it ("<sensor
 * type> <sensor name>", description, direction), by reading IPMI v2.0 Table
 * 42-2/42-3: an independent statement of what each configured entry is.
 */
function expectedOf(row: SelElistRow): string {
  const kind = `${row.sensor.split(' ')[0]}|${row.description}`;
  const asserted = row.direction === 'Asserted';
  const table: Record<string, [category: string, severity: string]> = {
    'Memory|Correctable ECC': ['memory-ecc-correctable', 'warning'],
    'Memory|Uncorrectable ECC': ['memory-ecc-uncorrectable', 'critical'],
    'Fan|Lower Critical going low': ['fan-failure', 'critical'],
    'Power|Failure detected': ['psu-failure', 'critical'],
    // An open cover is worth a look, not a page: the library rates it a warning.
    'Physical|General Chassis intrusion': ['other', 'warning'],
    'Temperature|Upper Non-critical going high': ['temperature-threshold', 'warning'],
  };
  const hit = table[kind];
  if (!hit) throw new Error(`no expectation for ipmitool's "${row.sensor} | ${row.description}"`);
  return `${hit[0]}/${asserted ? hit[1] : 'info'}`;
}

function selEvents(m: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of SEL_CATEGORIES) {
    for (const s of SEL_SEVERITIES) {
      const v = m.get(`sel_events{category="${c}",severity="${s}"}`);
      if (v === undefined) throw new Error(`sel_events{category="${c}",severity="${s}"} missing`);
      if (v > 0) out.set(`${c}/${s}`, v);
    }
  }
  return out;
}

function tallyRows(rows: readonly SelElistRow[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) out.set(expectedOf(r), (out.get(expectedOf(r)) ?? 0) + 1);
  return out;
}

/** "03/05/24" "12:00:00" (UTC, as ipmitool prints with TZ unset) → Unix seconds. */
function elistSeconds(row: SelElistRow): number {
  const [mm, dd, yy] = row.date.split('/').map(Number) as [number, number, number];
  const [h, mi, s] = row.time.split(':').map(Number) as [number, number, number];
  return Date.UTC(2000 + yy, mm - 1, dd, h, mi, s) / 1000;
}

describe('SEL collector against ipmi_sim (127.0.0.9)', () => {
  it('reports what ipmitool sel info and sel elist read: entries, free bytes, events by category and severity, latest times', async () => {
    const m = await scrape();
    const [info, elist] = await Promise.all([runIpmitool(sim, ['sel', 'info'], asUser), runIpmitool(sim, ['sel', 'elist'], asUser)]);
    const kv = parseKeyValues(info);
    const rows = parseSelElist(elist);
    expect(rows).toHaveLength(6);
    expect(m.get('bmc_up')).toBe(1);
    expect(m.get('sel_entries')).toBe(Number(kv.get('Entries')));
    expect(m.get('sel_free_bytes')).toBe(Number(/^(\d+)/.exec(kv.get('Free Space') ?? '')?.[1]));
    expect(m.get('sel_read_complete')).toBe(1);
    // The harness persists the newest entry's time as the last addition, and an erase time of 0
    // (relative to BMC start, i.e. never): exported as a Unix time only when it is one.
    expect(m.get('sel_last_addition_timestamp_seconds')).toBe(Math.max(...rows.map(elistSeconds)));
    expect(m.has('sel_last_erase_timestamp_seconds')).toBe(false);
    expect(selEvents(m)).toEqual(tallyRows(rows));
    // The configured entries carry wall-clock times: the latest per category and severity is ipmitool's.
    const latest = new Map<string, number>();
    for (const r of rows) latest.set(expectedOf(r), Math.max(latest.get(expectedOf(r)) ?? 0, elistSeconds(r)));
    for (const [key, seconds] of latest) {
      const [c, s] = key.split('/');
      expect(m.get(`sel_latest_event_timestamp_seconds{category="${c}",severity="${s}"}`), key).toBe(seconds);
    }
  });

  it('shows an uncorrectable ECC event added through the console in the next scrape, as ipmitool sees it', async () => {
    const before = await scrape();
    // sel_add <mc> <record type> <13 bytes: timestamp(4, ipmi_sim stamps its own), generator 0x20 0x00,
    // EvM rev 0x04, sensor type 0x0C memory, sensor 0x60, event type 0x6F, data 1 = offset 1 (uncorrectable ECC), 0xFF, DIMM 2>
    const answer = await sim.console('sel_add 0x20 0x02 0x00 0x00 0x00 0x00 0x20 0x00 0x04 0x0c 0x60 0x6f 0x01 0xff 0x02');
    expect(answer).not.toMatch(/\*\*/);
    const addedBy = Date.now() / 1000;
    const after = await scrape();
    const rows = parseSelElist(await runIpmitool(sim, ['sel', 'elist'], asUser));
    expect(rows).toHaveLength(7);
    const added = rows.at(-1)!;
    expect(added.date).toBe('Pre-Init');
    expect(expectedOf(added)).toBe('memory-ecc-uncorrectable/critical');
    expect(after.get('sel_entries')).toBe(7);
    expect(selEvents(after)).toEqual(tallyRows(rows));
    expect(selEvents(after).get('memory-ecc-uncorrectable/critical')).toBe((selEvents(before).get('memory-ecc-uncorrectable/critical') ?? 0) + 1);
    // A Pre-Init stamp is no wall-clock time; logged since the previous scrape, it takes the time it was read.
    const t = after.get('sel_latest_event_timestamp_seconds{category="memory-ecc-uncorrectable",severity="critical"}')!;
    expect(t).toBeGreaterThanOrEqual(Math.floor(addedBy) - 1);
    expect(t).toBeLessThanOrEqual(Date.now() / 1000 + 1);
    // ipmi_sim's last addition time is now relative to its start too: not exported.
    expect(after.has('sel_last_addition_timestamp_seconds')).toBe(false);
  });
});
