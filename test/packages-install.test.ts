// The npm packages as a user gets them: `npm pack` of the three workspace
// packages, installed from those tarballs alone into empty prefixes (npm
// --prefer-offline: third-party dependencies from the cache or the registry,
// ours from nothing but the tarballs). The installed bmc-exporter runs its
// demo (bmc_up 1 on /bmc) and probes a simulated BMC; @bmc-exporter/ipmi,
// installed alone, reads a simulated BMC with its example script and offers
// its two entry points (the root and ./wire).
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, tempDir, samples, type TempDir } from './exporter/cli.js';
import { startTestFleet, type TestFleet } from './exporter/fleet.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const TARBALLS = ['bmc-exporter-0.1.0.tgz', 'bmc-exporter-ipmi-0.1.0.tgz', 'bmc-exporter-bmc-sim-0.1.0.tgz', 'bmc-exporter-redfish-0.1.0.tgz'];

let dir: TempDir;
let fleet: TestFleet;
let target: string;
let user: { username: string; password: string };

function npm(args: string[], cwd: string): { status: number | null; output: string } {
  // No inherited npm_config_* from `npm test`: they could point at the workspace.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  const r = spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
}

function tarFiles(tgz: string): string[] {
  return spawnSync('tar', ['-tzf', tgz], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
}

function tarJson(tgz: string, path: string): Record<string, unknown> {
  return JSON.parse(spawnSync('tar', ['-xzOf', tgz, path], { encoding: 'utf8' }).stdout) as Record<string, unknown>;
}

beforeAll(async () => {
  dir = await tempDir('bmc-exporter-pack-');
  // dist/ is built before any test runs (vitest's global setup, test/build-dist.ts).
  const packed = npm(['pack', '--workspaces', '--include-workspace-root', '--ignore-scripts', '--pack-destination', dir.path], ROOT);
  expect(packed.status, packed.output).toBe(0);
  fleet = await startTestFleet({ count: 1, profile: 'server-2s', baseAddress: '127.6.11.21', seed: 112 });
  target = fleet.targets[0]!;
  user = fleet.fleet.secrets()[target]!;
}, 240_000);

afterAll(async () => {
  await fleet?.close();
  await dir?.remove();
});

describe('npm pack', () => {
  it('gives one tarball per package, with built JavaScript and no sources or tests', () => {
    expect(
      readdirSync(dir.path)
        .filter((f) => f.endsWith('.tgz'))
        .sort(),
    ).toEqual([...TARBALLS].sort());
    for (const tgz of TARBALLS) {
      const files = tarFiles(join(dir.path, tgz));
      expect(
        files.some((f) => /^package\/dist\/.*\.js$/.test(f)),
        tgz,
      ).toBe(true);
      expect(
        files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts')),
        tgz,
      ).toEqual([]);
      expect(
        files.filter((f) => /\.test\.js$|tsbuildinfo$/.test(f)),
        tgz,
      ).toEqual([]);
    }
    expect(tarFiles(join(dir.path, 'bmc-exporter-bmc-sim-0.1.0.tgz'))).toContain('package/profiles/server-2s.yml');
    expect(tarFiles(join(dir.path, 'bmc-exporter-ipmi-0.1.0.tgz'))).toContain('package/examples/read-bmc.mjs');
    expect(tarFiles(join(dir.path, 'bmc-exporter-0.1.0.tgz'))).toContain('package/deploy/systemd/bmc-exporter.service');
  });

  it('the exporter depends at run time only on packages that can be published (none private)', () => {
    const root = tarJson(join(dir.path, 'bmc-exporter-0.1.0.tgz'), 'package/package.json');
    const ours = Object.keys(root['dependencies'] as object).filter((d) => d.startsWith('@bmc-exporter/'));
    expect(ours.sort()).toEqual(['@bmc-exporter/bmc-sim', '@bmc-exporter/ipmi', '@bmc-exporter/redfish']);
    for (const name of ours) {
      const pkg = tarJson(join(dir.path, `${name.slice(1).replace('/', '-')}-0.1.0.tgz`), 'package/package.json');
      expect(pkg['name']).toBe(name);
      expect(pkg['private'], name).toBeUndefined();
    }
  });
});

describe('bmc-exporter installed from the tarballs into an empty prefix', () => {
  let prefix: string;
  let bin: string;

  beforeAll(() => {
    prefix = join(dir.path, 'exporter-prefix');
    spawnSync('mkdir', [prefix]);
    // All four: the exporter depends on the IPMI and Redfish libraries and the simulator.
    const r = npm(['install', '--prefer-offline', '--no-audit', '--no-fund', ...TARBALLS.map((t) => join(dir.path, t))], prefix);
    expect(r.status, r.output).toBe(0);
    bin = join(prefix, 'node_modules', '.bin', 'bmc-exporter');
    expect(existsSync(bin)).toBe(true);
    // Installed, not linked to this checkout.
    expect(readFileSync(join(prefix, 'node_modules', '@bmc-exporter', 'bmc-sim', 'package.json'), 'utf8')).toContain('"version": "0.1.0"');
    expect(existsSync(join(prefix, 'node_modules', '@bmc-exporter', 'bmc-sim', 'src'))).toBe(false);
  }, 240_000);

  it('--version and --help run', async () => {
    expect((await run(process.execPath, [bin, '--version'])).stdout.trim()).toBe('0.1.0');
    expect((await run(process.execPath, [bin, '--help'])).stdout).toContain('--secrets.static');
  });

  it('--demo serves /bmc with bmc_up 1 and lists its BMCs on /discover', async () => {
    const cli = await startCli(['--demo', '--web.listen-address', '127.0.0.1:0'], { entry: bin, cwd: prefix });
    try {
      const groups = (await (await fetch(`${cli.url}/discover`)).json()) as Array<{ targets: string[] }>;
      const demo = groups.flatMap((g) => g.targets);
      expect(demo).toHaveLength(3);
      for (const t of demo) {
        const res = await fetch(`${cli.url}/bmc?target=${encodeURIComponent(t)}`);
        expect(res.status).toBe(200);
        const m = samples(await res.text());
        expect(m.get('bmc_up'), t).toBe(1);
        expect([...m.keys()].some((k) => k.startsWith('power_draw_watts{'))).toBe(true);
      }
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });

  it('probe reads a simulated BMC', async () => {
    const pw = await dir.write('bmc-password', `${user.password}\n`);
    const { stdout } = await run(process.execPath, [bin, 'probe', target, '--username', user.username, '--password-file', pw, '--json', '--timeout', '10s']);
    const probe = JSON.parse(stdout) as { target: string; guid: string; sensors: Array<{ name: string; value: number | null }>; errors: object };
    expect(probe.errors).toEqual({});
    expect(probe.guid).toMatch(/^[0-9a-f-]{36}$/);
    expect(probe.sensors.find((s) => s.name === 'CPU1 Temp')?.value).toEqual(expect.any(Number));
    expect(stdout).not.toContain(user.password);
  });
});

describe('@bmc-exporter/ipmi installed alone', () => {
  it('installs without the exporter or the simulator, and its example reads a simulated BMC', async () => {
    const prefix = join(dir.path, 'ipmi-prefix');
    await mkdir(prefix);
    const r = npm(['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir.path, 'bmc-exporter-ipmi-0.1.0.tgz')], prefix);
    expect(r.status, r.output).toBe(0);
    expect(readdirSync(join(prefix, 'node_modules', '@bmc-exporter'))).toEqual(['ipmi']);
    expect(existsSync(join(prefix, 'node_modules', 'bmc-exporter'))).toBe(false);
    // A consumer script of its own, next to its node_modules.
    const script = join(prefix, 'read-bmc.mjs');
    await copyFile(join(prefix, 'node_modules', '@bmc-exporter', 'ipmi', 'examples', 'read-bmc.mjs'), script);
    const before = (await fleet.fleet.counters(0)).sessions;
    const { stdout } = await run(process.execPath, [script, target, user.username], {
      cwd: prefix,
      env: { PATH: process.env['PATH'] ?? '', BMC_PASSWORD: user.password },
    });
    const out = JSON.parse(stdout) as { firmware: string; poweredOn: boolean; sensors: Array<{ name: string; value: number | null; state: string }> };
    expect(out.poweredOn).toBe(true);
    expect(out.firmware).toMatch(/^\d+\.\d+$/);
    expect(out.sensors.length).toBeGreaterThan(10);
    expect(out.sensors.find((s) => s.name === 'CPU1 Temp')?.value).toEqual(expect.any(Number));
    // The simulator's side: one session opened by the script, and closed by it.
    const after = (await fleet.fleet.counters(0)).sessions;
    expect(after.openedTotal - before.openedTotal).toBe(1);
    expect(after.closedTotal - before.closedTotal).toBe(1);
    expect(after.open).toBe(0);
    // Two entry points: the client's API at the root, the BMC side and packet codecs under ./wire (with types).
    const probe = `const root = await import('@bmc-exporter/ipmi'); const wire = await import('@bmc-exporter/ipmi/wire');
      console.log(JSON.stringify({ root: [typeof root.BmcClient, typeof root.getDeviceId, typeof root.encodeGetDeviceIdResponse],
        wire: [typeof wire.encodeGetDeviceIdResponse, typeof wire.SequenceWindow, typeof wire.BmcClient] }));`;
    const entries = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: prefix });
    expect(JSON.parse(entries.stdout)).toEqual({ root: ['function', 'object', 'undefined'], wire: ['function', 'function', 'undefined'] });
    expect(existsSync(join(prefix, 'node_modules', '@bmc-exporter', 'ipmi', 'dist', 'wire.d.ts'))).toBe(true);
  });
});
