// Real Redfish clients we did not write read the simulated BMC's Redfish
// service, and what they print is compared with what our client reads from
// the same BMC in the same run: DMTF's redfishtool (Debian package
// redfishtool) and OpenStack's sushy (python3-sushy), as ipmitool proves the
// IPMI side. Both must be installed (scripts/ensure-test-deps.mjs); a missing
// peer fails these tests.
import { spawn } from 'node:child_process';
import type { SelfSignedCert } from '@bmc-exporter/bmc-sim';
import { INITIAL_CURSOR, readChassis, readLogEntries, type ChassisReadings, type RedfishClient, type RedfishStructure } from '@bmc-exporter/redfish';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startSim, testCert, USER, type RunningSim } from './redfish/sim-redfish.js';

/** Debian's interpreter: python3-sushy is installed for it, not for whatever python3 is first on PATH. */
const PYTHON = '/usr/bin/python3';

let cert: SelfSignedCert;
let s: RunningSim;
let ours: RedfishClient;
let structure: RedfishStructure;
let legacy: ChassisReadings;
let current: ChassisReadings;

beforeAll(async () => {
  cert = await testCert();
  s = await startSim(cert, { generation: 'both' });
  s.model.addSelEvent({ sensorType: 'fan', sensorNumber: 16, eventType: 0x01, data: [0x52, 0x10, 0x15] });
  ours = s.client();
  structure = await ours.discover(AbortSignal.timeout(15_000));
  legacy = await readChassis(ours, structure.chassis[0]!, AbortSignal.timeout(15_000), 'legacy');
  current = await readChassis(ours, structure.chassis[0]!, AbortSignal.timeout(15_000), 'subsystems');
});
afterAll(async () => {
  await s?.close();
  await cert?.dispose();
});

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} could not be run (${e.message}); install it (scripts/ensure-test-deps.mjs)`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} exited ${code}: ${err.slice(-2000)}`));
    });
  });
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** redfishtool over HTTPS with a session; it does not verify certificates (requests' verify=False, hard-coded). */
async function redfishtool(...args: string[]): Promise<Json> {
  const out = await run('redfishtool', ['-r', `127.0.0.1:${s.sim.port}`, '-S', 'Always', '-A', 'Session', '-u', USER, '-p', PASSWORD, ...args]);
  return JSON.parse(out) as Json;
}

/** A sushy script; REQUESTS_CA_BUNDLE is the simulator's CA file, since requests lets that variable override sushy's verify=. */
async function sushy(body: string): Promise<Json> {
  const script = [
    'import json, sys, sushy',
    'from sushy import auth',
    `root = sushy.Sushy(sys.argv[1] + '/redfish/v1', verify=sys.argv[2], auth=auth.SessionAuth(sys.argv[3], sys.argv[4]))`,
    'out = {}',
    "v = lambda x: str(getattr(x, 'value', x))",
    body,
    'print(json.dumps(out))',
  ].join('\n');
  const stdout = await run(PYTHON, ['-c', script, s.sim.origin, cert.caFile, USER, PASSWORD], { REQUESTS_CA_BUNDLE: cert.caFile, CURL_CA_BUNDLE: cert.caFile });
  return JSON.parse(stdout) as Json;
}

const named = (r: ChassisReadings, kind: string) => r.sensors.filter((x) => x.kind === kind);

describe('redfishtool (DMTF) reads the simulator', () => {
  it('service root: the UUID our client takes as the BMC GUID', async () => {
    const root = await redfishtool('root');
    expect(root.UUID).toBe(s.model.definition.guid);
    expect(root.UUID).toBe(structure.uuid);
    expect(root.RedfishVersion).toBe(structure.redfishVersion);
  });

  it('Chassis Thermal: temperatures and fans as our client reads them', async () => {
    const thermal = await redfishtool('Chassis', '-1', 'Thermal');
    const theirs = [
      ...thermal.Temperatures.map((t: Json) => [t.Name, t.ReadingCelsius, t.UpperThresholdCritical ?? null]),
      ...thermal.Fans.map((f: Json) => [f.Name, f.Reading, null]),
    ];
    const mine = [...named(legacy, 'temperature'), ...named(legacy, 'fan')].map((x) => [x.name, x.reading, x.thresholds.upperCritical ?? null]);
    expect(mine).toEqual(theirs);
    expect(mine.length).toBe(10);
  });

  it('Chassis Power: power control, voltages and PSUs as our client reads them', async () => {
    const power = await redfishtool('Chassis', '-1', 'Power');
    const pc = power.PowerControl[0];
    expect([legacy.power?.consumedWatts, legacy.power?.minWatts, legacy.power?.maxWatts, legacy.power?.averageWatts]).toEqual([
      pc.PowerConsumedWatts,
      pc.PowerMetrics.MinConsumedWatts,
      pc.PowerMetrics.MaxConsumedWatts,
      pc.PowerMetrics.AverageConsumedWatts,
    ]);
    expect(named(legacy, 'voltage').map((v) => [v.name, v.reading])).toEqual(power.Voltages.map((v: Json) => [v.Name, v.ReadingVolts]));
    expect(legacy.powerSupplies.map((p) => [p.name, p.inputWatts, p.status.health])).toEqual(
      power.PowerSupplies.map((p: Json) => [p.Name, p.PowerInputWatts, p.Status.Health]),
    );
  });

  it('Systems: the power state our client reads from the chassis', async () => {
    const sys = await redfishtool('Systems', '-1');
    expect(sys.PowerState).toBe(legacy.powerState);
    expect(sys.UUID).toBe(structure.uuid);
  });

  it('Managers Logs -E: the SEL entries our client reads, in the same order', async () => {
    const log = await redfishtool('Managers', '-1', 'Logs', '-i', 'SEL', '-E');
    const mine = await readLogEntries(ours, structure.logServices[0]!, INITIAL_CURSOR, AbortSignal.timeout(15_000));
    expect(mine.entries.length).toBe(3);
    expect(mine.entries.map((e) => [e.id, e.entryType, e.severity, e.sensorType, e.sensorNumber, e.message])).toEqual(
      log.Members.map((m: Json) => [m.Id, m.EntryType, m.Severity, m.SensorType, m.SensorNumber, m.Message]),
    );
    expect(mine.entries[2]).toMatchObject({ sensorType: 'Fan', sensorNumber: 16, severity: 'Critical' });
  });

  it('the current generation: each Sensor resource as our client reads it expanded', async () => {
    for (const id of ['CPU1_Temp', 'FAN1', 'PSU2_Input_Power', '12V']) {
      const doc = await redfishtool('raw', 'GET', `/redfish/v1/Chassis/1/Sensors/${id}`);
      const mine = current.sensors.find((x) => x.id === id)!;
      expect([mine.name, mine.reading, mine.units, mine.physicalContext, mine.thresholds.upperCritical ?? mine.thresholds.lowerCritical]).toEqual([
        doc.Name,
        doc.Reading,
        doc.ReadingUnits,
        doc.PhysicalContext,
        doc.Thresholds.UpperCritical?.Reading ?? doc.Thresholds.LowerCritical?.Reading,
      ]);
    }
  });
});

describe('sushy (OpenStack) reads the simulator', () => {
  it('chassis, thermal, PSUs, system and manager: the values our client reads', async () => {
    const got = await sushy(
      [
        "c = root.get_chassis('/redfish/v1/Chassis/1')",
        "out['power_state'] = v(c.power_state)",
        "out['intrusion'] = v(c.physical_security.intrusion_sensor)",
        "out['temps'] = [[t.name, t.reading_celsius, t.upper_threshold_critical, v(t.physical_context)] for t in c.thermal.temperatures]",
        "out['fans'] = [[f.name, f.reading] for f in c.thermal.fans]",
        "out['psus'] = [[p.name, v(p.status.health)] for p in c.power.power_supplies]",
        "sy = root.get_system('/redfish/v1/Systems/1')",
        "out['system'] = [v(sy.power_state), sy.uuid]",
        "out['firmware'] = root.get_manager('/redfish/v1/Managers/bmc').firmware_version",
        "out['sel'] = [[m['Id'], m['Severity'], m['SensorType']] for m in root._conn.get('/redfish/v1/Managers/bmc/LogServices/SEL/Entries').json()['Members']]",
      ].join('\n'),
    );
    expect(got.power_state.toLowerCase()).toBe(legacy.powerState?.toLowerCase());
    expect(got.intrusion).toBe(legacy.intrusion);
    expect(got.temps).toEqual(named(legacy, 'temperature').map((t) => [t.name, t.reading, t.thresholds.upperCritical, t.physicalContext]));
    expect(got.fans).toEqual(named(legacy, 'fan').map((f) => [f.name, f.reading]));
    expect(got.psus).toEqual(legacy.powerSupplies.map((p) => [p.name, p.status.health]));
    expect(got.system).toEqual([legacy.powerState, structure.uuid]);
    expect(got.firmware).toBe(structure.managers[0]?.firmwareVersion);
    const mine = await readLogEntries(ours, structure.logServices[0]!, INITIAL_CURSOR, AbortSignal.timeout(15_000));
    expect(got.sel).toEqual(mine.entries.map((e) => [e.id, e.severity, e.sensorType]));
  });

  it('sushy refuses the simulator without its CA file: the certificate is really checked', async () => {
    await expect(
      run(
        PYTHON,
        ['-c', "import sys, sushy\nfrom sushy import auth\nsushy.Sushy(sys.argv[1] + '/redfish/v1', auth=auth.SessionAuth('x', 'y'))", s.sim.origin],
        {
          REQUESTS_CA_BUNDLE: '/etc/ssl/certs/ca-certificates.crt',
          CURL_CA_BUNDLE: '/etc/ssl/certs/ca-certificates.crt',
        },
      ),
    ).rejects.toThrow(/CERTIFICATE_VERIFY_FAILED/);
  });
});
