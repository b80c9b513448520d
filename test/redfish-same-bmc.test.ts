// One simulated BMC, two protocols: IPMI on 127.0.0.47:623 (read by
// ipmitool, a peer we did not write) and Redfish over HTTPS on
// 127.0.0.47:8443 (read by our client), both answering from the same model.
// Every analog sensor reads the same number through both, before and after the model changes, in both Redfish schema
// generations; the SEL has the same entries.
import { readFileSync } from 'node:fs';
import { PROFILES, RedfishSimServer, SimBmc, makeSelfSignedCert, type SelfSignedCert } from '@bmc-exporter/bmc-sim';
import { INITIAL_CURSOR, readChassis, readLogEntries, RedfishClient, type SensorReading } from '@bmc-exporter/redfish';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSelElist, parseSensorList, runIpmitool, type SensorListRow } from './peers/ipmitool.js';

const HOST = '127.0.0.47';
const REDFISH_PORT = 8443;
const users = {
  admin: { username: 'admin', password: 'same-bmc-secret' },
  user: { username: 'viewer', password: 'viewer-secret' },
};

let cert: SelfSignedCert;
let bmc: SimBmc;
let legacySim: RedfishSimServer;
let currentSim: RedfishSimServer;

beforeAll(async () => {
  cert = await makeSelfSignedCert([HOST]);
  bmc = new SimBmc({
    address: HOST,
    port: 623,
    definition: PROFILES['server-2s']!,
    users: [
      { name: users.admin.username, password: users.admin.password, maxPrivilege: 4 },
      { name: users.user.username, password: users.user.password, maxPrivilege: 2 },
    ],
    seed: 47,
  });
  await bmc.bind();
  const common = { address: HOST, model: () => bmc.model, users: [{ name: users.admin.username, password: users.admin.password }], tls: cert };
  legacySim = new RedfishSimServer({ ...common, port: REDFISH_PORT, generation: 'legacy' });
  await legacySim.listen();
  currentSim = new RedfishSimServer({ ...common, port: REDFISH_PORT + 1, generation: 'subsystems' });
  await currentSim.listen();
});
afterAll(async () => {
  await legacySim?.close();
  await currentSim?.close();
  await bmc?.close();
  await cert?.dispose();
});

/** The first word of a sensor type ("Power Supply" / "Power Supply PSU2 Status" -> "Power"). */
const row0 = (s: string | undefined) => (s ?? '').split(' ')[0];

const ipmiTarget = () => ({ host: HOST, port: 623, users });

async function viaRedfish(sim: RedfishSimServer): Promise<SensorReading[]> {
  const client = new RedfishClient({
    origin: sim.origin,
    username: users.admin.username,
    password: users.admin.password,
    tls: { ca: readFileSync(cert.caFile) },
  });
  try {
    const signal = AbortSignal.timeout(20_000);
    const s = await client.discover(signal);
    const r = await readChassis(client, s.chassis[0]!, signal);
    expect(r.errors).toEqual([]);
    return r.sensors;
  } finally {
    await client.close();
  }
}

function compare(ipmi: SensorListRow[], redfish: SensorReading[]): number {
  const byName = new Map(redfish.map((s) => [s.name, s]));
  let compared = 0;
  for (const row of ipmi) {
    if (row.reading === null && row.unit === 'discrete') continue;
    const r = byName.get(row.name);
    // Every analog sensor but the PSU input-power ones (those are PowerSupplies[].PowerInputWatts in the legacy generation).
    if (!r) continue;
    expect(r.reading, row.name).toBeCloseTo(row.reading!, 3);
    // ipmitool's `sensor list` thresholds come from Get Sensor Thresholds, which the simulator does not answer ("na"):
    // where it does print one, it must agree.
    for (const [ours, theirs] of [
      [r.thresholds.upperCritical, row.thresholds.ucr],
      [r.thresholds.lowerCritical, row.thresholds.lcr],
      [r.thresholds.upperCaution, row.thresholds.unc],
    ] as const) {
      if (theirs !== null) expect(ours, row.name).toBeCloseTo(theirs, 3);
    }
    compared++;
  }
  return compared;
}

describe('the same BMC through ipmitool and our Redfish client', () => {
  it('every analog sensor: the same reading, in both schema generations', async () => {
    const ipmi = parseSensorList(await runIpmitool(ipmiTarget(), ['sensor', 'list'], { cipherSuite: 17 }));
    expect(compare(ipmi, await viaRedfish(legacySim))).toBe(15); // 4 temperatures, 6 fans, 5 voltages
    expect(compare(ipmi, await viaRedfish(currentSim))).toBe(17); // and the two PSU power sensors
  });

  it('a change to the model reads the same through both', async () => {
    bmc.model.setSensorValue('CPU2 Temp', 88);
    bmc.model.setSensorValue('FAN3', 900);
    const ipmi = parseSensorList(await runIpmitool(ipmiTarget(), ['sensor', 'list'], { cipherSuite: 17 }));
    const cpu2 = ipmi.find((r) => r.name === 'CPU2 Temp')!;
    expect(cpu2.reading).toBe(88);
    expect(compare(ipmi, await viaRedfish(currentSim))).toBe(17);
    const fan3 = (await viaRedfish(legacySim)).find((s) => s.name === 'FAN3')!;
    expect(fan3.reading).toBeCloseTo(ipmi.find((r) => r.name === 'FAN3')!.reading!, 3);
    expect(fan3.status.health).toBe('Warning'); // below its lower non-critical threshold
  });

  it('the SEL: the same entries, in the same order, through both', async () => {
    bmc.model.addSelEvent({ sensorType: 'temperature', sensorNumber: 2, eventType: 0x01, data: [0x59, 91, 90] });
    const ipmi = parseSelElist(await runIpmitool(ipmiTarget(), ['sel', 'elist'], { cipherSuite: 17 }));
    const client = new RedfishClient({
      origin: legacySim.origin,
      username: users.admin.username,
      password: users.admin.password,
      tls: { ca: readFileSync(cert.caFile) },
    });
    try {
      const signal = AbortSignal.timeout(20_000);
      const log = await readLogEntries(client, (await client.discover(signal)).logServices[0]!, INITIAL_CURSOR, signal);
      expect(log.entries.map((e) => Number.parseInt(e.id, 10))).toEqual(ipmi.map((row) => row.id));
      // ipmitool prints the timestamp as MM/DD/YY and HH:MM:SS (UTC here: the test process has no TZ).
      const stamp = (ms: number) => {
        const d = new Date(ms);
        const two = (n: number) => String(n).padStart(2, '0');
        return [
          `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${two(d.getUTCFullYear() % 100)}`,
          `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`,
        ];
      };
      expect(log.entries.map((e) => stamp(e.createdMs!))).toEqual(ipmi.map((row) => [row.date, row.time]));
      expect(log.entries.map((e) => row0(e.sensorType))).toEqual(ipmi.map((row) => row0(row.sensor)));
      expect(log.entries.map((e) => (e.entryCode === 'Assert' ? 'Asserted' : 'Deasserted'))).toEqual(ipmi.map((row) => row.direction));
      expect(log.entries.at(-1)).toMatchObject({ sensorType: 'Temperature', sensorNumber: 2, severity: 'Critical' });
    } finally {
      await client.close();
    }
  });
});
