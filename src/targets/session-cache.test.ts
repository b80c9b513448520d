import { type DeviceId, type Execute, getDeviceId, getSystemGuid } from '@bmc-exporter/ipmi';
import { describe, expect, it } from 'vitest';
import type { SdrFileCache } from './sdr-file-cache.js';
import { SessionCache } from './session-cache.js';

const noCommands = (() => Promise.reject(new Error('no command expected'))) as unknown as Execute;

describe('SessionCache: the SEL state', () => {
  it('is created on first use and kept across new sessions, for as long as the cache (the target) lives', () => {
    const cache = new SessionCache(noCommands, () => undefined);
    expect(cache.cachedSelState).toBeUndefined();
    cache.startScrape(1, '2.0');
    const state = cache.selState();
    state.count(0, undefined);
    // A re-established session forgets device facts, not what the SEL collector counted.
    cache.startScrape(2, '2.0');
    expect(cache.selState()).toBe(state);
    expect(cache.cachedSelState?.recordsRead).toBe(1);
    // Another target (or this one replaced after a reload) starts from nothing.
    expect(new SessionCache(noCommands, () => undefined).cachedSelState).toBeUndefined();
  });
});

describe('SessionCache: Get Device ID answers', () => {
  const answer = (over: Partial<DeviceId> = {}): DeviceId => ({
    deviceId: 0x20,
    deviceRevision: 1,
    providesSdrs: true,
    deviceAvailable: true,
    firmwareMajor: 2,
    firmwareMinor: 34,
    firmwareMinorRaw: 0x34,
    ipmiVersion: '2.0',
    support: {
      chassis: true,
      bridge: false,
      ipmbEventGenerator: true,
      ipmbEventReceiver: true,
      fruInventory: true,
      sel: true,
      sdrRepository: true,
      sensor: true,
    },
    manufacturerId: 674,
    productId: 256,
    auxFirmware: Buffer.from([1, 2, 3, 4]),
    ...over,
  });
  /** A BMC answering Get Device ID with `device` and Get System GUID with 16 bytes of `guidByte`. */
  const bmc = (device: () => DeviceId, guidByte: number): Execute =>
    (async (command: { name: string }) => {
      if (command.name === getDeviceId.name) return device();
      if (command.name === getSystemGuid.name) return { guid: Buffer.alloc(16, guidByte) };
      throw new Error(`unexpected ${command.name}`);
    }) as unknown as Execute;
  const signal = new AbortController().signal;

  it('is one shared, frozen object for BMCs that answer alike, each keeping its own GUID', async () => {
    const a = new SessionCache(
      bmc(() => answer(), 0xaa),
      () => undefined,
    );
    const b = new SessionCache(
      bmc(() => answer(), 0xbb),
      () => undefined,
    );
    const c = new SessionCache(
      bmc(() => answer({ auxFirmware: Buffer.from([1, 2, 3, 5]) }), 0xaa),
      () => undefined,
    );
    for (const cache of [a, b, c]) cache.startScrape(1, '2.0');
    const [da, db, dc] = await Promise.all([a.deviceInfo(signal), b.deviceInfo(signal), c.deviceInfo(signal)]);
    expect(db.device).toBe(da.device);
    expect(Object.isFrozen(da.device) && Object.isFrozen(da.device.support)).toBe(true);
    expect(da.device.auxFirmware).toEqual(Buffer.from([1, 2, 3, 4]));
    expect([da.guid, db.guid]).toEqual([Buffer.alloc(16, 0xaa), Buffer.alloc(16, 0xbb)]);
    // Other auxiliary firmware bytes: another build, another object.
    expect(dc.device).not.toBe(da.device);
    expect(dc.device.auxFirmware).toEqual(Buffer.from([1, 2, 3, 5]));
  });

  it('is read again on a new session, and a BMC that changed firmware gets its new answer', async () => {
    let firmwareMajor = 2;
    const cache = new SessionCache(
      bmc(() => answer({ firmwareMajor }), 0xcc),
      () => undefined,
    );
    cache.startScrape(1, '2.0');
    expect((await cache.deviceInfo(signal)).device.firmwareMajor).toBe(2);
    firmwareMajor = 3;
    cache.startScrape(2, '2.0');
    expect((await cache.deviceInfo(signal)).device.firmwareMajor).toBe(3);
    expect(cache.cachedDevice?.device.firmwareMajor).toBe(3);
  });
});

describe('SessionCache: the cache files a scrape waits for', () => {
  /** A cache directory on a disk that never answers. */
  const hungDisk = {
    read: () => new Promise(() => undefined),
    loadSel: () => new Promise(() => undefined),
    load: () => new Promise(() => undefined),
  } as unknown as SdrFileCache;
  const device = {
    deviceId: 0x20,
    deviceRevision: 1,
    firmwareMajor: 2,
    firmwareMinorRaw: 0x34,
    manufacturerId: 674,
    productId: 256,
  } as unknown as DeviceId;
  const answers = (async (command: { name: string }) => (command.name === getDeviceId.name ? device : { guid: Buffer.alloc(16, 1) })) as unknown as Execute;

  it('are given up at the deadline, not waited for: the suite before the login, the SEL state before the SEL read', async () => {
    const cache = new SessionCache(answers, () => undefined, { sdrFiles: { cache: hungDisk, target: '127.0.0.1:623' } });
    const deadline = new AbortController();
    const suite = cache.fileCipherSuite(deadline.signal);
    const sel = cache.restoreSelState(deadline.signal)!;
    expect(sel).toBeInstanceOf(Promise);
    deadline.abort(new Error('deadline'));
    await expect(suite).rejects.toThrow('deadline');
    await expect(sel).rejects.toThrow('deadline');
    // The SEL state is looked for again by the next scrape.
    expect(cache.restoreSelState(new AbortController().signal)).toBeInstanceOf(Promise);
  });
});
