import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../model/index.js';
import { loadBmcDefinition, loadFleetConfig } from './load-config.js';

const profilesDir = fileURLToPath(new URL('../../profiles/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'bmc-sim-config-'));
const write = (name: string, text: string) => {
  const f = join(tmp, name);
  writeFileSync(f, text);
  return f;
};

describe('profiles/*.yml', () => {
  it.each(Object.keys(PROFILES))('%s.yml is the built-in profile (regenerate: node packages/bmc-sim/dist/cli.js --print-profile NAME)', (name) => {
    expect(loadBmcDefinition(join(profilesDir, `${name}.yml`))).toEqual(PROFILES[name]);
  });

  it('fleet-example.yml loads, with its BMC file and per-BMC faults', () => {
    expect(readdirSync(profilesDir)).toContain('fleet-example.yml');
    const def = loadFleetConfig(join(profilesDir, 'fleet-example.yml'));
    expect(def.count).toBe(20);
    expect(def.bmc).toEqual(PROFILES['server-2s']);
    expect(def.bmcFaults?.['127.1.0.5']).toEqual({ noAnswer: true });
  });
});

describe('loadFleetConfig', () => {
  it('lets flags override the file and takes a bare BMC definition', () => {
    const f = write('fleet.yml', 'count: 3\nprofile: minimal\nseed: 9\n');
    expect(loadFleetConfig(f, { count: 7, seed: undefined })).toMatchObject({ count: 7, profile: 'minimal', seed: 9 });
    expect(loadFleetConfig(join(profilesDir, 'minimal.yml'), { count: 2 }).bmc).toEqual(PROFILES.minimal);
  });

  it('reports YAML syntax errors with file, line and column', () => {
    const f = write('broken.yml', 'count: 3\nprofile: [minimal\nseed: 1\n');
    expect(() => loadFleetConfig(f)).toThrow(new RegExp(`^${f}:\\d+:\\d+: `));
  });

  it('reports invalid values with the line of the offending key', () => {
    const f = write('bad.yml', 'count: 3\nfaults:\n  lossPercent: 20\n  delayMs: -5\n');
    expect(() => loadFleetConfig(f)).toThrow(`${f}:4: faults.delayMs: expected milliseconds 0-600000`);
    const g = write('bad2.yml', 'count: 3\nprofile: nope\n');
    expect(() => loadFleetConfig(g)).toThrow(`${g}:2: profile: unknown profile "nope"`);
    expect(() => loadFleetConfig(join(tmp, 'missing.yml'))).toThrow(/missing.yml: cannot read \(ENOENT\)/);
  });
});
