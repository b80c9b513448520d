// BmcClient against a real BMC simulator (OpenIPMI's ipmi_sim), compared
// with the reference client (ipmitool) reading the same simulator in the
// same run. Needs root (port 623) and the Debian packages openipmi and
// ipmitool; a missing peer fails the test, it never skips.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AuthenticationError,
  BmcClient,
  formatFirmware,
  formatGuidAsIpmitool,
  getChassisStatus,
  getDeviceId,
  getSelInfo,
  getSystemGuid,
  readSdrRepository,
  readSelEntries,
  readSensor,
  sensorsFromSdr,
  TimeoutError,
  UnsupportedCipherSuiteError,
  type BmcClientOptions,
  type DropReason,
} from '@bmc-exporter/ipmi';
import { settle } from '../src/testing/fake-clock.js';
import { startIpmiSim, type IpmiSimHandle } from './peers/ipmi-sim.js';
import { startUdpProxy } from './peers/udp-proxy.js';
import { parseChassisStatus, parseMcGuid, parseMcInfo, parseSelElist, parseSensorList, runIpmitool, type IpmitoolOptions } from './peers/ipmitool.js';

let sim: IpmiSimHandle;

beforeAll(async () => {
  sim = await startIpmiSim({ address: '127.0.0.2' });
});

afterAll(async () => {
  await sim?.stop();
});

const clients: BmcClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

function client(o: Partial<BmcClientOptions> = {}): BmcClient {
  const c = new BmcClient({
    host: sim.host,
    port: sim.port,
    username: sim.users.admin.username,
    password: sim.users.admin.password,
    ...o,
  });
  clients.push(c);
  return c;
}

const deadline = (ms = 10_000) => AbortSignal.timeout(ms);

/** Everything the exporter reads, via our client. */
async function readAll(c: BmcClient) {
  const signal = deadline(20_000);
  const device = await c.execute(getDeviceId, undefined, { signal });
  const guid = await c.execute(getSystemGuid, undefined, { signal });
  const chassis = await c.execute(getChassisStatus, undefined, { signal });
  const { records } = await readSdrRepository(c.execute, { signal });
  const sensors = [];
  for (const d of sensorsFromSdr(records)) sensors.push({ d, r: await readSensor(c.execute, d, { signal }) });
  const sel = await readSelEntries(c.execute, { signal });
  const selInfo = await c.execute(getSelInfo, undefined, { signal });
  return { device, guid, chassis, sensors, sel, selInfo };
}

/** The same, via ipmitool. */
async function readAllWithIpmitool(o: IpmitoolOptions) {
  return {
    mc: parseMcInfo(await runIpmitool(sim, ['mc', 'info'], o)),
    guid: parseMcGuid(await runIpmitool(sim, ['mc', 'guid'], o)),
    chassis: parseChassisStatus(await runIpmitool(sim, ['chassis', 'status'], o)),
    sensors: parseSensorList(await runIpmitool(sim, ['sensor', 'list'], o)),
    sel: parseSelElist(await runIpmitool(sim, ['sel', 'elist'], o)),
  };
}

const ipmitoolStatus = { ok: 'ok', 'non-critical': 'nc', critical: 'cr', 'non-recoverable': 'nr' } as const;

async function expectSameAsIpmitool(c: BmcClient, o: IpmitoolOptions): Promise<void> {
  const [ours, theirs] = await Promise.all([readAll(c), readAllWithIpmitool(o)]);

  expect(ours.device.deviceId).toBe(theirs.mc.deviceId);
  expect(ours.device.deviceRevision).toBe(theirs.mc.deviceRevision);
  expect(formatFirmware(ours.device)).toBe(theirs.mc.firmwareRevision);
  expect(ours.device.ipmiVersion).toBe(theirs.mc.ipmiVersion);
  expect(ours.device.manufacturerId).toBe(theirs.mc.manufacturerId);
  expect(ours.device.productId).toBe(theirs.mc.productId);

  expect(formatGuidAsIpmitool(ours.guid.guid)).toBe(theirs.guid);

  expect(ours.chassis.poweredOn).toBe(theirs.chassis.powerOn);
  expect(ours.chassis.intrusion).toBe(theirs.chassis.intrusion);
  expect(ours.chassis.powerFault).toBe(theirs.chassis.powerFault);
  expect(ours.chassis.coolingFault).toBe(theirs.chassis.coolingFault);
  expect(ours.chassis.driveFault).toBe(theirs.chassis.driveFault);

  // Every sensor ipmitool lists, we list, with the same value (3 decimals)
  // and the same threshold state; discrete sensors have no value on either side.
  expect(ours.sensors.map((s) => s.d.name).sort()).toEqual(theirs.sensors.map((s) => s.name).sort());
  for (const t of theirs.sensors) {
    const o = ours.sensors.find((s) => s.d.name === t.name)!;
    if (t.reading === null) {
      expect(o.r.value, t.name).toBeNull();
      continue;
    }
    expect(o.r.value, t.name).toBeCloseTo(t.reading, 3);
    expect(o.d.unitName, t.name).toBe(t.unit);
    expect(ipmitoolStatus[o.r.state as keyof typeof ipmitoolStatus], t.name).toBe(t.status);
  }
  expect(ours.sensors.length).toBeGreaterThanOrEqual(13);

  // SEL: same record ids, same timestamps, same assertion direction.
  expect(ours.sel.records.map((r) => r.recordId)).toEqual(theirs.sel.map((r) => r.id));
  expect(ours.selInfo.entries).toBe(theirs.sel.length);
  for (const [i, t] of theirs.sel.entries()) {
    const r = ours.sel.records[i]!;
    expect(r.kind).toBe('system-event');
    if (r.kind !== 'system-event') continue;
    const d = new Date(r.timestamp * 1000);
    const mmddyy = `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCFullYear() % 100)}`;
    expect(mmddyy).toBe(t.date);
    expect(`${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`).toBe(t.time);
    expect(r.eventDirection === 'deassertion' ? 'Deasserted' : 'Asserted').toBe(t.direction);
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

describe('BmcClient against ipmi_sim, compared with ipmitool', () => {
  it('RMCP+ cipher suite 3: device id, GUID, chassis, every sensor and the SEL match ipmitool -C 3', async () => {
    const c = client({ cipherSuites: [3] });
    await expectSameAsIpmitool(c, { interface: 'lanplus', cipherSuite: 3 });
    expect(c.session).toEqual({ ipmiVersion: '2.0', cipherSuite: 3, authType: null, privilege: 'user' });
  });

  it('IPMI 1.5 with MD5: the same readings as ipmitool -I lan -A MD5', async () => {
    const c = client({ ipmiVersion: '1.5', authTypes: ['md5'] });
    await expectSameAsIpmitool(c, { interface: 'lan', authType: 'MD5' });
    expect(c.session).toMatchObject({ ipmiVersion: '1.5', authType: 'md5' });
  });

  it('discovers the suites the BMC offers and picks 3 (ipmi_sim has no 17)', async () => {
    const c = client();
    const s = await c.open({ signal: deadline() });
    expect(s).toEqual({ ipmiVersion: '2.0', cipherSuite: 3, authType: null, privilege: 'user' });
  });

  it.each([0, 1, 2, 3, 6])('cipher suite %i logs in and reads the device id', async (suite) => {
    const c = client({ cipherSuites: [suite] });
    const d = await c.execute(getDeviceId, undefined, { signal: deadline() });
    expect(formatFirmware(d)).toBe('2.47');
    expect(c.session?.cipherSuite).toBe(suite);
  });

  it.each(['md5', 'md2', 'password', 'none'] as const)('IPMI 1.5 auth type %s logs in and reads the device id', async (authType) => {
    const c = client({ ipmiVersion: '1.5', authTypes: [authType] });
    const d = await c.execute(getDeviceId, undefined, { signal: deadline() });
    expect(d.manufacturerId).toBe(4753);
    expect(c.session?.authType).toBe(authType);
  });

  it.each(['operator', 'administrator'] as const)('raises the session to %s with Set Session Privilege Level', async (privilege) => {
    const c = client({ privilege, cipherSuites: [3] });
    await c.execute(getChassisStatus, undefined, { signal: deadline() });
    expect(c.session?.privilege).toBe(privilege);
  });
});

describe('typed errors from a real BMC', () => {
  async function failure(o: Partial<BmcClientOptions>, ms = 8000): Promise<{ err: unknown }> {
    const c = client(o);
    try {
      await c.execute(getDeviceId, undefined, { signal: deadline(ms) });
    } catch (err) {
      return { err };
    }
    throw new Error('expected the command to fail');
  }

  it('wrong password over RMCP+ is AuthenticationError(wrong-password), told at RAKP 2 without waiting', async () => {
    const { err } = await failure({ password: 'not-the-password', cipherSuites: [3] });
    // Told by the BMC, not timed out: running into the deadline would be a TimeoutError.
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).reason).toBe('wrong-password');
    expect((err as AuthenticationError).code).toBe('IPMI_AUTH_FAILED');
    expect((err as Error).message).not.toContain('not-the-password');
  });

  it('wrong password over IPMI 1.5 is AuthenticationError(wrong-password)', async () => {
    const { err } = await failure({ password: 'not-the-password', ipmiVersion: '1.5', authTypes: ['md5'] });
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).reason).toBe('wrong-password');
  });

  it('an unknown user is AuthenticationError(unknown-user) on both versions', async () => {
    for (const o of [{ cipherSuites: [3] }, { ipmiVersion: '1.5' as const }]) {
      const { err } = await failure({ username: 'nobody', ...o });
      expect(err).toBeInstanceOf(AuthenticationError);
      expect((err as AuthenticationError).reason).toBe('unknown-user');
    }
  });

  it("ipmi_sim does not enforce a user's maximum privilege: we get what ipmitool gets", async () => {
    // The USER-level account asks for ADMINISTRATOR. A strict BMC refuses
    // (AuthenticationError 'privilege-refused', proven against packages/bmc-sim);
    // ipmi_sim 2.0.33 grants it, to ipmitool as to us.
    const theirs = await runIpmitool(sim, ['session', 'info', 'active'], { user: 'user', privilege: 'ADMINISTRATOR' });
    expect(theirs).toMatch(/privilege level\s*:\s*ADMINISTRATOR/);
    const c = client({ username: sim.users.user.username, password: sim.users.user.password, privilege: 'administrator', cipherSuites: [3] });
    await c.execute(getChassisStatus, undefined, { signal: deadline() });
    expect(c.session?.privilege).toBe('administrator');
  });

  it('a pinned suite the BMC lacks (17) is UnsupportedCipherSuiteError', async () => {
    const { err } = await failure({ cipherSuites: [17] });
    expect(err).toBeInstanceOf(UnsupportedCipherSuiteError);
    expect((err as UnsupportedCipherSuiteError).code).toBe('IPMI_UNSUPPORTED_CIPHER_SUITE');
  });

  it('an unreachable target is TimeoutError, at the deadline', async () => {
    // 127.0.0.3:623: loopback, nothing listening. On a fake clock (the client's retransmit
    // timers and the deadline); the datagrams are real. The abort reason is AbortSignal.timeout's.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const c = client({ host: '127.0.0.3' });
      const signal = new AbortController();
      setTimeout(() => signal.abort(new DOMException('deadline', 'TimeoutError')), 1500);
      let outcome: unknown;
      const call = c.execute(getDeviceId, undefined, { signal: signal.signal }).then(
        () => (outcome = 'answered'),
        (err: unknown) => (outcome = err),
      );
      await vi.advanceTimersByTimeAsync(1499);
      await settle();
      expect(outcome).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      await call;
      expect(outcome).toBeInstanceOf(TimeoutError);
    } finally {
      // The caller was answered at the deadline; the session set-up it left holds the BMC's one
      // command slot until its own retries run out. Run them out on the fake clock, or the
      // client's close() would wait on timers that never fire.
      await vi.advanceTimersByTimeAsync(60_000);
      vi.useRealTimers();
    }
  });
});

describe('session lifetime against a real BMC', () => {
  it('survives the BMC being killed and restarted between two commands, with the same client', async () => {
    let opened = 0;
    let expired = 0;
    const c = client({
      cipherSuites: [3],
      hooks: { sessionOpened: () => opened++, sessionClosed: (r) => (r === 'expired' ? expired++ : 0) },
    });
    expect((await c.execute(getDeviceId, undefined, { signal: deadline() })).deviceId).toBe(0x20);
    await sim.kill();
    await sim.restart();
    const chassis = await c.execute(getChassisStatus, undefined, { signal: deadline(15_000) });
    expect(chassis.poweredOn).toBe(true);
    expect(opened).toBe(2);
    expect(expired).toBe(1);
  });

  it('close() sends Close Session: the BMC forgets the session at once', async () => {
    const c = client({ cipherSuites: [3] });
    await c.open({ signal: deadline() });
    await c.close();
    await expect(c.execute(getDeviceId, undefined)).rejects.toMatchObject({ code: 'IPMI_CLIENT_CLOSED' });
  });
});

describe('strict matching with real traffic (invariant 2)', () => {
  it('one shared transport serves clients of several BMCs', async () => {
    const { UdpTransport } = await import('@bmc-exporter/ipmi');
    const transport = new UdpTransport();
    const a = client({ transport, cipherSuites: [3] });
    const b = client({ transport, ipmiVersion: '1.5' });
    const [da, db] = await Promise.all([a.execute(getDeviceId, undefined, { signal: deadline() }), b.execute(getDeviceId, undefined, { signal: deadline() })]);
    expect(da.deviceId).toBe(db.deviceId);
    expect(transport.socketCount).toBe(1);
    await a.close();
    await b.close();
    await transport.close();
  });

  it('drops and counts every answer that does not match, by reason, and still reads every value right', async () => {
    // A relay on [::1] in front of ipmi_sim (IPv4) that, before each real
    // answer, delivers garbage, the answer with another session id, the answer
    // with its integrity trailer corrupted and a replay of an answer from 20
    // packets ago, and after it a duplicate. Only the real answer may be taken.
    const proxy = await startUdpProxy({ listen: { address: '::1', port: 0 }, upstream: { address: sim.host, port: sim.port } });
    const inSession: Buffer[] = [];
    proxy.tamper = (answer) => {
      const out: Buffer[] = [Buffer.from('definitely not RMCP')];
      // RMCP+ session header (IPMI v2.0 §13.6): auth type 0x06 at 4, payload type at 5, session id at 6..9.
      const sessionId = answer.length > 16 && answer[4] === 0x06 ? answer.readUInt32LE(6) : 0;
      if (sessionId !== 0) {
        const wrongSession = Buffer.from(answer);
        wrongSession.writeUInt32LE((sessionId ^ 0x5a5a) >>> 0, 6);
        const corrupted = Buffer.from(answer);
        corrupted[corrupted.length - 1]! ^= 0xff;
        out.push(wrongSession, corrupted);
        if (inSession.length >= 20) out.push(inSession[inSession.length - 20]!);
        inSession.push(Buffer.from(answer));
      }
      out.push(answer, Buffer.from(answer));
      return out;
    };
    const drops: Record<string, number> = {};
    const c = client({
      host: '::1',
      port: proxy.listen.port,
      cipherSuites: [3],
      hooks: { packetDropped: (r) => (drops[r] = (drops[r] ?? 0) + 1) },
    });
    try {
      const tampered = await readAll(c);
      const direct = await readAll(client({ cipherSuites: [3] }));
      expect(tampered.sensors.map((s) => [s.d.name, s.r.value, s.r.state])).toEqual(direct.sensors.map((s) => [s.d.name, s.r.value, s.r.state]));
      expect(tampered.sel.records).toEqual(direct.sel.records);
      expect(tampered.device).toEqual(direct.device);
      for (const reason of ['malformed', 'no-match', 'bad-integrity', 'stale-sequence'] satisfies DropReason[]) {
        expect(drops[reason] ?? 0, reason).toBeGreaterThan(0);
      }
      expect(c.session?.cipherSuite).toBe(3);
    } finally {
      await c.close();
      await proxy.close();
    }
  });

  it('reaches an IPv6 target ([::1]) over IPMI 1.5 too', async () => {
    const proxy = await startUdpProxy({ listen: { address: '::1', port: 0 }, upstream: { address: sim.host, port: sim.port } });
    try {
      const c = client({ host: '::1', port: proxy.listen.port, ipmiVersion: '1.5' });
      expect((await c.execute(getDeviceId, undefined, { signal: deadline() })).productId).toBe(0x0b0c);
      expect(c.target).toBe(`[::1]:${proxy.listen.port}`);
      await c.close();
    } finally {
      await proxy.close();
    }
  });
});

describe('one command in flight per BMC (invariant 1)', () => {
  it('concurrent calls, some aborted while queued or in flight, never put two requests on the wire', async () => {
    const proxy = await startUdpProxy({ listen: { address: '127.0.0.1', port: 0 }, upstream: { address: sim.host, port: sim.port } });
    try {
      // Answers take 30 ms (the relay's timer, in this process), so a call aborted on the
      // next turn of the event loop after its request went out is aborted in flight, however
      // loaded the machine: the relay's timer cannot run before that turn. The next call must
      // still wait for the wire to clear.
      // Calls run in order, one packet each (loopback: no retransmits), and the
      // two aborted before they start send nothing: packet k belongs to order[k].
      const abortedEarly = new Set([21, 22]);
      const order = Array.from({ length: 24 }, (_, i) => i).filter((i) => !abortedEarly.has(i));
      let sent = 0;
      let opened = false;
      const controllers: AbortController[] = [];
      const abortInFlight = new Set([3, 8, 13, 18]);
      const c = client({
        host: '127.0.0.1',
        port: proxy.listen.port,
        cipherSuites: [3],
        hooks: {
          packetSent: () => {
            if (!opened) return;
            const i = order[sent++]!;
            if (abortInFlight.delete(i)) setImmediate(() => controllers[i]!.abort());
          },
        },
      });
      await c.open({ signal: deadline() });
      opened = true;
      proxy.delayMs = 30;
      // Queued calls must not pile listeners onto shared signals (Node warns past 10).
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.name);
      process.on('warning', onWarning);
      const calls = Array.from({ length: 24 }, (_, i) => {
        const ac = new AbortController();
        controllers.push(ac);
        if (abortedEarly.has(i)) ac.abort();
        // Calls nobody aborts pass no signal at all, as most callers do.
        const signal = abortedEarly.has(i) || abortInFlight.has(i) ? ac.signal : undefined;
        const call: Promise<unknown> = i % 2 ? c.execute(getDeviceId, undefined, { signal }) : c.execute(getChassisStatus, undefined, { signal });
        return call.then(
          () => 'ok',
          (e: { code?: string }) => e.code,
        );
      });
      const outcomes = await Promise.all(calls);
      expect(outcomes.filter((o) => o === 'IPMI_ABORTED')).toHaveLength(6);
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(18);
      expect(abortInFlight.size).toBe(0); // all four were aborted while in flight
      expect(proxy.maxOutstanding).toBe(1);
      process.off('warning', onWarning);
      expect(warnings).not.toContain('MaxListenersExceededWarning');
      await c.close();
    } finally {
      await proxy.close();
    }
  });
});

describe('closing a busy client', () => {
  it('lets the command in flight finish, rejects the queued ones, then closes the session', async () => {
    // Answers take 30 ms, so the first command is surely in flight when close() is called.
    const proxy = await startUdpProxy({ listen: { address: '127.0.0.1', port: 0 }, upstream: { address: sim.host, port: sim.port } });
    try {
      let closed = 0;
      const c = client({
        host: '127.0.0.1',
        port: proxy.listen.port,
        cipherSuites: [3],
        hooks: { sessionClosed: (r) => (r === 'closed' ? closed++ : 0) },
      });
      await c.open({ signal: deadline() });
      proxy.delayMs = 30;
      const before = proxy.requests;
      const inFlight = c.execute(getDeviceId, undefined, { signal: deadline() });
      const queuedOutcome = c.execute(getChassisStatus, undefined, { signal: deadline() }).catch((e: unknown) => e);
      while (proxy.requests === before) await new Promise((r) => setTimeout(r, 1)); // the first request is on the wire
      expect(c.pending).toBe(2);
      const closing = c.close();
      expect((await inFlight).deviceId).toBe(0x20);
      expect(await queuedOutcome).toMatchObject({ code: 'IPMI_CLIENT_CLOSED' });
      await closing;
      expect(closed).toBe(1);
      // The command in flight and the Close Session went out; the queued command never did.
      expect(proxy.requests - before).toBe(2);
    } finally {
      await proxy.close();
    }
  });
});
