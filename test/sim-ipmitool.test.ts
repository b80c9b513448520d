// Real clients against our simulated BMC's protocol engine: ipmitool (lanplus
// suites 3 and 17, lan MD5) and FreeIPMI, none of which we wrote. Suite 17 is
// the interoperability proof ipmi_sim cannot give (it lacks HMAC-SHA256).
import { spawn } from 'node:child_process';
import { BmcProtocol, serveBmc, type ServedBmc } from '@bmc-exporter/bmc-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceIdHandler, testConfig } from '../packages/bmc-sim/src/protocol/testing/fixtures.js';
import { parseMcInfo, runIpmitool } from './peers/ipmitool.js';

const HOST = '127.0.0.20';
const users = {
  admin: { username: 'admin', password: 'admin-secret' },
  user: { username: 'viewer', password: 'viewer-secret' },
};

let protocol: BmcProtocol;
let served: ServedBmc;
const target = () => ({ host: served.address, port: served.port, users });

beforeAll(async () => {
  protocol = new BmcProtocol(testConfig(), deviceIdHandler);
  served = await serveBmc(protocol, { address: HOST, port: 623 });
});
afterAll(async () => {
  await served?.close();
});

// TEST_DEVICE_ID: device 0x20 rev 1, firmware 3.45, IPMI 2.0, manufacturer 4660, product 0x5678.
function expectTestDevice(text: string): void {
  const mc = parseMcInfo(text);
  expect(mc).toMatchObject({ deviceId: 0x20, deviceRevision: 1, firmwareRevision: '3.45', ipmiVersion: '2.0', manufacturerId: 4660, productId: 0x5678 });
}

describe('ipmitool against the simulated BMC', () => {
  it('lanplus -C 3 mc info', async () => {
    expectTestDevice(await runIpmitool(target(), ['mc', 'info'], { cipherSuite: 3 }));
  });

  it('lanplus -C 17 mc info (HMAC-SHA256 + AES, 20-byte K1/K2 constant)', async () => {
    expectTestDevice(await runIpmitool(target(), ['mc', 'info'], { cipherSuite: 17 }));
  });

  it('lanplus -C 17 as a USER-privilege account', async () => {
    expectTestDevice(await runIpmitool(target(), ['mc', 'info'], { cipherSuite: 17, user: 'user' }));
  });

  it('lan (IPMI 1.5) -A MD5 mc info', async () => {
    expectTestDevice(await runIpmitool(target(), ['mc', 'info'], { interface: 'lan', authType: 'MD5' }));
  });

  // Not 11/12: ipmitool 1.8.19 has no MD5-128 integrity and aborts (lanplus.c assertion); FreeIPMI covers them below.
  it.each([0, 1, 2, 6, 7, 8, 15, 16])('lanplus -C %i mc info (every other offered suite)', async (suite) => {
    expectTestDevice(await runIpmitool(target(), ['mc', 'info'], { cipherSuite: suite }));
  });

  it('lan (IPMI 1.5) -A PASSWORD mc info', async () => {
    expectTestDevice(await runIpmitool(target(), ['mc', 'info'], { interface: 'lan', authType: 'PASSWORD' }));
  });

  it('lanplus -C 3 mc guid prints the configured GUID', async () => {
    const out = await runIpmitool(target(), ['mc', 'guid'], { cipherSuite: 3 });
    // ipmitool 1.8.19 prints the 16 bytes as sent (TEST_GUID), without RFC 4122 reordering.
    expect(out).toMatch(/System GUID\s*:\s*00112233445566778899AABBCCDDEEFF/i);
  });

  it('closes every session it opened (Close Session reaches us)', () => {
    expect(protocol.counters.open).toBe(0);
    expect(protocol.counters.closedTotal).toBe(protocol.counters.openedTotal);
    expect(protocol.counters.openedTotal).toBeGreaterThanOrEqual(14);
  });
});

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd} (Debian package "freeipmi-tools"): ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}): ${err.trim() || out.trim()}`));
    });
  });
}

describe('FreeIPMI against the simulated BMC', () => {
  // FreeIPMI takes the password on the command line only (-p) or from a config file; a config file keeps it off argv.
  it.each([
    ['LAN_2_0', '-I', '3'],
    ['LAN_2_0', '-I', '17'],
    ['LAN_2_0', '-I', '11'],
    ['LAN_2_0', '-I', '12'],
    ['LAN', '-a', 'MD5'],
  ])('bmc-info -D %s %s %s --get-device-id', async (driver, flag, value) => {
    const { writeFile, mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'freeipmi-'));
    const conf = join(dir, 'freeipmi.conf');
    await writeFile(conf, `username admin\npassword admin-secret\n`, { mode: 0o600 });
    try {
      const out = await run('bmc-info', ['--config-file', conf, '-h', HOST, '-D', driver, flag, value, '-l', 'ADMIN', '--get-device-id']);
      expect(out).toMatch(/Device ID\s*:\s*32/);
      expect(out).toMatch(/Firmware Revision\s*:\s*3\.45/);
      expect(out).toMatch(/Manufacturer ID\s*:.*\(4660\)/);
      expect(out).toMatch(/Product ID\s*:\s*22136/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
