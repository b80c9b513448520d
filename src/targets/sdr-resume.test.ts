import { AbortedError, getSdr, getSdrRepositoryInfo, sensorsFromSdr, readSdrRepository, type Execute } from '@bmc-exporter/ipmi';
import { PROFILES } from '@bmc-exporter/bmc-sim';
import { describe, expect, it } from 'vitest';
import { MODEL_EPOCH_MS, virtualBmc, type VirtualBmc } from '../collectors/sel-testing.js';
import { MAX_SDR_WALK_RESTARTS, SessionCache } from './session-cache.js';

/**
 * A big SDR (gpu-server: 100+ records) answered in process, and scrapes whose
 * deadline fires after a given number of Get SDR: the deadline is an event
 * the test controls, not a clock.
 */
function setup({ unspecifiedTimestamps = false } = {}) {
  let modelNow = MODEL_EPOCH_MS;
  const vb = virtualBmc({ definition: PROFILES['gpu-server']!, modelNowMs: () => modelNow });
  let timeouts = 0;
  let budget = Infinity;
  let deadline = new AbortController();
  const execute = (async (command, request, options) => {
    const answer = await vb.execute(command, request, options);
    if (command.name === getSdr.name && --budget <= 0) deadline.abort(new Error('scrape deadline'));
    // A BMC that keeps no repository timestamps (both "unspecified", §33.9).
    if (unspecifiedTimestamps && command.name === getSdrRepositoryInfo.name) return { ...answer, mostRecentAddition: null, mostRecentErase: null };
    return answer;
  }) as Execute;
  const cache = new SessionCache(execute, () => timeouts++);
  /** One scrape's sensors() whose deadline fires once `getSdrBudget` Get SDR have been answered. */
  const scrape = async (getSdrBudget = Infinity, session = 1) => {
    budget = getSdrBudget;
    deadline = new AbortController();
    cache.startScrape(session, '2.0');
    return await cache.sensors(deadline.signal);
  };
  const getSdrSent = () => vb.commands.get(getSdr.name) ?? 0;
  return { vb, cache, scrape, getSdrSent, timeouts: () => timeouts, changeSdr: () => ((modelNow += 60_000), vb.model.touchSdrRepository()) };
}

async function fullWalk(vb: VirtualBmc) {
  const { records } = await readSdrRepository(vb.execute);
  vb.resetCounts();
  return { records: records.length, sensors: sensorsFromSdr(records) };
}

describe('an SDR walk cut short by the scrape deadline', () => {
  it('is continued by the next scrapes from where it stopped while the repository is unchanged', async () => {
    const { vb, cache, scrape, getSdrSent, timeouts } = setup();
    const whole = await fullWalk(vb);
    expect(whole.records).toBeGreaterThan(100);

    // Each scrape's deadline allows 30 Get SDR: 30 records, each read whole.
    await expect(scrape(30)).rejects.toThrow(AbortedError);
    const afterFirst = cache.sdrWalkProgress!;
    expect(afterFirst).toBeGreaterThanOrEqual(29);
    await expect(scrape(30, 2)).rejects.toThrow(AbortedError);
    expect(cache.sdrWalkProgress).toBeGreaterThanOrEqual(afterFirst + 29);
    await expect(scrape(30, 3)).rejects.toThrow(AbortedError);
    // The cut scrapes were counted as initialisation timeouts, as any walk cut short is.
    expect(timeouts()).toBe(3);

    const sensors = await scrape(Infinity, 4);
    expect(sensors).toEqual(whole.sensors);
    expect(cache.sdrWalkProgress).toBeUndefined();
    // Every record read once, plus at most the one record in flight at each cut.
    expect(getSdrSent()).toBeGreaterThanOrEqual(whole.records);
    expect(getSdrSent()).toBeLessThanOrEqual(whole.records + 3);

    // Complete: the next scrape sends no Get SDR.
    vb.resetCounts();
    expect(await scrape(Infinity, 5)).toBe(sensors);
    expect(getSdrSent()).toBe(0);
  });

  it('restarts from the first record when the repository changed in between', async () => {
    const { vb, cache, scrape, getSdrSent, changeSdr } = setup();
    const whole = await fullWalk(vb);
    await expect(scrape(30)).rejects.toThrow(AbortedError);
    expect(cache.sdrWalkProgress).toBeGreaterThan(0);
    changeSdr();
    vb.resetCounts();
    const sensors = await scrape(Infinity, 2);
    expect(sensors).toEqual(whole.sensors);
    // The whole SDR again: nothing of the walk begun under the old stamp was kept.
    expect(getSdrSent()).toBe(whole.records);
  });

  it(`a stamp that moves before every scrape starts the walk again ${MAX_SDR_WALK_RESTARTS} time(s), then the walk goes on and serves that session only`, async () => {
    const { vb, cache, scrape, getSdrSent, changeSdr } = setup();
    const whole = await fullWalk(vb);
    // Each scrape reads 30 of 100+ records, and the stamp has moved again by the next one.
    let scrapes = 0;
    let sensors: Awaited<ReturnType<typeof scrape>> | undefined;
    const progress: number[] = [];
    while (sensors === undefined && scrapes < 20) {
      scrapes++;
      try {
        sensors = await scrape(30);
      } catch (err) {
        expect(err).toBeInstanceOf(AbortedError);
        progress.push(cache.sdrWalkProgress!);
        changeSdr();
      }
    }
    expect(sensors).toEqual(whole.sensors);
    // Started again (the walk back to ~30 records) the allowed number of times, then only ever further.
    const fresh = progress.filter((n, i) => i > 0 && n <= progress[i - 1]!).length;
    expect(fresh).toBe(MAX_SDR_WALK_RESTARTS);
    // Bounded: the cut walks the restarts threw away, then one walk's worth of scrapes (29 or more records each);
    // every record read once, plus those thrown away and one in flight at each cut.
    expect(scrapes).toBeLessThanOrEqual(MAX_SDR_WALK_RESTARTS + 1 + Math.ceil(whole.records / 29));
    expect(getSdrSent()).toBeLessThanOrEqual(whole.records + 30 * MAX_SDR_WALK_RESTARTS + scrapes);

    // Used for the rest of the session: the next scrape sends no Get SDR...
    vb.resetCounts();
    expect(await scrape(Infinity)).toBe(sensors);
    expect(getSdrSent()).toBe(0);
    // ...but never trusted by the next session, even with the stamp now still: walked again from the first record.
    expect(await scrape(Infinity, 2)).toEqual(whole.sensors);
    expect(getSdrSent()).toBe(whole.records);
    // That walk, confirmed under a still stamp, is kept for the session after.
    vb.resetCounts();
    await scrape(Infinity, 3);
    expect(getSdrSent()).toBe(0);
  });

  it('without repository timestamps: walked again each session; a walk cut in every session starts again once, then goes on', async () => {
    const { vb, cache, scrape, getSdrSent } = setup({ unspecifiedTimestamps: true });
    const whole = await fullWalk(vb);
    // Whole in one scrape: kept for the session, walked again by the next one.
    expect(await scrape(Infinity, 1)).toEqual(whole.sensors);
    vb.resetCounts();
    await scrape(Infinity, 1);
    expect(getSdrSent()).toBe(0);
    await scrape(Infinity, 2);
    expect(getSdrSent()).toBe(whole.records);

    // Every session lost after 30 records: each scrape is a new session, so a new stamp.
    const progress: number[] = [];
    let session = 3;
    let sensors: Awaited<ReturnType<typeof scrape>> | undefined;
    while (sensors === undefined && session < 23) {
      try {
        sensors = await scrape(30, session++);
      } catch (err) {
        expect(err).toBeInstanceOf(AbortedError);
        progress.push(cache.sdrWalkProgress!);
      }
    }
    expect(sensors).toEqual(whole.sensors);
    expect(progress.filter((n, i) => i > 0 && n <= progress[i - 1]!)).toHaveLength(MAX_SDR_WALK_RESTARTS);
    // ...and that walk serves its own session only.
    vb.resetCounts();
    await scrape(Infinity, session - 1);
    expect(getSdrSent()).toBe(0);
    await scrape(Infinity, session);
    expect(getSdrSent()).toBe(whole.records);
  });

  it('within one scrape, collectors that ask again after the cut do not read past the deadline', async () => {
    const { cache, scrape, getSdrSent } = setup();
    await expect(scrape(10)).rejects.toThrow(AbortedError);
    const sent = getSdrSent();
    // The same scrape's signal: a second collector's sensors() fails without a Get SDR.
    await expect(cache.sensors(AbortSignal.abort())).rejects.toThrow();
    expect(getSdrSent()).toBe(sent);
  });
});
