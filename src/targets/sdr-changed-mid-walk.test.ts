const MAX_SDR_WALKS_PER_CHECK = 2;
import { type BmcDefinition, BmcModel, PROFILES } from '@bmc-exporter/bmc-sim';
import { AbortedError, decodeSdrRecord, type Execute, getSdr, getSdrRepositoryInfo, sensorsFromSdr } from '@bmc-exporter/ipmi';
import { describe, expect, it } from 'vitest';
import { MODEL_EPOCH_MS, virtualBmc } from '../collectors/sel-testing.js';
import type { SdrCacheKey, SdrFileCache } from './sdr-file-cache.js';
import { SessionCache } from './session-cache.js';

const server2s = PROFILES['server-2s']!;
/** server-2s with FAN1 (record 6 of 23: the MC locator, four temperatures, then the fans) named otherwise. */
const renamed: BmcDefinition = { ...server2s, sensors: server2s.sensors.map((s) => (s.name === 'FAN1' ? { ...s, name: 'FAN1 FRONT' } : s)) };
const RECORDS = new BmcModel(server2s).sdr.recordCount;

/**
 * One BMC answered in process, a hook run after each answered command (the
 * test changes the BMC there, between two of the walk's records), and a
 * cache directory that only records what it is asked to write.
 */
function setup(afterAnswer: (name: string, sent: number) => void = () => undefined) {
  let modelNow = MODEL_EPOCH_MS;
  const vb = virtualBmc({ modelNowMs: () => modelNow });
  let deadline = new AbortController();
  const execute = (async (command, request, options) => {
    const answer = await vb.execute(command, request, options);
    afterAnswer(command.name, vb.commands.get(command.name) ?? 0);
    return answer;
  }) as Execute;
  const saved: Array<{ key: SdrCacheKey; records: readonly Buffer[] }> = [];
  const files = {
    read: async () => undefined,
    load: async () => undefined,
    save: async (key: SdrCacheKey, records: readonly Buffer[]) => void saved.push({ key, records }),
  } as unknown as SdrFileCache;
  const cache = new SessionCache(execute, () => undefined, { sdrFiles: { cache: files, target: '127.0.0.1:623' } });
  const scrape = async (session = 1) => {
    deadline = new AbortController();
    cache.startScrape(session, '2.0');
    return (await cache.sensors(deadline.signal)).map((s) => s.name);
  };
  /** The same BMC, its SDR now `definition`'s, stamped a minute later. */
  const replaceSdr = (definition: BmcDefinition) => {
    modelNow += 60_000;
    vb.model = new BmcModel(definition, { now: () => modelNow });
  };
  const sent = (name: string) => vb.commands.get(name) ?? 0;
  return {
    vb,
    cache,
    scrape,
    replaceSdr,
    sent,
    saved,
    abort: () => deadline.abort(new AbortedError('scrape deadline')),
    touch: () => ((modelNow += 1000), vb.model.touchSdrRepository()),
  };
}

describe('an SDR changed while it is being walked', () => {
  it('is walked again: the session reports the SDR as it is now, and only the walk confirmed afterwards is written', async () => {
    // Records 1-8 come from the old SDR, 9-23 from the new one: FAN1 (record 6) was read under its old name.
    const s = setup((name, n) => name === getSdr.name && n === 8 && s.replaceSdr(renamed));
    const names = await s.scrape();
    expect(names).toContain('FAN1 FRONT');
    expect(names).not.toContain('FAN1');
    // The walk, Get SDR Repository Info after it (a new stamp), the walk again, and Info once more (unchanged).
    expect(s.sent(getSdr.name)).toBe(2 * RECORDS);
    expect(s.sent(getSdrRepositoryInfo.name)).toBe(3);
    expect(s.saved).toHaveLength(1);
    const written = sensorsFromSdr(s.saved[0]!.records.map((r) => decodeSdrRecord(r))).map((d) => d.name);
    expect(written).toEqual(names);

    // Checked for this session: the next scrape sends nothing.
    s.vb.resetCounts();
    expect(await s.scrape()).toEqual(names);
    expect(s.vb.commands.size).toBe(0);
  });

  it('an unchanged SDR costs one Get SDR Repository Info more than the walk, and is written', async () => {
    const s = setup();
    const names = await s.scrape();
    expect(names).toContain('FAN1');
    expect(s.sent(getSdr.name)).toBe(RECORDS);
    expect(s.sent(getSdrRepositoryInfo.name)).toBe(2);
    expect(s.saved).toHaveLength(1);
  });

  it(`a repository whose stamp moves on every answer: ${MAX_SDR_WALKS_PER_CHECK} walks, the last serves the session, nothing is written`, async () => {
    const s = setup((name) => name === getSdrRepositoryInfo.name && s.touch());
    const names = await s.scrape();
    expect(names).toContain('FAN1');
    expect(s.sent(getSdr.name)).toBe(MAX_SDR_WALKS_PER_CHECK * RECORDS);
    expect(s.sent(getSdrRepositoryInfo.name)).toBe(MAX_SDR_WALKS_PER_CHECK + 1);
    expect(s.saved).toHaveLength(0);
    s.vb.resetCounts();
    await s.scrape();
    expect(s.vb.commands.size).toBe(0);
    // A new session checks again, bounded the same way.
    await s.scrape(2);
    expect(s.sent(getSdr.name)).toBe(MAX_SDR_WALKS_PER_CHECK * RECORDS);
    expect(s.saved).toHaveLength(0);
  });

  it('a check after the walk cut by the deadline is made by the next scrape, which walks nothing and writes the walk', async () => {
    let cut = true;
    const s = setup((name, n) => name === getSdr.name && n === RECORDS && cut && s.abort());
    // The last record's answer arrives, then the deadline fires: the walk is whole, the check after it is not sent.
    await expect(s.scrape()).rejects.toThrow(AbortedError);
    expect(s.sent(getSdrRepositoryInfo.name)).toBe(1);
    expect(s.saved).toHaveLength(0);
    cut = false;
    s.vb.resetCounts();
    const names = await s.scrape();
    expect(names).toContain('FAN1');
    expect(s.sent(getSdr.name)).toBe(0);
    expect(s.sent(getSdrRepositoryInfo.name)).toBe(1);
    expect(s.saved).toHaveLength(1);
  });
});
