// deploy/systemd/bmc-exporter.service against systemd's own tools (Debian
// package "systemd"): `systemd-analyze verify` accepts it, `systemd-analyze
// security --offline=yes` rates its exposure "OK" or better, and its
// ExecStart command line starts the exporter with a credentials directory
// as LoadCredential= would lay it out. A missing systemd-analyze fails.
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, tempDir, type TempDir } from './exporter/cli.js';

const UNIT = fileURLToPath(new URL('../deploy/systemd/bmc-exporter.service', import.meta.url));
const INSTALLED_BIN = '/opt/bmc-exporter/node_modules/.bin/bmc-exporter';

let dir: TempDir;
let unit: string;

function analyze(args: string[]): { status: number | null; output: string } {
  const r = spawnSync('systemd-analyze', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`systemd-analyze: ${r.error.message} (install the Debian package "systemd")`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** The unit with only the install path of the binary pointed at an executable that exists here. */
async function unitForVerify(text: string, name = 'bmc-exporter.service'): Promise<string> {
  const bin = await dir.write('bmc-exporter', '#!/bin/sh\nexit 0\n');
  await chmod(bin, 0o755);
  expect(text.split(INSTALLED_BIN)).toHaveLength(2); // ExecStart, once
  return dir.write(name, text.replace(INSTALLED_BIN, bin));
}

/** Directive → values, from the [Service] section. */
function directives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      section = line;
      continue;
    }
    if (section !== '[Service]') continue;
    const i = line.indexOf('=');
    const key = line.slice(0, i);
    out.set(key, [...(out.get(key) ?? []), line.slice(i + 1)]);
  }
  return out;
}

beforeAll(async () => {
  dir = await tempDir('bmc-exporter-systemd-');
  unit = await readFile(UNIT, 'utf8');
});
afterAll(async () => {
  await dir?.remove();
});

describe('the systemd unit', () => {
  it('has the hardening the README promises', () => {
    const d = directives(unit);
    expect(d.get('DynamicUser')).toEqual(['yes']);
    expect(d.get('ProtectSystem')).toEqual(['strict']);
    expect(d.get('NoNewPrivileges')).toEqual(['yes']);
    expect(d.get('CapabilityBoundingSet')).toEqual(['']);
    expect(d.get('RestrictAddressFamilies')).toEqual(['AF_INET AF_INET6 AF_UNIX']);
    expect(d.get('LoadCredential')).toEqual(['secrets.yml:/etc/bmc-exporter/secrets.yml']);
    expect(d.get('Restart')).toEqual(['on-failure']);
    expect(d.get('ExecStart')?.[0]).toContain('--secrets.static=${CREDENTIALS_DIRECTORY}/secrets.yml');
  });

  it('systemd-analyze verify accepts it, and rejects a copy with a misspelt directive', async () => {
    const good = analyze(['verify', await unitForVerify(unit)]);
    expect(good.status, good.output).toBe(0);
    expect(good.output).toBe('');
    const bad = analyze(['verify', await unitForVerify(unit.replace('ProtectSystem=strict', 'ProtectSystem=strcit'), 'broken.service')]);
    expect(bad.output).toMatch(/broken\.service:\d+: Failed to parse protect system value, ignoring: strcit/);
  });

  it('systemd-analyze security rates its exposure OK (at most 2.0 of 10)', async () => {
    const r = analyze(['security', '--offline=yes', await unitForVerify(unit)]);
    const m = /Overall exposure level for bmc-exporter\.service: (\d+\.\d+) (\S+)/.exec(r.output);
    expect(m, r.output).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(2.0);
    expect(m![2]).toBe('OK');
    // The checks that matter most here, each passed.
    const checks = JSON.parse(analyze(['security', '--offline=yes', '--json=short', await unitForVerify(unit)]).output) as Array<{
      name: string;
      set: boolean;
    }>;
    for (const name of [
      'PrivateDevices=',
      'ProtectKernelModules=',
      'RestrictAddressFamilies=~AF_PACKET',
      'CapabilityBoundingSet=~CAP_SYS_ADMIN',
      'NoNewPrivileges=',
    ]) {
      expect(checks.find((c) => c.name === name)?.set, name).toBe(true);
    }
  });

  it('its ExecStart command line starts the exporter on the credential copy of the secrets file', async () => {
    const execStart = directives(unit).get('ExecStart')![0]!.split(/\s+/);
    expect(execStart[0]).toBe(INSTALLED_BIN);
    const credentials = join(dir.path, 'credentials');
    await mkdir(credentials);
    await dir.write('credentials/secrets.yml', '127.6.11.40:623:\n  username: a\n  password: s3cret\n  labels: {rack: r1}\n');
    const args = execStart.slice(1).map((a) => a.replace('${CREDENTIALS_DIRECTORY}', credentials));
    // The unit's :9622 would collide with anything else on this machine; a later flag wins.
    const cli = await startCli([...args, '--web.listen-address=127.0.0.1:0'], { env: { CREDENTIALS_DIRECTORY: credentials } });
    try {
      expect((await fetch(`${cli.url}/-/ready`)).status).toBe(200);
      expect(await (await fetch(`${cli.url}/discover`)).json()).toEqual([{ targets: ['127.6.11.40:623'], labels: { rack: 'r1' } }]);
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });
});
