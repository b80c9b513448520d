// The `bmc-exporter probe` command, run as a user runs it (the built CLI in
// a child process) against a real BMC simulator (ipmi_sim), its output
// compared with what ipmitool reads from the same simulator.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIpmiSim, type IpmiSimHandle } from './peers/ipmi-sim.js';
import { parseChassisStatus, parseMcInfo, parseSelElist, parseSensorList, runIpmitool } from './peers/ipmitool.js';
import { SIM_SEL } from './peers/sim-model.js';

const CLI = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - start }));
  });
}

let sim: IpmiSimHandle;
let dir: string;
let passwordFile: string;

beforeAll(async () => {
  sim = await startIpmiSim({ address: '127.0.0.2' });
  dir = await mkdtemp(join(tmpdir(), 'probe-test-'));
  passwordFile = join(dir, 'password');
  await writeFile(passwordFile, `${sim.users.admin.password}\n`, { mode: 0o600 });
});

afterAll(async () => {
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('bmc-exporter probe against ipmi_sim', () => {
  it('--json prints every documented key with the values ipmitool reads', async () => {
    const run = await runCli(['probe', sim.host, '--username', sim.users.admin.username, '--password-file', passwordFile, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as Record<string, any>;
    for (const key of ['device', 'guid', 'ipmiVersion', 'cipherSuite', 'chassis', 'sensors', 'sel', 'dcmiPower']) {
      expect(out, key).toHaveProperty(key);
    }
    expect(out['ipmiVersion']).toBe('2.0');
    expect(out['cipherSuite']).toBe(3);
    expect(out['dcmiPower']).toBeNull(); // ipmi_sim has no DCMI: answered 0xC1, not an error
    expect(out['errors']).toEqual({});

    const mc = parseMcInfo(await runIpmitool(sim, ['mc', 'info']));
    expect(out['device']).toMatchObject({ firmware: mc.firmwareRevision, manufacturerId: mc.manufacturerId, productId: mc.productId });

    const chassis = parseChassisStatus(await runIpmitool(sim, ['chassis', 'status']));
    expect(out['chassis']).toEqual({
      poweredOn: chassis.powerOn,
      intrusion: chassis.intrusion,
      powerFault: chassis.powerFault,
      coolingFault: chassis.coolingFault,
      driveFault: chassis.driveFault,
    });

    const sensors = parseSensorList(await runIpmitool(sim, ['sensor', 'list']));
    expect(out['sensors']).toHaveLength(sensors.length);
    for (const t of sensors) {
      const s = (out['sensors'] as any[]).find((x) => x.name === t.name);
      expect(s, t.name).toBeDefined();
      for (const k of ['name', 'number', 'sensorType', 'entityId', 'entityInstance', 'unit', 'value', 'state']) expect(s).toHaveProperty(k);
      if (t.reading === null) expect(s.value).toBeNull();
      else expect(s.value).toBeCloseTo(t.reading, 3);
    }

    const sel = parseSelElist(await runIpmitool(sim, ['sel', 'elist']));
    expect(out['sel'].entries).toBe(sel.length);
    expect(out['sel'].freeBytes).toBeGreaterThan(0);
    expect(out['sel'].events.map((e: any) => e.id)).toEqual(sel.map((r) => r.id));
    expect(out['sel'].events.map((e: any) => e.timestamp)).toEqual(SIM_SEL.map((e) => e.timestamp));
    expect(out['sel'].events.map((e: any) => e.category)).toEqual([
      'memory-ecc-correctable',
      'fan-failure',
      'psu-failure',
      'psu-failure',
      'other',
      'temperature-threshold',
    ]);
    for (const e of out['sel'].events) for (const k of ['id', 'timestamp', 'category', 'severity', 'description']) expect(e).toHaveProperty(k);
  });

  it('prints readable tables by default, over IPMI 1.5 when asked, with the password from BMC_PASSWORD', async () => {
    const run = await runCli(['probe', `${sim.host}:${sim.port}`, '-u', 'admin', '--ipmi-version', '1.5'], { BMC_PASSWORD: 'ADMIN' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Session\s+IPMI 1\.5, auth type md5, privilege user$/m);
    expect(run.stdout).toMatch(/^NAME\s+NUMBER\s+TYPE\s+ENTITY\s+VALUE\s+UNIT\s+STATE$/m);
    expect(run.stdout).toMatch(/^12V\s+0x20\s+Voltage\s+7\.1\s+12\.04\s+Volts\s+ok$/m);
    expect(run.stdout).toMatch(/^Exhaust Temp\s+0x04\s+Temperature\s+7\.1\s+52\s+degrees C\s+non-critical$/m);
    expect(run.stdout).toContain('SEL: 6 entries');
    expect(run.stdout).toMatch(/critical\s+psu-failure\s+Power Supply: Failure Detected asserted/);
  });

  it('a wrong password exits 4 with one line naming the cause, and no password in it', async () => {
    const run = await runCli(['probe', sim.host, '-u', 'admin', '-p', 'hunter2-wrong', '--timeout', '5s']);
    expect(run.code).toBe(4);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^bmc-exporter probe: authentication failed \(wrong password\): /);
    expect(run.stderr).not.toContain('hunter2');
  });

  it('an unknown user exits 4 and says so', async () => {
    const run = await runCli(['probe', sim.host, '-u', 'nobody', '-p', 'x']);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/authentication failed \(unknown user name\)/);
  });

  it('an unreachable host exits 3 within the timeout', async () => {
    const run = await runCli(['probe', '127.0.0.3:623', '-u', 'admin', '-p', 'x', '--timeout', '2s']);
    expect(run.code).toBe(3);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^bmc-exporter probe: unreachable: no session with 127\.0\.0\.3:623 within 2000 ms/);
    // Real time: the CLI is a child process. The message names the 2 s timeout that ended it;
    // the bound, generous for process start-up on a loaded machine, still tells it from the
    // library's own retries, which give a silent BMC 7 s.
    expect(run.ms).toBeLessThan(2000 + 4000);
  });

  it('an unsupported cipher suite exits 5', async () => {
    const run = await runCli(['probe', sim.host, '-u', 'admin', '-p', 'ADMIN', '-C', '17']);
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/^bmc-exporter probe: unsupported cipher suite: /);
  });

  it.each([
    [['probe'], /missing required argument 'target'/],
    [['probe', sim?.host ?? '127.0.0.2', '-p', 'x'], /a user name is required/],
    [['probe', '127.0.0.2', '-u', 'a', '--timeout', '5'], /invalid duration "5"/],
    [['probe', '127.0.0.2', '-u', 'a', '-C', 'abc'], /"abc" is not a cipher suite number/],
    [['probe', '127.0.0.2:99999', '-u', 'a'], /has port 99999: a port is a number from 1 to 65535/],
    [['probe', '127.0.0.2', '-u', 'a', '--privilege', 'root'], /Allowed choices are user, operator, admin/],
  ])('bad arguments %j exit 2 with a clear message', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
