import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { BmcModel, PROFILES, type BmcDefinition, type CommandHandler, type CommandRequest, type SelEntryDefinition } from '@bmc-exporter/bmc-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import type { Exporter } from '../main.js';
import { samples, startSimTarget, writeSecrets, type SimTarget } from '../testing/sim-target.js';
import { startTestExporter } from '../testing/test-exporter.js';

const FAST = { initialTimeoutMs: 150, maxTimeoutMs: 300, backoff: 2, attempts: 2, sessionAttempts: 2 };
const GET_SDR = '0a:23';
const RESERVE_SDR = '0a:22';
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/**
 * One simulated BMC whose model can be swapped while the exporter is down
 * (same address, GUID and device ID: the same BMC with a changed SDR), and a
 * cache directory that outlives the exporters started against it.
 */
async function setup() {
  let answer: CommandHandler | undefined;
  let afterAnswer: (req: CommandRequest) => void = () => undefined;
  const sim = await startSimTarget('server-2s', (model) => {
    answer = model;
    return (req, ctx) => {
      const result = answer!(req, ctx);
      afterAnswer(req);
      return result;
    };
  });
  cleanup.push(() => sim.close());
  const secrets = await writeSecrets([sim.target]);
  cleanup.push(() => secrets.remove());
  const dir = await mkdtemp(join(tmpdir(), 'sdr-restart-test-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const logs: string[] = [];
  const start = async (cacheDir: string | null = dir): Promise<Exporter> => {
    const logger = createLogger({ level: 'warn', format: 'json', destination: new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) }) });
    const exporter = await startTestExporter(secrets.path, cacheDir === null ? {} : { sdrCacheDir: cacheDir }, { retry: FAST, logger });
    cleanup.push(() => exporter.close());
    return exporter;
  };
  const scrape = async (exporter: Exporter) => samples(await (await fetch(`${exporter.url}/bmc?target=${sim.target}`)).text());
  /** The BMC's SDR becomes `definition`'s, with a repository stamp from `nowMs`. */
  const replaceModel = (definition: BmcDefinition, nowMs: number): BmcModel => {
    const model = new BmcModel(definition, { seed: 1, now: () => nowMs });
    answer = model.handler;
    return model;
  };
  /** Run `hook` after each command the BMC has answered. */
  const onAnswered = (hook: (req: CommandRequest) => void) => (afterAnswer = hook);
  return { sim, dir, start, scrape, replaceModel, onAnswered, logs };
}

const fans = (m: Map<string, number>) => [...m.keys()].filter((k) => k.startsWith('fan_speed_rpm{')).sort();
const server2s = PROFILES['server-2s']!;

async function walkAndStop(sim: SimTarget, start: () => Promise<Exporter>, scrape: (e: Exporter) => Promise<Map<string, number>>) {
  const first = await start();
  const m = await scrape(first);
  expect(m.get('bmc_up')).toBe(1);
  const walked = sim.commands.get(GET_SDR) ?? 0;
  // Every record read whole: one Get SDR each, and no Reserve SDR Repository.
  expect(walked).toBe(new BmcModel(server2s).sdr.recordCount);
  expect(sim.commands.get(RESERVE_SDR)).toBeUndefined();
  await first.close();
  sim.resetCounts();
  return { metrics: m, walked };
}

describe('--sdr.cache-dir across a restart', { timeout: 30_000 }, () => {
  it('an unchanged SDR is not walked again: the restarted exporter sends no Get SDR and exports the same series', async () => {
    const { sim, dir, start, scrape, logs } = await setup();
    const { metrics } = await walkAndStop(sim, start, scrape);
    // One file for the SDR, one for the SEL cursor.
    expect((await readdir(dir)).map((f) => f.slice(0, 4)).sort()).toEqual(['sdr-', 'sel-']);

    const second = await start();
    const again = await scrape(second);
    expect(sim.commands.get(GET_SDR)).toBeUndefined();
    // Get SDR Repository Info and Get Device ID / GUID still checked the BMC.
    expect(sim.commands.get('0a:20')).toBe(1);
    expect(fans(again)).toEqual(fans(metrics));
    expect(again.get('processor_temperature_celsius{cpu="1"}')).toBe(metrics.get('processor_temperature_celsius{cpu="1"}'));
    expect(logs).toEqual([]);
  });

  it("the restarted exporter's first login takes the suite from the file: no Get Channel Cipher Suites, the same suite", async () => {
    const { sim, start } = await setup();
    const debugScrape = async (exporter: Exporter) => (await fetch(`${exporter.url}/bmc?target=${sim.target}&debug=true`)).text();
    const first = await start();
    const cold = await debugScrape(first);
    expect(cold).toContain('session set-up Get Channel Cipher Suites');
    expect(cold).toContain('session opened: IPMI 2.0, cipher suite 17');
    await first.close();

    const restarted = await debugScrape(await start());
    expect(restarted).not.toContain('Get Channel Cipher Suites');
    expect(restarted).toContain('session set-up Open Session');
    expect(restarted).toContain('session opened: IPMI 2.0, cipher suite 17');
    expect(restarted).not.toContain('Get SDR:');
    expect(restarted).toContain('bmc_up 1');
  });

  it('without the flag, a restarted exporter walks the SDR again', async () => {
    const { sim, start, scrape } = await setup();
    const { walked } = await walkAndStop(sim, () => start(null), scrape);
    await scrape(await start(null));
    expect(sim.commands.get(GET_SDR)).toBe(walked);
  });

  it('an SDR changed while the exporter was down (same record count, new timestamp) is walked again and the new SDR reported', async () => {
    const { sim, start, scrape, replaceModel } = await setup();
    const { metrics, walked } = await walkAndStop(sim, start, scrape);
    expect(fans(metrics)).toContain('fan_speed_rpm{fan="FAN6"}');
    // The same BMC; FAN6's record now names it otherwise, and the repository says it changed an hour later.
    const renamed = { ...server2s, sensors: server2s.sensors.map((s) => (s.name === 'FAN6' ? { ...s, name: 'FAN6 REAR' } : s)) };
    replaceModel(renamed, Date.now() + 3_600_000);

    const second = await start();
    const after = await scrape(second);
    expect(sim.commands.get(GET_SDR)).toBe(walked);
    expect(fans(after)).toContain('fan_speed_rpm{fan="FAN6 REAR"}');
    expect(fans(after)).not.toContain('fan_speed_rpm{fan="FAN6"}');
    await second.close();

    // The file now holds the new SDR: a third start walks nothing and still reports it.
    sim.resetCounts();
    const third = await scrape(await start());
    expect(sim.commands.get(GET_SDR)).toBeUndefined();
    expect(fans(third)).toContain('fan_speed_rpm{fan="FAN6 REAR"}');
  });

  it('an SDR changed during the first walk is walked again: the exporter reports and stores it as it is after the change', async () => {
    const { sim, start, scrape, replaceModel, onAnswered } = await setup();
    // FAN1 is record 6 of 23: renamed after the eighth Get SDR, the walk has read its old name.
    const renamed = { ...server2s, sensors: server2s.sensors.map((s) => (s.name === 'FAN1' ? { ...s, name: 'FAN1 FRONT' } : s)) };
    let getSdrAnswered = 0;
    onAnswered((req) => {
      if (req.netFn === 0x0a && req.cmd === 0x23 && ++getSdrAnswered === 8) replaceModel(renamed, Date.now() + 3_600_000);
    });
    const records = new BmcModel(server2s).sdr.recordCount;
    const first = await start();
    const m = await scrape(first);
    expect(m.get('bmc_up')).toBe(1);
    expect(fans(m)).toContain('fan_speed_rpm{fan="FAN1 FRONT"}');
    expect(fans(m)).not.toContain('fan_speed_rpm{fan="FAN1"}');
    // The walk, then Get SDR Repository Info with a new stamp, the walk again and Info unchanged.
    expect(sim.commands.get(GET_SDR)).toBe(2 * records);
    expect(sim.commands.get('0a:20')).toBe(3);
    await first.close();

    // What the file holds is the SDR after the change: the restarted exporter walks nothing and reports it.
    sim.resetCounts();
    const again = await scrape(await start());
    expect(sim.commands.get(GET_SDR)).toBeUndefined();
    expect(fans(again)).toEqual(fans(m));
  });

  it('another BMC at the same address (other firmware, same SDR stamp) is walked again', async () => {
    const { sim, start, scrape, replaceModel } = await setup();
    const { walked } = await walkAndStop(sim, start, scrape);
    // The same SDR repository stamp (addition time and record count); only the firmware differs.
    const updated: BmcDefinition = { ...server2s, device: { ...server2s.device, firmware: '9.99' } };
    const model = replaceModel(updated, sim.model.sdrRepositoryInfo.lastAddition * 1000);
    expect(model.sdrRepositoryInfo).toEqual(sim.model.sdrRepositoryInfo);
    await scrape(await start());
    expect(sim.commands.get(GET_SDR)).toBe(walked);
  });

  it('a corrupt file is ignored with a log line: the SDR is walked, the scrape is whole, the file is rewritten', async () => {
    const { sim, dir, start, scrape, logs } = await setup();
    const { metrics, walked } = await walkAndStop(sim, start, scrape);
    const [name] = (await readdir(dir)).filter((f) => f.startsWith('sdr-'));
    await writeFile(join(dir, name!), '{"format":"bmc-exporter-sdr/1","records":[');

    const second = await start();
    const after = await scrape(second);
    expect(after.get('bmc_up')).toBe(1);
    expect(fans(after)).toEqual(fans(metrics));
    expect(sim.commands.get(GET_SDR)).toBe(walked);
    expect(logs.map((l) => JSON.parse(l) as { msg: string; reason: string })).toEqual([
      expect.objectContaining({ msg: 'ignoring the SDR cache file; walking the SDR', reason: 'not valid JSON' }),
    ]);
    await second.close();
    sim.resetCounts();
    await scrape(await start());
    expect(sim.commands.get(GET_SDR)).toBeUndefined();
  });
});

describe('--sdr.cache-dir keeps the SEL cursor across a restart', { timeout: 30_000 }, () => {
  const GET_SEL_ENTRY = '0a:43';
  const ECC: SelEntryDefinition = { sensorType: 0x0c, sensorNumber: 0x60, eventType: 0x6f, data: [0x00, 0xff, 0x01] };
  const eventsOf = (m: Map<string, number>) => [...m].filter(([k]) => k.startsWith('sel_events{')).reduce((a, [, v]) => a + v, 0);

  /** A BMC whose SEL holds `n` more events than its own, read whole by one exporter that is then stopped. */
  async function readAndStop(n: number) {
    const s = await setup();
    const t0 = Date.UTC(2026, 0, 1) / 1000;
    for (let i = 0; i < n; i++) s.sim.model.addSelEvent({ ...ECC, timestamp: t0 + i * 60 });
    const first = await s.start();
    const m = await s.scrape(first);
    expect(m.get('sel_read_complete')).toBe(1);
    const entries = m.get('sel_entries')!;
    expect(entries).toBeGreaterThanOrEqual(n);
    expect(eventsOf(m)).toBe(entries);
    await first.close();
    s.sim.resetCounts();
    return { ...s, before: m, entries, t0 };
  }

  it('a restarted exporter reads only the entries logged while it was down, and counts the whole SEL', async () => {
    const { sim, start, scrape, dir, entries, t0, logs } = await readAndStop(40);
    expect((await readdir(dir)).filter((f) => f.startsWith('sel-'))).toHaveLength(1);
    for (let i = 0; i < 3; i++) sim.model.addSelEvent({ ...ECC, timestamp: t0 + 7200 + i * 60 });

    const after = await scrape(await start());
    // The last record read before the restart, read again to be sure it is the same, then the three new ones.
    expect(sim.commands.get(GET_SEL_ENTRY)).toBe(4);
    expect(after.get('sel_entries')).toBe(entries + 3);
    expect(eventsOf(after)).toBe(entries + 3);
    expect(after.get('sel_read_complete')).toBe(1);
    expect(logs).toEqual([]);
  });

  it('a SEL unchanged while the exporter was down costs Get SEL Info alone', async () => {
    const { sim, start, scrape, before } = await readAndStop(10);
    const after = await scrape(await start());
    expect(sim.commands.get(GET_SEL_ENTRY)).toBeUndefined();
    expect(sim.commands.get('0a:40')).toBe(1);
    expect(eventsOf(after)).toBe(eventsOf(before));
  });

  it('a SEL cleared while the exporter was down is counted again from its first entry', async () => {
    const { sim, start, scrape, t0 } = await readAndStop(20);
    sim.model.clearSel();
    for (let i = 0; i < 2; i++) sim.model.addSelEvent({ ...ECC, timestamp: t0 + 9000 + i * 60 });
    const after = await scrape(await start());
    const entries = after.get('sel_entries')!;
    expect(entries).toBeLessThan(20);
    expect(eventsOf(after)).toBe(entries);
  });

  it('another BMC at the same address (other firmware) has its SEL counted from the first entry', async () => {
    const { sim, start, scrape, replaceModel, entries } = await readAndStop(15);
    const model = replaceModel({ ...server2s, device: { ...server2s.device, firmware: '9.99' } }, Date.now());
    const t0 = Date.UTC(2026, 0, 2) / 1000;
    for (let i = 0; i < 5; i++) model.addSelEvent({ ...ECC, timestamp: t0 + i * 60 });
    const after = await scrape(await start());
    const now = after.get('sel_entries')!;
    expect(now).not.toBe(entries);
    expect(eventsOf(after)).toBe(now);
    expect(sim.commands.get(GET_SEL_ENTRY)).toBeGreaterThanOrEqual(now);
  });

  it('a damaged SEL file is ignored with a log line and the SEL counted from its first entry', async () => {
    const { sim, dir, start, scrape, entries, logs } = await readAndStop(12);
    const [name] = (await readdir(dir)).filter((f) => f.startsWith('sel-'));
    const file = join(dir, name!);
    const text = await readFile(file, 'utf8');
    // A count changed on disk: the checksum no longer matches.
    await writeFile(file, text.replace('"recordsRead":', '"recordsRead":1'));
    const after = await scrape(await start());
    expect(eventsOf(after)).toBe(entries);
    expect(sim.commands.get(GET_SEL_ENTRY)).toBeGreaterThanOrEqual(entries);
    expect(logs.map((l) => JSON.parse(l) as { msg: string; reason: string })).toEqual([
      expect.objectContaining({ msg: 'ignoring the SEL cache file; counting the SEL from its first entry', reason: 'checksum mismatch' }),
    ]);
  });
});
