// `--sdr.cache-dir` across exporter restarts against a real BMC simulator
// (OpenIPMI's ipmi_sim on 127.0.0.11:623, scraped through a relay on
// 127.0.0.12:623), changed between restarts the way an operator would change
// a real one: an event and an SDR record added through the simulator's
// console, the SEL cleared with ipmitool; and once while an exporter walks
// the SDR, a record added in the middle of the walk. What each exporter sent comes from
// its own per-command counts (`/metrics`) and, for the cipher-suite
// discovery that happens before a session, from the relay reading the
// answers off the wire; what it should report comes from ipmitool reading the
// same simulator in the same run. ipmi_sim stamps its SDR repository with a
// time relative to its start that adding a record does not move: the record
// count in the stamp is what shows the change. Needs root (port 623) and the
// Debian packages openipmi and ipmitool; a missing peer fails, never skips.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samples } from './exporter/cli.js';
import { startIpmiSimExporter, type IpmiSimExporter } from './exporter/ipmi-sim-exporter.js';
import { startIpmiSim, type IpmiSimHandle } from './peers/ipmi-sim.js';
import { parseKeyValues, parseSelElist, runIpmitool } from './peers/ipmitool.js';
import { startUdpProxy, type UdpProxy } from './peers/udp-proxy.js';

const ADDRESS = '127.0.0.11';
const RELAY = '127.0.0.12';
let sim: IpmiSimHandle;
let relay: UdpProxy;
let dir: string;
/** Get Channel Cipher Suites answers the relay passed on since the last scrapeOnce began. */
let suiteAnswers = 0;

/**
 * Whether a datagram is the BMC's answer to Get Channel Cipher Suites (App
 * response netFn 07h, command 54h) outside a session: in the IPMI v1.5
 * session header (auth type 00h, the IPMI message at byte 14) or the RMCP+
 * one (auth type 06h, payload type 00h, the message at byte 16), session ID 0.
 */
function isCipherSuitesAnswer(d: Buffer): boolean {
  // RMCP class IPMI (07h), not ASF; long enough for either header and a message.
  if (d.length < 22 || d[3] !== 0x07) return false;
  const at = d[4] === 0x00 ? 14 : d[4] === 0x06 && (d[5]! & 0x3f) === 0x00 ? 16 : -1;
  if (at < 0) return false;
  const sessionId = d[4] === 0x00 ? d.readUInt32LE(9) : d.readUInt32LE(6);
  return sessionId === 0 && d[at + 1]! >> 2 === 0x07 && d[at + 5] === 0x54;
}

beforeAll(async () => {
  sim = await startIpmiSim({ address: ADDRESS });
  relay = await startUdpProxy({ listen: { address: RELAY, port: 623 }, upstream: { address: sim.host, port: sim.port } });
  relay.tamper = (answer) => {
    if (isCipherSuitesAnswer(answer)) suiteAnswers++;
    return [answer];
  };
  dir = await mkdtemp(join(tmpdir(), 'bmc-exporter-restart-ipmisim-'));
});

afterAll(async () => {
  await relay?.close();
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Run {
  /** The scrape's series. */
  m: Map<string, number>;
  /** Commands the exporter sent for it, by the library's command name (bmc_exporter_command_duration_seconds_count). */
  sent: Map<string, number>;
  /** Get Channel Cipher Suites answers on the wire. */
  suiteAnswers: number;
}

/** Commands an exporter has completed so far, by the library's command name (bmc_exporter_command_duration_seconds_count). */
async function commandsSent(url: string): Promise<Map<string, number>> {
  const sent = new Map<string, number>();
  for (const [k, v] of samples(await (await fetch(`${url}/metrics`)).text())) {
    const hit = /^bmc_exporter_command_duration_seconds_count\{command="([^"]+)"\}$/.exec(k);
    if (hit) sent.set(hit[1]!, v);
  }
  return sent;
}

/**
 * Starts an exporter on the shared cache directory, scrapes the BMC once
 * (running `during`, if given, beside the scrape), reads what it sent, and
 * stops it.
 */
async function scrapeOnce(during?: (exporterUrl: string) => Promise<void>): Promise<Run> {
  let env: IpmiSimExporter | undefined;
  suiteAnswers = 0;
  try {
    env = await startIpmiSimExporter(ADDRESS, { sim, target: `${RELAY}:623`, sdrCacheDir: dir, logLevel: 'warn' });
    const [res] = await Promise.all([fetch(`${env.exporter.url}/bmc?target=${env.target}`), during?.(env.exporter.url)]);
    expect(res.status).toBe(200);
    const m = samples(await res.text());
    const sent = await commandsSent(env.exporter.url);
    // Nothing the restarts do is worth a warning: no damaged file, no unwritable directory.
    expect(env.log).toBe('');
    return { m, sent, suiteAnswers };
  } finally {
    await env?.close();
  }
}

const asUser = { user: 'user' as const };
/** ipmi_sim's console: add an OEM record (type C0h: a manufacturer ID and two bytes of data) to the SDR; no sensor behind it. */
const OEM_RECORD = 'main_sdr_add 0x20 0x00 0x01 0x51 0xc0 0x05 0xf3 0x1b 0x00 0x01 0x02';
const eventsOf = (m: Map<string, number>) => [...m].filter(([k]) => k.startsWith('sel_events{')).reduce((a, [, v]) => a + v, 0);
const sensorSeries = (m: Map<string, number>) => [...m.keys()].filter((k) => /^(temperature|fan_speed|voltage|power|current)/.test(k)).sort();

async function ipmitoolSel(): Promise<{ entries: number; rows: number }> {
  const [info, elist] = await Promise.all([runIpmitool(sim, ['sel', 'info'], asUser), runIpmitool(sim, ['sel', 'elist'], asUser)]);
  const entries = Number(parseKeyValues(info).get('Entries'));
  // `sel elist` prints nothing but a notice for an empty SEL.
  return { entries, rows: entries === 0 ? 0 : parseSelElist(elist).length };
}

async function ipmitoolSdrRecords(): Promise<number> {
  return Number(parseKeyValues(await runIpmitool(sim, ['sdr', 'info'], asUser)).get('Record Count'));
}

describe('--sdr.cache-dir across restarts against ipmi_sim (127.0.0.11, through 127.0.0.12)', { timeout: 120_000 }, () => {
  let first: Run;

  it('a first exporter discovers the suites, walks the SDR, reads the whole SEL, and leaves an SDR and a SEL file', async () => {
    first = await scrapeOnce();
    const sel = await ipmitoolSel();
    expect(first.m.get('bmc_up')).toBe(1);
    expect(first.suiteAnswers).toBeGreaterThanOrEqual(1);
    // ipmi_sim refuses whole-record reads: each record comes in several partial reads.
    expect(first.sent.get('Get SDR')).toBeGreaterThanOrEqual(await ipmitoolSdrRecords());
    expect(first.m.get('sel_entries')).toBe(sel.entries);
    expect(first.sent.get('Get SEL Entry')).toBe(sel.entries);
    expect(eventsOf(first.m)).toBe(sel.rows);
    expect(first.m.get('sel_read_complete')).toBe(1);
    expect(sensorSeries(first.m).length).toBeGreaterThan(5);
    expect((await readdir(dir)).map((f) => f.slice(0, 4)).sort()).toEqual(['sdr-', 'sel-']);
  });

  it('restarted after an event was logged: no suite discovery, no SDR walk, and only the new entry read after the last known one', async () => {
    // Uncorrectable ECC on DIMM 2 (the simulator stamps it with its own clock).
    const answer = await sim.console('sel_add 0x20 0x02 0x00 0x00 0x00 0x00 0x20 0x00 0x04 0x0c 0x60 0x6f 0x01 0xff 0x02');
    expect(answer).not.toMatch(/\*\*/);
    const sel = await ipmitoolSel();
    expect(sel.entries).toBe(first.m.get('sel_entries')! + 1);

    const run = await scrapeOnce();
    expect(run.m.get('bmc_up')).toBe(1);
    expect(run.suiteAnswers).toBe(0);
    expect(run.sent.has('Get SDR')).toBe(false);
    expect(run.sent.get('Get SDR Repository Info')).toBe(1);
    // The last entry read before the restart, read again to be sure it is the same, then the new one.
    expect(run.sent.get('Get SEL Entry')).toBe(2);
    expect(run.m.get('sel_entries')).toBe(sel.entries);
    expect(eventsOf(run.m)).toBe(sel.rows);
    expect(run.m.get('sel_read_complete')).toBe(1);
    expect(sensorSeries(run.m)).toEqual(sensorSeries(first.m));
  });

  it('restarted after an SDR record was added: the SDR is walked again, the sensors unchanged', async () => {
    const before = await ipmitoolSdrRecords();
    const answer = await sim.console(OEM_RECORD);
    expect(answer).not.toMatch(/\*\*/);
    expect(await ipmitoolSdrRecords()).toBe(before + 1);

    const run = await scrapeOnce();
    expect(run.m.get('bmc_up')).toBe(1);
    expect(run.suiteAnswers).toBe(0);
    expect(run.sent.get('Get SDR')).toBeGreaterThan(before);
    expect(sensorSeries(run.m)).toEqual(sensorSeries(first.m));

    // The walk was confirmed by Get SDR Repository Info asked after it, and written.
    expect(run.sent.get('Get SDR Repository Info')).toBe(2);
    // The file now holds the new walk: the next restart walks nothing.
    const again = await scrapeOnce();
    expect(again.sent.has('Get SDR')).toBe(false);
    expect(sensorSeries(again.m)).toEqual(sensorSeries(first.m));
  });

  it('an SDR record added while the walk runs: the SDR is walked again in the same scrape, and the file holds the second walk', async () => {
    const before = await ipmitoolSdrRecords();
    // One record added now makes the next exporter walk; a second is added in the middle of that walk.
    expect(await sim.console(OEM_RECORD)).not.toMatch(/\*\*/);
    let addedAfter: number | undefined;
    // Each answer held 20 ms: ipmi_sim's partial reads make the walk take well over a second.
    relay.delayMs = 20;
    let run: Run;
    try {
      run = await scrapeOnce(async (url) => {
        // Bounded at 1,000 polls (the walk is over long before); the assertions below say whether the record landed inside it.
        for (let polls = 0; polls < 1000 && addedAfter === undefined; polls++) {
          const getSdr = (await commandsSent(url)).get('Get SDR') ?? 0;
          if (getSdr >= 10) {
            expect(await sim.console(OEM_RECORD)).not.toMatch(/\*\*/);
            addedAfter = getSdr;
          } else await new Promise((r) => setTimeout(r, 10));
        }
      });
    } finally {
      relay.delayMs = 0;
    }
    expect(addedAfter).toBeDefined();
    expect(await ipmitoolSdrRecords()).toBe(before + 2);
    expect(run.m.get('bmc_up')).toBe(1);
    // Info before the walk, Info after it (one record more: a new stamp), the walk again, Info unchanged.
    expect(run.sent.get('Get SDR Repository Info')).toBe(3);
    expect(run.sent.get('Get SDR')).toBeGreaterThan(addedAfter! + before + 2);
    expect(sensorSeries(run.m)).toEqual(sensorSeries(first.m));

    const again = await scrapeOnce();
    expect(again.sent.has('Get SDR')).toBe(false);
    expect(again.sent.get('Get SDR Repository Info')).toBe(1);
    expect(sensorSeries(again.m)).toEqual(sensorSeries(first.m));
  });

  it('restarted after ipmitool cleared the SEL: counted again from an empty SEL, then a new event read whole', async () => {
    await runIpmitool(sim, ['sel', 'clear']);
    expect((await ipmitoolSel()).entries).toBe(0);
    const cleared = await scrapeOnce();
    expect(cleared.m.get('bmc_up')).toBe(1);
    expect(cleared.m.get('sel_entries')).toBe(0);
    expect(eventsOf(cleared.m)).toBe(0);
    expect(cleared.m.get('sel_read_complete')).toBe(1);

    // Correctable ECC on DIMM 1.
    const answer = await sim.console('sel_add 0x20 0x02 0x00 0x00 0x00 0x00 0x20 0x00 0x04 0x0c 0x60 0x6f 0x00 0xff 0x01');
    expect(answer).not.toMatch(/\*\*/);
    const run = await scrapeOnce();
    const sel = await ipmitoolSel();
    expect(sel).toEqual({ entries: 1, rows: 1 });
    expect(run.m.get('sel_entries')).toBe(1);
    expect(eventsOf(run.m)).toBe(1);
    expect(run.m.get('sel_events{category="memory-ecc-correctable",severity="warning"}')).toBe(1);
    // The SEL was empty when the last exporter stopped: read from its first entry, which is the new one.
    expect(run.sent.get('Get SEL Entry')).toBe(1);
  });
});
