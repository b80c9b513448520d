// Our Redfish client against the simulated BMC's Redfish service, over real
// HTTPS on loopback: both schema generations, the session life cycle, and
// each fault the simulator injects, with what the client returns for it.
import { readFileSync } from 'node:fs';
import { resolution, type SelfSignedCert } from '@bmc-exporter/bmc-sim';
import {
  INITIAL_CURSOR,
  readChassis,
  readLogEntries,
  RedfishAuthenticationError,
  RedfishBodyTooLargeError,
  RedfishClient,
  RedfishClientPool,
  RedfishConnectionError,
  RedfishError,
  RedfishHttpError,
  RedfishSessionError,
  RedfishTimeoutError,
  RedfishTlsError,
  type SensorReading,
} from '@bmc-exporter/redfish';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startSim, testCert, USER, type RunningSim } from './redfish/sim-redfish.js';

let cert: SelfSignedCert;
beforeAll(async () => {
  cert = await testCert();
});
afterAll(async () => {
  await cert?.dispose();
});

const deadline = (ms = 15_000) => AbortSignal.timeout(ms);
const byName = (sensors: SensorReading[]) => Object.fromEntries(sensors.map((s) => [s.name, s]));

async function withSim<T>(opts: Parameters<typeof startSim>[1], fn: (s: RunningSim) => Promise<T>): Promise<T> {
  const s = await startSim(cert, opts);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** Catches the rejection of `p` and checks it is a RedfishError with neither the password nor the user name in its message. */
async function failure(p: Promise<unknown>): Promise<RedfishError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RedfishError);
  const text = `${(err as Error).message} ${String((err as Error).stack)}`;
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(USER);
  return err as RedfishError;
}

describe.each(['legacy', 'subsystems'] as const)('the %s schema generation', (generation) => {
  it('reads the same sensors, PSUs and power figures from the same model', async () => {
    await withSim({ generation }, async ({ client, model, sim }) => {
      const c = client();
      const s = await c.discover(deadline());
      expect(s.uuid).toBe(model.definition.guid);
      expect(s.managers[0]?.firmwareVersion).toBe('2.47');
      expect(s.chassis).toHaveLength(1);
      expect(s.logServices.map((l) => l.entries)).toEqual(['/redfish/v1/Managers/bmc/LogServices/SEL/Entries']);
      const r = await readChassis(c, s.chassis[0]!, deadline());
      expect(r.generation).toBe(generation);
      expect(r.errors).toEqual([]);
      expect(r.powerState).toBe('On');
      expect(r.intrusion).toBe('Normal');
      const sensors = byName(r.sensors);
      expect(sensors['CPU1 Temp']).toMatchObject({
        kind: 'temperature',
        reading: 45,
        units: 'Cel',
        physicalContext: 'CPU',
        thresholds: { upperCaution: 85, upperCritical: 90, upperFatal: 95 },
      });
      expect(sensors['Inlet Temp']).toMatchObject({ reading: 22, physicalContext: 'Intake' });
      expect(sensors['Exhaust Temp']).toMatchObject({ reading: 35, physicalContext: 'Exhaust' });
      // FAN1 is 5520 in the profile; 5516 is the nearest step of its IPMI conversion, which both protocols report.
      expect(sensors['FAN1']).toMatchObject({ kind: 'fan', reading: 5516, units: 'RPM', thresholds: { lowerCaution: 1008, lowerCritical: 588 } });
      expect(sensors['12V']?.kind).toBe('voltage');
      expect(sensors['12V']?.reading).toBeCloseTo(12, 1);
      expect(r.powerSupplies.map((p) => [p.name, p.status.state, p.status.health])).toEqual([
        ['PSU1', 'Enabled', 'OK'],
        ['PSU2', 'Enabled', 'OK'],
      ]);
      // 196 W and 204 W in the profile, within half a step of the PSU sensors' IPMI conversion.
      const step = resolution(model.sensor('PSU1 Input Power').linear!);
      expect(Math.abs(r.powerSupplies[0]!.inputWatts! - 196)).toBeLessThanOrEqual(step / 2);
      expect(Math.abs(r.powerSupplies[1]!.inputWatts! - 204)).toBeLessThanOrEqual(step / 2);
      const dcmi = model.dcmiPower!.powerWatts;
      expect(r.power).toMatchObject({ consumedWatts: dcmi.current, minWatts: dcmi.min, maxWatts: dcmi.max, averageWatts: dcmi.average });
      expect(r.power?.intervalSeconds).toBe(generation === 'legacy' ? 60 : (model.dcmiPower!.periodSeconds ?? 60));

      // A change in the model shows on the next read; the structure is not read again.
      model.setSensorValue('CPU1 Temp', 91);
      model.setChassis({ intrusion: true, coolingFault: true });
      const chassisReads = sim.counters.byPath['/redfish/v1/Chassis'];
      const r2 = await readChassis(c, (await c.discover(deadline())).chassis[0]!, deadline());
      expect(byName(r2.sensors)['CPU1 Temp']).toMatchObject({ reading: 91, status: { health: 'Critical' } });
      expect(r2.intrusion).toBe('HardwareIntrusion');
      expect(r2.thermalStatus?.health).toBe('Critical');
      expect(r2.status.health).toBe('Critical');
      expect(sim.counters.byPath['/redfish/v1/Chassis']).toBe(chassisReads);
      expect(c.stats.logins).toBe(1);
      expect(sim.counters.sessionsCreated).toBe(1);
    });
  });
});

describe('sessions', () => {
  it('logs in once, sends X-Auth-Token on every request and DELETEs the session on close', async () => {
    await withSim({}, async ({ client, sim }) => {
      const c = client();
      const s = await c.discover(deadline());
      for (let i = 0; i < 3; i++) await readChassis(c, s.chassis[0]!, deadline());
      expect(c.authMode).toBe('session');
      expect(sim.counters.sessionsCreated).toBe(1);
      expect(sim.counters.basicAuthRequests).toBe(0);
      expect(sim.openSessions).toBe(1);
      await c.close();
      expect(sim.openSessions).toBe(0);
      expect(sim.counters.sessionsDeleted).toBe(1);
    });
  });

  it('logs in again once when the BMC drops the session (401), then carries on', async () => {
    await withSim({ faults: { unauthorizedAfter: 4 } }, async ({ client, sim }) => {
      const c = client();
      const s = await c.discover(deadline());
      const r = await readChassis(c, s.chassis[0]!, deadline());
      expect(r.errors).toEqual([]);
      expect(r.sensors.length).toBeGreaterThan(10);
      expect(c.stats.logins).toBeGreaterThanOrEqual(2);
      expect(sim.counters.sessionsCreated).toBe(c.stats.logins);
    });
  });

  it('a wrong password is an authentication error that names neither user nor password', async () => {
    await withSim({}, async ({ client, sim }) => {
      const err = await failure(client({ password: 'not-the-password' }).discover(deadline()));
      expect(err).toBeInstanceOf(RedfishAuthenticationError);
      expect(err.code).toBe('REDFISH_AUTH_FAILED');
      expect(err.message).not.toContain('not-the-password');
      expect(sim.counters.loginsRefused).toBe(1);
    });
  });

  it('uses Basic auth on a BMC without SessionService', async () => {
    await withSim({ sessionService: false }, async ({ client, sim }) => {
      const c = client();
      const s = await c.discover(deadline());
      const r = await readChassis(c, s.chassis[0]!, deadline());
      expect(r.sensors.length).toBeGreaterThan(10);
      expect(c.authMode).toBe('basic');
      expect(sim.counters.sessionsCreated).toBe(0);
      expect(sim.counters.basicAuthRequests).toBe(c.stats.requests - 1); // all but the unauthenticated service root
      const bad = await failure(client({ password: 'wrong' }).discover(deadline()));
      expect(bad).toBeInstanceOf(RedfishAuthenticationError);
    });
  });

  it('a full session table is a temporary session error; a freed slot lets the next login in', async () => {
    await withSim({ sessionLimit: 2 }, async ({ client, sim }) => {
      const a = client();
      await a.discover(deadline());
      await client().discover(deadline());
      const third = client();
      const err = await failure(third.discover(deadline()));
      expect(err).toBeInstanceOf(RedfishSessionError);
      expect((err as RedfishSessionError).status).toBe(503);
      expect(err.temporary).toBe(true);
      await a.close();
      await third.discover(deadline());
      expect(sim.openSessions).toBe(2);
    });
  });

  it('a bounded pool closes the least recently used client, which frees its BMC session', async () => {
    await withSim({}, async ({ sim }) => {
      const pool = new RedfishClientPool(2);
      const opts = () => ({ origin: sim.origin, username: USER, password: PASSWORD, tls: { ca: readFileSync(cert.caFile) } });
      await pool.get('a', opts).discover(deadline());
      await pool.get('b', opts).discover(deadline());
      await pool.get('a', opts).discover(deadline()); // a is now the most recent
      await pool.get('c', opts).discover(deadline()); // b goes
      expect(pool.size).toBe(2);
      await pool.settled();
      expect(sim.counters.sessionsDeleted).toBe(1);
      await pool.close();
      expect(sim.openSessions).toBe(0);
    });
  });
});

describe('TLS', () => {
  it('verifies the certificate by default: without the CA file the connection is refused', async () => {
    await withSim({}, async ({ client, sim }) => {
      const err = await failure(client({ tls: {} }).discover(deadline()));
      expect(err).toBeInstanceOf(RedfishTlsError);
      expect((err as RedfishTlsError).tlsCode).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
      expect(sim.counters.requests).toBe(0);
    });
  });

  it('insecureSkipVerify is the explicit opt-out', async () => {
    await withSim({}, async ({ client }) => {
      const s = await client({ tls: { insecureSkipVerify: true } }).discover(deadline());
      expect(s.chassis).toHaveLength(1);
    });
  });

  it('a certificate for another name is refused even with the right CA', async () => {
    await withSim({}, async ({ client }) => {
      const err = await failure(client({ tls: { ca: readFileSync(cert.caFile), serverName: 'other.example' } }).discover(deadline()));
      expect(err).toBeInstanceOf(RedfishTlsError);
      expect((err as RedfishTlsError).tlsCode).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    });
  });
});

describe('faults', () => {
  it('slow answers: the deadline ends the request with a timeout error, in time', async () => {
    await withSim({ faults: { delayMs: 5_000 } }, async ({ client }) => {
      const started = performance.now();
      const err = await failure(client().discover(AbortSignal.timeout(500)));
      expect(err).toBeInstanceOf(RedfishTimeoutError);
      expect(err.temporary).toBe(true);
      // Generous bound on a loaded machine: far below the 5 s the BMC would take.
      expect(performance.now() - started).toBeLessThan(3_000);
    });
  });

  it('503: a temporary HTTP error with its status', async () => {
    await withSim({ faults: { unavailable: true } }, async ({ client }) => {
      const err = await failure(client().discover(deadline()));
      expect(err).toBeInstanceOf(RedfishHttpError);
      expect(err).toMatchObject({ status: 503, temporary: true, code: 'REDFISH_HTTP_STATUS' });
    });
  });

  it('malformed JSON in one document: a partial read with the reason, the rest still read', async () => {
    await withSim({ generation: 'legacy', faults: { malformedPaths: ['/redfish/v1/Chassis/1/Thermal'] } }, async ({ client }) => {
      const c = client();
      const r = await readChassis(c, (await c.discover(deadline())).chassis[0]!, deadline());
      expect(r.errors.map((e) => e.code)).toEqual(['REDFISH_MALFORMED']);
      expect(r.errors[0]!.message).toContain('/redfish/v1/Chassis/1/Thermal');
      expect(r.sensors.filter((s) => s.kind === 'temperature')).toEqual([]);
      expect(r.sensors.filter((s) => s.kind === 'voltage').length).toBe(5);
      expect(r.powerSupplies).toHaveLength(2);
    });
  });

  it('a truncated body: a connection error for that document, the rest still read', async () => {
    await withSim({ generation: 'legacy', faults: { truncatePaths: ['/redfish/v1/Chassis/1/Power'] } }, async ({ client }) => {
      const c = client();
      const r = await readChassis(c, (await c.discover(deadline())).chassis[0]!, deadline());
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toBeInstanceOf(RedfishConnectionError);
      expect(r.sensors.filter((s) => s.kind === 'temperature').length).toBe(4);
    });
  });

  it('a huge collection stops at the body cap (REDFISH_BODY_TOO_LARGE), not at the end of memory', async () => {
    await withSim({ generation: 'subsystems', faults: { hugeCollection: 50_000 } }, async ({ client }) => {
      const c = client({ maxBodyBytes: 1024 * 1024 });
      const s = await c.discover(deadline());
      // The listing itself passes the cap: discovery notes it and goes on.
      expect(s.problems.map((e) => e.code)).toEqual(['REDFISH_BODY_TOO_LARGE']);
      expect(s.chassis[0]!.sensorPaths).toEqual([]);
      const r = await readChassis(c, s.chassis[0]!, deadline());
      expect(r.errors.map((e) => e.code)).toContain('REDFISH_BODY_TOO_LARGE');
      expect(r.errors.find((e) => e instanceof RedfishBodyTooLargeError)?.message).toContain('1048576');
      expect(r.powerSupplies).toHaveLength(2);
    });
  });
});

describe('log entries', () => {
  it('reads a 30,000-entry log incrementally: pages under a budget, then only what is new', async () => {
    await withSim({ faults: { extraLogEntries: 30_000 } }, async ({ client, model, sim }) => {
      const c = client();
      const svc = (await c.discover(deadline())).logServices[0]!;
      let cursor = INITIAL_CURSOR;
      let read = 0;
      let calls = 0;
      for (;;) {
        const r = await readLogEntries(c, svc, cursor, deadline(), { pageSize: 1000, maxPages: 5 });
        calls++;
        expect(r.entries.length).toBeLessThanOrEqual(5000);
        read += r.entries.length;
        cursor = r.cursor;
        if (!r.more) break;
      }
      const total = 30_000 + model.sel.count;
      expect(read).toBe(total);
      expect(calls).toBe(Math.ceil(total / 5000));
      // Nothing new: one request, no entries.
      const before = sim.counters.byPath['/redfish/v1/Managers/bmc/LogServices/SEL/Entries']!;
      const idle = await readLogEntries(c, svc, cursor, deadline());
      expect(idle.entries).toEqual([]);
      expect(sim.counters.byPath['/redfish/v1/Managers/bmc/LogServices/SEL/Entries']).toBe(before + 1);
      // A new SEL event is the one entry the next read returns, decoded.
      model.addSelEvent({ sensorType: 'temperature', sensorNumber: 1, eventType: 0x01, data: [0x59, 95, 90] });
      const fresh = await readLogEntries(c, svc, idle.cursor, deadline());
      expect(fresh.entries).toHaveLength(1);
      expect(fresh.entries[0]).toMatchObject({ entryType: 'SEL', sensorType: 'Temperature', sensorNumber: 1, entryCode: 'Assert', severity: 'Critical' });
      expect(fresh.reset).toBe(false);
    });
  });

  it('notices a cleared log and starts again from the oldest entry', async () => {
    await withSim({}, async ({ client, model }) => {
      const c = client();
      const svc = (await c.discover(deadline())).logServices[0]!;
      const first = await readLogEntries(c, svc, INITIAL_CURSOR, deadline());
      expect(first.entries.length).toBe(model.sel.count);
      model.clearSel();
      model.addSelEvent({ sensorType: 'memory', sensorNumber: 96, eventType: 0x6f, data: [0x00, 0xff, 0xff] });
      const after = await readLogEntries(c, svc, first.cursor, deadline());
      expect(after.reset).toBe(true);
      expect(after.entries.map((e) => e.sensorType)).toEqual(['Memory']);
    });
  });

  it('a log service that ignores $skip is refused rather than counted again on every read', async () => {
    await withSim({ faults: { ignoreSkip: true } }, async ({ client, model }) => {
      const c = client();
      const svc = (await c.discover(deadline())).logServices[0]!;
      const first = await readLogEntries(c, svc, INITIAL_CURSOR, deadline());
      expect(first.entries.length).toBe(model.sel.count);
      model.addSelEvent({ sensorType: 'memory', sensorNumber: 96, eventType: 0x6f, data: [0x00, 0xff, 0xff] });
      const err = await failure(readLogEntries(c, svc, first.cursor, deadline()));
      expect(err.code).toBe('REDFISH_MALFORMED');
      expect(err.message).toContain('ignores $skip');
    });
  });

  it('a log service that ignores $top and sends everything hits the body cap', async () => {
    await withSim({ faults: { extraLogEntries: 30_000, ignoreTop: true } }, async ({ client }) => {
      const c = client({ maxBodyBytes: 2 * 1024 * 1024 });
      const svc = (await c.discover(deadline())).logServices[0]!;
      const err = await failure(readLogEntries(c, svc, INITIAL_CURSOR, deadline()));
      expect(err).toBeInstanceOf(RedfishBodyTooLargeError);
    });
  });
});

describe('client construction', () => {
  it('refuses credentials in the URL and anything but https, without echoing them', () => {
    expect(() => new RedfishClient({ origin: `https://${USER}:${PASSWORD}@127.0.0.1`, username: USER, password: PASSWORD })).toThrow(/credentials belong/);
    expect(() => new RedfishClient({ origin: 'http://127.0.0.1', username: USER, password: PASSWORD })).toThrow(/only over TLS/);
    expect(() => new RedfishClient({ origin: 'ftp://127.0.0.1', username: USER, password: PASSWORD })).toThrow(/not https/);
    const thrown = (fn: () => unknown): Error => {
      try {
        fn();
      } catch (err) {
        return err as Error;
      }
      throw new Error('did not throw');
    };
    expect(thrown(() => new RedfishClient({ origin: `https://${USER}:${PASSWORD}@127.0.0.1`, username: USER, password: PASSWORD })).message).not.toContain(
      PASSWORD,
    );
  });
});
