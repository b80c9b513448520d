// bmc-sim fleet as users and the exporter meet it: `npm run sim`'s code path
// (the CLI as a child process) answered by our BmcClient, its secrets file and
// control API; then one test per fault showing what the client does about it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFleet, type Fleet, type FaultConfig } from '@bmc-exporter/bmc-sim';
import {
  AuthenticationError,
  BmcClient,
  type IpmiError,
  SessionError,
  TimeoutError,
  TransportError,
  UdpTransport,
  dcmiGetPowerReading,
  formatGuid,
  getDeviceId,
  getSensorReading,
  getSystemGuid,
  readSdrRepository,
  type BmcClientOptions,
  type DropReason,
} from '@bmc-exporter/ipmi';
import { parse } from 'yaml';
import { settle } from '../src/testing/fake-clock.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

const CLI = fileURLToPath(new URL('../packages/bmc-sim/dist/cli.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'sim-fleet-'));
const transport = new UdpTransport();

afterAll(() => transport.close());

describe('npm run sim (the CLI as a child process)', () => {
  const COUNT = 50;
  const CONTROL = 39623;
  const secretsFile = join(tmp, 'secrets.yml');
  let child: ChildProcess;
  let out = '';
  let secrets: Record<string, { username: string; password: string }>;

  beforeAll(async () => {
    child = spawn(
      process.execPath,
      [CLI, '--count', String(COUNT), '--base-address', '127.5.0.1', '--seed', '11', '--secrets-out', secretsFile, '--control', `127.0.0.1:${CONTROL}`],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\nready')) resolve();
      });
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (code) => reject(new Error(`sim exited ${code}: ${out}`)));
    });
    secrets = parse(readFileSync(secretsFile, 'utf8')) as typeof secrets;
  });

  afterAll(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('prints its endpoints and where the secrets went', () => {
    expect(out).toContain(`bmc-sim: ${COUNT} BMCs (profile server-2s, seed 11)`);
    expect(out).toContain('127.5.0.1:623 … 127.5.0.50:623');
    expect(out).toContain(`secrets file: ${secretsFile}`);
  });

  it("writes the secrets file in bmc_exporter's format: host:port → username, password", () => {
    const keys = Object.keys(secrets);
    expect(keys).toHaveLength(COUNT);
    expect(keys[0]).toBe('127.5.0.1:623');
    expect(keys[COUNT - 1]).toBe('127.5.0.50:623');
    for (const v of Object.values(secrets)) expect(Object.keys(v).sort()).toEqual(['password', 'username']);
  });

  it('every endpoint answers BmcClient with its own GUID and readings', async () => {
    const guids = new Set<string>();
    const temps = new Set<number>();
    await Promise.all(
      Object.entries(secrets).map(async ([target, cred]) => {
        const c = new BmcClient({ host: target.split(':')[0]!, username: cred.username, password: cred.password, transport });
        try {
          guids.add(formatGuid((await c.execute(getSystemGuid, undefined)).guid));
          temps.add((await c.execute(getSensorReading, { sensorNumber: 0x01 })).raw);
          expect((await c.execute(getDeviceId, undefined)).manufacturerId).toBe(0xa2);
        } finally {
          await c.close();
        }
      }),
    );
    expect(guids.size).toBe(COUNT);
    expect(temps.size).toBeGreaterThan(3);
  });

  it('control API changes a sensor and a fault on the running fleet', async () => {
    const api = `http://127.0.0.1:${CONTROL}/bmcs/127.5.0.9`;
    const cred = secrets['127.5.0.9:623']!;
    const c = new BmcClient({
      host: '127.5.0.9',
      username: cred.username,
      password: cred.password,
      transport,
      retry: { initialTimeoutMs: 200, maxTimeoutMs: 200 },
    });
    try {
      const before = (await c.execute(getSensorReading, { sensorNumber: 0x01 })).raw;
      const r = await fetch(`${api}/sensors/CPU1%20Temp`, { method: 'POST', body: JSON.stringify({ value: 88 }) });
      expect(r.status).toBe(200);
      const after = (await c.execute(getSensorReading, { sensorNumber: 0x01 })).raw;
      expect(after).not.toBe(before);
      expect((await fetch(`${api}/faults`, { method: 'PUT', body: '{"noAnswer": true}' })).status).toBe(200);
      await expect(c.execute(getDeviceId, undefined, { signal: AbortSignal.timeout(1500) })).rejects.toBeInstanceOf(TimeoutError);
      expect((await fetch(`${api}/faults`, { method: 'PUT', body: '{"noAnswer": false}' })).status).toBe(200);
      expect((await c.execute(getDeviceId, undefined)).manufacturerId).toBe(0xa2);
      const counters = (await (await fetch(`${api}/counters`)).json()) as {
        counters: { faults: { dropped: { noAnswer: number } }; commands: Record<string, number> };
      };
      expect(counters.counters.faults.dropped.noAnswer).toBeGreaterThan(0);
      expect(counters.counters.commands['0x04:0x2d']).toBeGreaterThanOrEqual(2);
    } finally {
      await c.close();
    }
  });
});

describe('faults, as the client sees them', () => {
  let fleet: Fleet;
  let next = 0;
  beforeAll(async () => {
    fleet = await startFleet({ count: 30, baseAddress: '127.2.0.1', seed: 23 });
  });
  afterAll(() => fleet.close());

  /** A fresh BMC per test with the given faults, and a client that records its drops and retries. */
  function setup(faults: Partial<FaultConfig>, options: Partial<BmcClientOptions> = {}) {
    const index = next++;
    const bmc = fleet.bmcs[index]!;
    const cred = Object.values(fleet.secrets())[index]!;
    const drops: DropReason[] = [];
    const retries: string[] = [];
    const opened: unknown[] = [];
    const client = new BmcClient({
      host: bmc.address,
      username: cred.username,
      password: cred.password,
      transport,
      cipherSuites: [3],
      retry: { initialTimeoutMs: 150, maxTimeoutMs: 300, attempts: 4, sessionAttempts: 4 },
      hooks: { packetDropped: (r) => drops.push(r), retry: (w) => retries.push(w), sessionOpened: (d) => opened.push(d) },
      ...options,
    });
    const apply = () => bmc.setFaults(faults);
    return { bmc, client, drops, retries, opened, apply };
  }

  it('a send that fails in an established session reaches the caller as the TransportError of the session set up again', async () => {
    // An established session sends unchecked (no callback: node:dgram drops a failed send's error),
    // so the failure is silence; the recovery's new session sends checked and reports it. The
    // failing sends are made here (a real send error cannot be had on loopback): unchecked ones
    // vanish, checked ones report a TransportError, as node:dgram's do.
    let failing = false;
    const failed: string[] = [];
    class FailingTransport extends UdpTransport {
      override open(peer: Parameters<UdpTransport['open']>[0], handler: Parameters<UdpTransport['open']>[1]) {
        const channel = super.open(peer, handler);
        return {
          peer,
          send: (d: Buffer, onError: (err: TransportError) => void) => {
            if (!failing) return channel.send(d, onError);
            failed.push('checked');
            onError(new TransportError(`send to ${peer.address}:${peer.port} failed: EPERM (injected)`));
          },
          sendUnchecked: (d: Buffer) => {
            if (!failing) return channel.sendUnchecked(d);
            failed.push('unchecked');
          },
          close: () => channel.close(),
        };
      }
    }
    const own = new FailingTransport();
    const t = setup({}, { transport: own });
    try {
      expect((await t.client.execute(getDeviceId, undefined)).manufacturerId).toBe(0xa2);
      failing = true;
      const err = await t.client.execute(getDeviceId, undefined).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransportError);
      expect((err as Error).message).toBe(`send to ${t.bmc.address}:623 failed: EPERM (injected)`);
      // The command's 4 sends and the canary, silent; then the new session's first packet, refused.
      expect(failed).toEqual(['unchecked', 'unchecked', 'unchecked', 'unchecked', 'unchecked', 'checked']);
      failing = false;
      expect((await t.client.execute(getDeviceId, undefined)).manufacturerId).toBe(0xa2);
    } finally {
      await t.client.close();
      await own.close();
    }
  });

  /** Values the model serves, to check answers survived the fault intact. */
  async function readsRight(t: ReturnType<typeof setup>, n = 10): Promise<void> {
    const expected = t.bmc.model.sensor('CPU1 Temp').rawReading;
    for (let i = 0; i < n; i++) {
      expect((await t.client.execute(getSensorReading, { sensorNumber: 0x01 })).raw).toBe(expected);
      expect((await t.client.execute(getDeviceId, undefined)).manufacturerId).toBe(0xa2);
    }
  }

  it('loss: the client retries and succeeds; retries match the packets lost', async () => {
    const t = setup({ lossPercent: 30 });
    await t.client.open();
    t.apply();
    await readsRight(t);
    expect(t.bmc.faults.counters.dropped.loss).toBeGreaterThan(0);
    expect(t.retries.length).toBeGreaterThanOrEqual(t.bmc.faults.counters.dropped.loss);
    await t.client.close();
  });

  it('delay beyond the deadline: TimeoutError at the deadline, never a hang', async () => {
    const t = setup({ delayMs: 5000 });
    await t.client.open();
    t.apply();
    // A fake clock for the client's timers, the simulator's delay and the deadline alike;
    // datagrams stay real. The deadline's abort reason is what AbortSignal.timeout gives.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const deadline = new AbortController();
      setTimeout(() => deadline.abort(new DOMException('deadline', 'TimeoutError')), 600);
      let outcome: unknown;
      const call = t.client.execute(getDeviceId, undefined, { signal: deadline.signal }).then(
        () => (outcome = 'answered'),
        (err: unknown) => (outcome = err),
      );
      await vi.advanceTimersByTimeAsync(599);
      await settle();
      expect(outcome).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      await call;
      expect(outcome).toBeInstanceOf(TimeoutError);
      // Retransmits went out meanwhile; every answer is still held back by the 5 s delay.
      expect(t.retries.length).toBeGreaterThan(0);
    } finally {
      // The caller was answered at the deadline, but the exchange it left keeps the BMC's one
      // command slot until its own retries run out (a late answer could still arrive): let the
      // fake clock run that out before the real timers come back, or close() would wait on it.
      await vi.advanceTimersByTimeAsync(30_000);
      vi.useRealTimers();
    }
    t.bmc.setFaults({ delayMs: 0 });
    await t.client.close();
  });

  it('delay within the deadline: answers arrive late but right', async () => {
    const t = setup({ delayMs: 50, jitterMs: 50 });
    await t.client.open();
    t.apply();
    await readsRight(t, 3);
    expect(t.bmc.faults.counters.altered.delay).toBeGreaterThan(0);
    await t.client.close();
  });

  const mangled: Array<[string, Partial<FaultConfig>, DropReason[]]> = [
    ['duplicated', { duplicatePercent: 100 }, ['no-match', 'stale-sequence']],
    ['corrupted', { corruptPercent: 20 }, ['bad-integrity', 'malformed']],
    ['truncated', { truncatePercent: 20 }, ['malformed', 'bad-integrity']],
    ['wrong-session-id', { wrongSessionIdPercent: 20 }, ['no-match']],
    ['bad-integrity', { badIntegrityPercent: 20 }, ['bad-integrity']],
  ];
  it.each(mangled)('%s answers are dropped with the right reason, values still right', async (_name, faults, reasons) => {
    const t = setup(faults);
    await t.client.open();
    t.apply();
    await readsRight(t);
    expect(t.drops.length).toBeGreaterThan(0);
    for (const r of t.drops) expect(reasons).toContain(r);
    await t.client.close();
  });

  it('reordered answers: late ones are dropped, values still right', async () => {
    const t = setup({ reorder: true, reorderHoldMs: 400 });
    await t.client.open();
    t.apply();
    await readsRight(t, 4);
    expect(t.bmc.faults.counters.altered.reorder).toBeGreaterThan(0);
    expect(t.drops.length).toBeGreaterThan(0);
    for (const r of t.drops) expect(['no-match', 'stale-sequence']).toContain(r);
    t.bmc.setFaults({ reorder: false });
    await t.client.close();
  });

  it('no answer: TimeoutError', async () => {
    const t = setup({ noAnswer: true });
    t.apply();
    await expect(t.client.open()).rejects.toBeInstanceOf(TimeoutError);
    await t.client.close();
  });

  it('wrong password: AuthenticationError', async () => {
    const t = setup({ wrongPassword: true });
    t.apply();
    const err = await t.client.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    await t.client.close();
  });

  it('restart: the client re-establishes its session transparently', async () => {
    const t = setup({});
    await readsRight(t, 1);
    await fleet.restart(fleet.indexOf(t.bmc.address)!);
    await readsRight(t, 1);
    expect(t.opened).toHaveLength(2);
    expect(t.bmc.counters.sessions.openedTotal).toBe(2);
    await t.client.close();
  });

  it('slow SDR within the deadline: the SDR walk completes', async () => {
    const t = setup({ slowSdrMs: 25 }, { retry: { initialTimeoutMs: 1000 } });
    t.apply();
    const sdr = await t.client.open().then(() => readSdrRepository(t.client.execute, { signal: AbortSignal.timeout(30_000) }));
    expect(sdr.records.length).toBe(t.bmc.model.sdr.recordCount);
    expect(t.bmc.faults.counters.altered.slowSdr).toBeGreaterThan(0);
    await t.client.close();
  });

  it('session limit reached: a typed, temporary error', async () => {
    const t = setup({ sessionLimitReached: true });
    t.apply();
    const err = (await t.client.open().catch((e: unknown) => e)) as IpmiError;
    expect(err).toBeInstanceOf(SessionError);
    expect(err.temporary).toBe(true);
    await t.client.close();
  });

  const quirks: Array<[string, Partial<FaultConfig>]> = [
    ['Get SDR answers 0xCA above 16 bytes', { sdrMaxRead: 16 }],
    ['SDR ID strings typed 00', { sdrIdType00: true }],
    ['PSU wattage typed "Other"', { psuTypedOther: true }],
    ['16-byte AES pad', { aesPad16: true }],
    ['RAKP hashes the Open Session privilege', { rakpOpenSessionPrivilege: true }],
  ];
  it.each(quirks)('quirk %s: the client still reads correct values', async (_name, faults) => {
    const t = setup(faults);
    t.apply();
    await readsRight(t, 2);
    const sdr = await readSdrRepository(t.client.execute);
    expect(sdr.unparsed).toEqual([]);
    const byName = new Map(sdr.records.flatMap((r) => ('name' in r && 'sensorType' in r ? [[r.name, r] as const] : [])));
    expect(byName.get('CPU1 Temp')?.sensorType).toBe(0x01);
    expect(byName.get('PSU1 Input Power')?.sensorType).toBe(0x0b);
    if (faults.sdrIdType00) expect(byName.get('CPU1 Temp')!.idStringTypeLength >> 6).toBe(0);
    await t.client.close();
  });

  it('quirk: DCMI silently ignored — the command times out, the session lives on', async () => {
    const t = setup({ dcmiIgnore: true });
    t.apply();
    await t.client.open();
    await expect(t.client.execute(dcmiGetPowerReading, {})).rejects.toBeInstanceOf(TimeoutError);
    await readsRight(t, 1);
    expect(t.opened).toHaveLength(1);
    await t.client.close();
  });
});

describe('a session the BMC expired while idle', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    // Sessions idle for 600 ms are dropped by the BMC, silently, as real BMCs do.
    fleet = await startFleet({ count: 1, baseAddress: '127.2.1.1', seed: 5, sessionIdleTimeoutMs: 600 });
  });
  afterAll(() => fleet.close());
  afterEach(() => vi.useRealTimers());

  it('is replaced after one unanswered send: no second attempt, no canary', async () => {
    // The idle time on a fake clock that the client (performance.now) and the simulated BMC
    // (Date.now) both read; timers and datagrams stay real.
    vi.useFakeTimers({ toFake: ['Date', 'performance'] });
    const cred = Object.values(fleet.secrets())[0]!;
    let sent = 0;
    let opened = 0;
    const client = new BmcClient({
      host: fleet.endpoints[0]!.address,
      username: cred.username,
      password: cred.password,
      transport,
      cipherSuites: [3],
      retry: { initialTimeoutMs: 300, idleSuspectMs: 500 },
      hooks: { packetSent: () => sent++, sessionOpened: () => opened++ },
    });
    try {
      expect((await client.execute(getDeviceId, undefined)).manufacturerId).toBe(0xa2);
      vi.advanceTimersByTime(900); // idle past the BMC's 600 ms and the client's 500 ms
      const before = sent;
      expect((await client.execute(getDeviceId, undefined)).manufacturerId).toBe(0xa2);
      // 1 unanswered send + Get Channel Auth Caps, Open Session, RAKP 1, RAKP 3 + the command again.
      expect(sent - before).toBe(6);
      expect(opened).toBe(2);
      expect(fleet.bmcs[0]!.counters.sessions.expiredTotal).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('a recently used session that goes silent still gets its second attempt and a canary', async () => {
    const cred = Object.values(fleet.secrets())[0]!;
    let sent = 0;
    const client = new BmcClient({
      host: fleet.endpoints[0]!.address,
      username: cred.username,
      password: cred.password,
      transport,
      cipherSuites: [3],
      retry: { initialTimeoutMs: 150, maxTimeoutMs: 150, idleSuspectMs: 60_000 },
      hooks: { packetSent: () => sent++ },
    });
    try {
      await client.execute(getDeviceId, undefined);
      fleet.bmcs[0]!.protocol.reset(); // a BMC restart: every session gone at once
      const before = sent;
      expect((await client.execute(getDeviceId, undefined)).manufacturerId).toBe(0xa2);
      // 2 unanswered sends + 1 unanswered canary + 4 handshake packets + the command.
      expect(sent - before).toBe(8);
    } finally {
      await client.close();
    }
  });
});
