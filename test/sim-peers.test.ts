// The simulated BMC with its whole model (packages/bmc-sim), as real clients
// see it: ipmitool over RMCP+ suites 3 and 17 and over IPMI 1.5 prints the
// configured device, GUID, chassis, sensors, SEL, FRU and DCMI power — the
// same values our own client reads. Suite 17 is the interoperability proof
// ipmi_sim cannot give. Then our client reads every built-in profile over UDP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  BmcClient,
  dcmiGetPowerReading,
  formatFirmware,
  formatGuidAsIpmitool,
  getChassisStatus,
  getDeviceId,
  getSystemGuid,
  readSdrRepository,
  readSelEntries,
  readSensor,
  sensorsFromSdr,
  UnsupportedCipherSuiteError,
  type BmcClientOptions,
} from '@bmc-exporter/ipmi';
import { startFleet, type Fleet } from '@bmc-exporter/bmc-sim';
import {
  parseChassisStatus,
  parseKeyValues,
  parseMcGuid,
  parseMcInfo,
  parseSdrElist,
  parseSelElist,
  parseSensorList,
  runIpmitool,
  type IpmitoolOptions,
} from './peers/ipmitool.js';

const USERS = [
  { name: 'admin', password: 'admin-secret', maxPrivilege: 'administrator' as const },
  { name: 'viewer', password: 'viewer-secret', maxPrivilege: 'user' as const },
];
const ipmitoolUsers = {
  admin: { username: 'admin', password: 'admin-secret' },
  user: { username: 'viewer', password: 'viewer-secret' },
};

const fleets: Fleet[] = [];
afterAll(async () => {
  await Promise.all(fleets.map((f) => f.close()));
});

async function oneBmc(profile: string, baseAddress: string): Promise<Fleet> {
  const f = await startFleet({ count: 1, profile, baseAddress, seed: 11, users: USERS });
  fleets.push(f);
  return f;
}

const clients: BmcClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});
function client(f: Fleet, o: Partial<BmcClientOptions> = {}): BmcClient {
  const c = new BmcClient({ host: f.endpoints[0]!.address, username: 'admin', password: 'admin-secret', ...o });
  clients.push(c);
  return c;
}
const deadline = () => AbortSignal.timeout(15_000);

describe('ipmitool against the full simulated BMC (profile server-2s)', () => {
  let fleet: Fleet;
  let ours: Awaited<ReturnType<typeof readEverything>>;
  const target = () => ({ host: fleet.endpoints[0]!.address, port: 623, users: ipmitoolUsers });

  async function readEverything(c: BmcClient) {
    const signal = deadline();
    const device = await c.execute(getDeviceId, undefined, { signal });
    const guid = await c.execute(getSystemGuid, undefined, { signal });
    const chassis = await c.execute(getChassisStatus, undefined, { signal });
    const { records } = await readSdrRepository(c.execute, { signal });
    const sensors = [];
    for (const d of sensorsFromSdr(records)) sensors.push({ d, r: await readSensor(c.execute, d, { signal }) });
    const sel = await readSelEntries(c.execute, { signal });
    const power = await c.execute(dcmiGetPowerReading, {}, { signal });
    return { device, guid, chassis, sensors, sel, power };
  }

  beforeAll(async () => {
    fleet = await oneBmc('server-2s', '127.3.0.1');
    ours = await readEverything(client(fleet, { cipherSuites: [17] }));
  });

  const sessions: Array<[string, IpmitoolOptions]> = [
    ['lanplus -C 3', { interface: 'lanplus', cipherSuite: 3 }],
    ['lanplus -C 17', { interface: 'lanplus', cipherSuite: 17 }],
    ['lan -A MD5 (IPMI 1.5)', { interface: 'lan', authType: 'MD5' }],
  ];

  it.each(sessions)('%s: mc info, mc guid and chassis status print what the BMC holds', async (_name, o) => {
    const mc = parseMcInfo(await runIpmitool(target(), ['mc', 'info'], o));
    expect(mc).toMatchObject({
      deviceId: ours.device.deviceId,
      firmwareRevision: formatFirmware(ours.device),
      manufacturerId: ours.device.manufacturerId,
      productId: ours.device.productId,
    });
    const def = fleet.bmcs[0]!.model.definition;
    expect(formatFirmware(ours.device)).toBe(def.device.firmware);
    expect(parseMcGuid(await runIpmitool(target(), ['mc', 'guid'], o))).toBe(formatGuidAsIpmitool(ours.guid.guid));
    const chassis = parseChassisStatus(await runIpmitool(target(), ['chassis', 'status'], o));
    expect(chassis).toMatchObject({
      powerOn: ours.chassis.poweredOn,
      intrusion: ours.chassis.intrusion,
      powerFault: ours.chassis.powerFault,
      coolingFault: ours.chassis.coolingFault,
      driveFault: ours.chassis.driveFault,
    });
    expect(chassis.powerOn).toBe(def.chassis?.poweredOn ?? true);
  });

  it.each(sessions)('%s: every sensor ipmitool lists has our value and state', async (_name, o) => {
    const theirs = parseSensorList(await runIpmitool(target(), ['sensor', 'list'], o));
    expect(theirs.length).toBeGreaterThanOrEqual(20);
    const status = { ok: 'ok', 'non-critical': 'nc', critical: 'cr', 'non-recoverable': 'nr' } as Record<string, string>;
    for (const t of theirs) {
      const s = ours.sensors.find((x) => x.d.name === t.name);
      expect(s, t.name).toBeDefined();
      if (t.reading === null) {
        expect(s!.r.value, t.name).toBeNull();
      } else {
        expect(s!.r.value, t.name).toBeCloseTo(t.reading, 3);
        expect(status[s!.r.state], t.name).toBe(t.status);
      }
    }
    // The PSU wattage sensors are typed "Other Units" (0x0B) yet read in watts.
    const psu = ours.sensors.filter((s) => s.d.entityId === 0x0a && s.d.unit === 'watts');
    expect(psu.map((s) => s.d.sensorType)).toEqual([0x0b, 0x0b]);
  });

  it.each(sessions)('%s: sdr elist names every sensor with our number, entity and reading', async (_name, o) => {
    const rows = parseSdrElist(await runIpmitool(target(), ['sdr', 'elist'], o));
    // sdr elist shows full and compact sensor records; event-only ones ("Power Unit") have no reading.
    const listed = ours.sensors.filter((s) => s.d.recordKind !== 'event-only');
    expect(listed.length).toBeLessThan(ours.sensors.length);
    expect(rows.map((r) => r.name).sort()).toEqual(listed.map((s) => s.d.name).sort());
    for (const row of rows) {
      const s = ours.sensors.find((x) => x.d.name === row.name)!;
      expect(row.number, row.name).toBe(s.d.number);
      expect(row.entity, row.name).toEqual({ id: s.d.entityId, instance: s.d.entityInstance });
      // sdr elist rounds to ipmitool's display precision (two decimals at most).
      if (row.reading !== null) expect(s.r.value!, row.name).toBeCloseTo(row.reading, 1);
    }
  });

  it.each(sessions)('%s: sel elist lists the entries we read, in order', async (_name, o) => {
    const theirs = parseSelElist(await runIpmitool(target(), ['sel', 'elist'], o));
    expect(theirs.map((r) => r.id)).toEqual(ours.sel.records.map((r) => r.recordId));
    expect(theirs.map((r) => r.description)).toEqual(['Correctable ECC', 'Power Supply AC lost']);
  });

  it.each(sessions)('%s: fru print shows the configured board and product', async (_name, o) => {
    const kv = parseKeyValues(await runIpmitool(target(), ['fru', 'print', '0'], o));
    const fru = fleet.bmcs[0]!.model.definition.fru!;
    expect(kv.get('Board Mfg')).toBe(fru.board!.manufacturer);
    expect(kv.get('Board Product')).toBe(fru.board!.productName);
    expect(kv.get('Board Serial')).toBe(fru.board!.serialNumber);
    expect(kv.get('Product Name')).toBe(fru.product!.productName);
    expect(kv.get('Product Serial')).toBe(fru.product!.serialNumber);
  });

  it.each(sessions)('%s: dcmi power reading shows the configured power', async (_name, o) => {
    const text = await runIpmitool(target(), ['dcmi', 'power', 'reading'], o);
    const watts = (label: string) => Number(new RegExp(`${label}:\\s+(\\d+) Watts`).exec(text)?.[1]);
    expect(watts('Instantaneous power reading')).toBe(ours.power.currentWatts);
    expect(watts('Minimum during sampling period')).toBe(ours.power.minimumWatts);
    expect(watts('Maximum during sampling period')).toBe(ours.power.maximumWatts);
    expect(watts('Average power reading over sample period')).toBe(ours.power.averageWatts);
    expect(text).toMatch(/Power reading state is:\s+activated/);
  });

  it('our client picked suite 17 by itself (discovery, 17 preferred)', async () => {
    const c = client(fleet);
    expect(await c.open({ signal: deadline() })).toMatchObject({ ipmiVersion: '2.0', cipherSuite: 17 });
  });

  it('a USER-only account asking for administrator is refused: AuthenticationError(privilege-refused)', async () => {
    const c = client(fleet, { username: 'viewer', password: 'viewer-secret', privilege: 'administrator' });
    const err = await c.open({ signal: deadline() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).reason).toBe('privilege-refused');
  });
});

describe('our client reads every built-in profile over UDP', () => {
  it('gpu-server: more than 100 SDR records, every present sensor read, the absent one is unavailable (not an error)', async () => {
    const f = await oneBmc('gpu-server', '127.3.1.1');
    const c = client(f);
    const signal = deadline();
    const { records } = await readSdrRepository(c.execute, { signal });
    expect(records.length).toBeGreaterThan(100);
    const sensors = sensorsFromSdr(records);
    const def = f.bmcs[0]!.model.definition;
    expect(sensors.map((s) => s.name).sort()).toEqual(def.sensors.map((s) => s.name).sort());
    for (const d of sensors) {
      const r = await readSensor(c.execute, d, { signal });
      const want = def.sensors.find((s) => s.name === d.name)!;
      if (want.present === false) expect(r.state, d.name).toBe('unavailable');
      else if (typeof want.value === 'number') expect(Math.abs(r.value! - want.value), d.name).toBeLessThanOrEqual(Math.abs(want.value) * 0.02 + 1);
    }
  });

  it('minimal: no PSU wattage sensor, DCMI power is the only power source', async () => {
    const f = await oneBmc('minimal', '127.3.2.1');
    const c = client(f);
    const { records } = await readSdrRepository(c.execute, { signal: deadline() });
    expect(sensorsFromSdr(records).filter((s) => s.entityId === 0x0a && s.unit === 'watts')).toEqual([]);
    const power = await c.execute(dcmiGetPowerReading, {}, { signal: deadline() });
    const dcmi = f.bmcs[0]!.model.definition.dcmi;
    expect(dcmi && typeof dcmi === 'object').toBe(true);
    expect(power.currentWatts).toBe((dcmi as { powerWatts: { current: number } }).powerWatts.current);
  });

  it('legacy-15: an automatic client falls back to IPMI 1.5', async () => {
    const f = await oneBmc('legacy-15', '127.3.3.1');
    const c = client(f);
    expect(await c.open({ signal: deadline() })).toMatchObject({ ipmiVersion: '1.5', authType: 'md5' });
    expect((await c.execute(getDeviceId, undefined, { signal: deadline() })).ipmiVersion).toBe('1.5');
  });

  it('suite17-only: an automatic client uses 17; one pinned to suite 3 gets UnsupportedCipherSuiteError', async () => {
    const f = await oneBmc('suite17-only', '127.3.4.1');
    expect(await client(f).open({ signal: deadline() })).toMatchObject({ ipmiVersion: '2.0', cipherSuite: 17 });
    const err = await client(f, { cipherSuites: [3] })
      .open({ signal: deadline() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedCipherSuiteError);
  });
});
