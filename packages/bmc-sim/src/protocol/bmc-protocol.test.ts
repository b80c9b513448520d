import {
  AuthenticationError,
  BmcClient,
  SessionError,
  UnsupportedCipherSuiteError,
  getDeviceId,
  getSystemGuid,
  type BmcClientOptions,
  type Command,
} from '@bmc-exporter/ipmi';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandHandler } from '../command-handler.js';
import { BmcProtocol, type BmcProtocolOptions } from './bmc-protocol.js';
import type { ProtocolConfig } from './config.js';
import { serveBmc } from './serve-bmc.js';
import { TEST_GUID, deviceIdHandler, testConfig } from './testing/fixtures.js';

const FAST = { initialTimeoutMs: 150, maxTimeoutMs: 300, backoff: 2, attempts: 2, sessionAttempts: 2 };
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function start(patch: Partial<ProtocolConfig> = {}, opts: BmcProtocolOptions = {}, handler: CommandHandler = deviceIdHandler) {
  const protocol = new BmcProtocol(testConfig(patch), handler, opts);
  const served = await serveBmc(protocol, { address: '127.0.0.1', port: 0 });
  cleanup.push(() => served.close());
  const client = (o: Partial<BmcClientOptions> = {}) => {
    const c = new BmcClient({ host: served.address, port: served.port, username: 'admin', password: 'admin-secret', retry: FAST, ...o });
    cleanup.push(() => c.close());
    return c;
  };
  return { protocol, served, client };
}

describe('BmcProtocol against our own BmcClient', () => {
  it.each([0, 1, 2, 3, 6, 7, 8, 11, 12, 15, 16, 17])('RMCP+ cipher suite %i logs in and reads the device id', async (suite) => {
    const { protocol, client } = await start();
    const c = client({ cipherSuites: [suite], privilege: 'administrator' });
    const id = await c.execute(getDeviceId, undefined);
    expect(id).toMatchObject({ deviceId: 0x20, firmwareMajor: 3, firmwareMinor: 45, manufacturerId: 0x1234, productId: 0x5678 });
    expect(c.session).toMatchObject({ ipmiVersion: '2.0', cipherSuite: suite });
    expect(await c.execute(getSystemGuid, undefined)).toBeDefined();
    await c.close();
    expect(protocol.counters).toEqual({ open: 0, maxOpen: 1, openedTotal: 1, closedTotal: 1, expiredTotal: 0 });
  });

  it('discovers the suites the BMC offers and picks the client favourite (17)', async () => {
    const { client } = await start();
    const c = client();
    await c.execute(getDeviceId, undefined);
    expect(c.session?.cipherSuite).toBe(17);
  });

  it.each(['md5', 'md2', 'password', 'none'] as const)('IPMI 1.5 with auth type %s logs in and reads the device id', async (authType) => {
    const { protocol, client } = await start();
    const c = client({ ipmiVersion: '1.5', authTypes: [authType], privilege: 'administrator' });
    expect((await c.execute(getDeviceId, undefined)).productId).toBe(0x5678);
    expect(c.session).toMatchObject({ ipmiVersion: '1.5', authType });
    await c.close();
    expect(protocol.counters).toMatchObject({ open: 0, openedTotal: 1, closedTotal: 1 });
  });

  it('a legacy 1.5-only BMC is found by auto-negotiation', async () => {
    const { client } = await start({ ipmi20: false });
    const c = client();
    await c.execute(getDeviceId, undefined);
    expect(c.session).toMatchObject({ ipmiVersion: '1.5', authType: 'md5' });
  });

  it('a suite-17-only BMC without IPMI 1.5 still serves RMCP+', async () => {
    const { client } = await start({ authTypes15: null, cipherSuites: [17] });
    const c = client();
    await c.execute(getDeviceId, undefined);
    expect(c.session).toMatchObject({ ipmiVersion: '2.0', cipherSuite: 17 });
  });

  it('wrong password: RMCP+ says wrong-password, IPMI 1.5 fails authentication', async () => {
    const { client } = await start();
    await expect(client({ password: 'nope', cipherSuites: [3] }).open()).rejects.toMatchObject({ reason: 'wrong-password' });
    const v15 = client({ password: 'nope', ipmiVersion: '1.5' }).open();
    await expect(v15).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('unknown user is unknown-user in both versions', async () => {
    const { client } = await start();
    await expect(client({ username: 'ghost', cipherSuites: [3] }).open()).rejects.toMatchObject({ reason: 'unknown-user' });
    await expect(client({ username: 'ghost', ipmiVersion: '1.5' }).open()).rejects.toMatchObject({ reason: 'unknown-user' });
  });

  it('privilege above the user maximum is privilege-refused in both versions', async () => {
    const { client } = await start();
    const opts = { username: 'viewer', password: 'viewer-secret', privilege: 'administrator' } as const;
    await expect(client({ ...opts, cipherSuites: [3] }).open()).rejects.toMatchObject({ reason: 'privilege-refused' });
    await expect(client({ ...opts, ipmiVersion: '1.5' }).open()).rejects.toMatchObject({ reason: 'privilege-refused' });
    // ... while USER works for the same account.
    const ok = client({ username: 'viewer', password: 'viewer-secret', cipherSuites: [3] });
    expect((await ok.execute(getDeviceId, undefined)).deviceId).toBe(0x20);
  });

  it('a suite the BMC does not offer is UnsupportedCipherSuiteError', async () => {
    const { client } = await start({ cipherSuites: [3] });
    await expect(client({ cipherSuites: [17] }).open()).rejects.toBeInstanceOf(UnsupportedCipherSuiteError);
  });

  it('session limit: the fifth concurrent session is refused as a temporary SessionError', async () => {
    const { protocol, client } = await start();
    for (let i = 0; i < 4; i++) await client({ cipherSuites: [3] }).open();
    const err = await client({ cipherSuites: [3] })
      .open()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SessionError);
    expect((err as SessionError).temporary).toBe(true);
    expect((err as SessionError).statusCode).toBe(0x01);
    // IPMI 1.5's Activate Session answers 0x81 for the same reason.
    await expect(client({ ipmiVersion: '1.5' }).open()).rejects.toMatchObject({ completionCode: 0x81 });
    expect(protocol.counters).toMatchObject({ open: 4, maxOpen: 4 });
  });

  it('idle sessions expire on the injected clock and the client re-establishes', async () => {
    let t = 1_000_000;
    const { protocol, client } = await start({}, { now: () => t });
    const c = client({ cipherSuites: [3] });
    await c.execute(getDeviceId, undefined);
    t += 59_000;
    await c.execute(getDeviceId, undefined);
    expect(protocol.counters.expiredTotal).toBe(0);
    t += 60_000;
    expect((await c.execute(getDeviceId, undefined)).deviceId).toBe(0x20);
    expect(protocol.counters).toMatchObject({ open: 1, openedTotal: 2, expiredTotal: 1 });
  });

  it('reset() drops every session; the client re-establishes transparently', async () => {
    const { protocol, client } = await start();
    const c = client({ cipherSuites: [17] });
    await c.execute(getDeviceId, undefined);
    protocol.reset();
    expect(protocol.counters.open).toBe(0);
    expect((await c.execute(getDeviceId, undefined)).deviceId).toBe(0x20);
    expect(protocol.counters).toMatchObject({ open: 1, openedTotal: 2 });
  });

  it('aesPad16 quirk: a full 16-byte AES pad block, and the client still reads the answer', async () => {
    // 7 data bytes -> LAN response of 15 bytes: the spec pads 0, the quirk pads 16.
    const seven = Buffer.from([1, 2, 3, 4, 5, 6, 7]);
    const handler: CommandHandler = (req) => (req.cmd === 0x04 ? { completionCode: 0, data: seven } : deviceIdHandler(req, { privilege: 2 }));
    const lengths: number[] = [];
    const { client } = await start(
      { quirks: { aesPad16: true } },
      {
        hooks: { onResponse: (d, info) => (info.sessionId !== 0 && info.payloadType === 0 && lengths.push(d.readUInt16LE(14)), [d]) },
      },
      handler,
    );
    const selfTest: Command<void, Buffer> = { name: 'Get Self Test Results', netFn: 0x06, cmd: 0x04, encode: () => Buffer.alloc(0), decode: (d) => d };
    const c = client({ cipherSuites: [17] });
    expect(await c.execute(selfTest, undefined)).toEqual(seven);
    expect(lengths.at(-1)).toBe(16 + 32); // IV + two blocks: 15 bytes, 16 pad bytes, pad length
  });

  it.each(['user', 'administrator'] as const)('rakpOpenSessionPrivilege quirk: the client still logs in at %s', async (privilege) => {
    const { client } = await start({ quirks: { rakpOpenSessionPrivilege: true } });
    const c = client({ cipherSuites: [3], privilege });
    expect((await c.execute(getDeviceId, undefined)).deviceId).toBe(0x20);
  });

  it('hooks: onCommand sees model commands only; onRequest can drop; onResponse can duplicate', async () => {
    const seen: string[] = [];
    let drop = false;
    const { client } = await start(
      {},
      {
        hooks: {
          onCommand: (netFn, cmd) => seen.push(`${netFn}:${cmd}`),
          onRequest: () => !drop,
          onResponse: (d) => [d, d],
        },
      },
    );
    const c = client({ cipherSuites: [3] });
    await c.execute(getDeviceId, undefined);
    expect(seen).toEqual(['6:1']);
    drop = true;
    await expect(c.execute(getDeviceId, undefined)).rejects.toThrow();
  });

  it('uses the configured GUID', () => {
    expect(testConfig().guid).toEqual(TEST_GUID);
  });
});
