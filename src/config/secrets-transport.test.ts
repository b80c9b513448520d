import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configFingerprint } from '../targets/target-config.js';
import { ConfigError, loadSecretsFile, parseSecrets } from './secrets.js';
import { SecretsStore } from './secrets-store.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const head = '127.0.2.1:623:\n  username: alice\n  password: pw\n';

function parseError(text: string): ConfigError {
  try {
    parseSecrets(text, 's.yml', { caFile: () => PEM });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('parsed without an error');
}

describe('transport options in the secrets file', () => {
  it('transport is ipmi when absent; redfish and auto take the Redfish options', () => {
    const s = parseSecrets(
      `${head}127.0.2.2:623:\n  username: bob\n  password: pb\n  transport: redfish\n  redfish_port: 8443\n  ca_file: ca.pem\n` +
        '127.0.2.3:623:\n  username: carol\n  password: pc\n  transport: auto\n  insecure_skip_verify: true\n',
      's.yml',
      { caFile: (p) => (p === 'ca.pem' ? PEM : '') },
    );
    expect(s.lookup('127.0.2.1:623')).toEqual({ username: 'alice', password: 'pw' });
    expect(s.lookup('127.0.2.2:623')).toEqual({ username: 'bob', password: 'pb', transport: 'redfish', redfishPort: 8443, ca: PEM, caFile: 'ca.pem' });
    expect(s.lookup('127.0.2.3:623')).toEqual({ username: 'carol', password: 'pc', transport: 'auto', insecureSkipVerify: true });
  });

  it.each([
    ['an unknown transport', `${head}  transport: https\n`, 's.yml:4:14: transport is "https"; use one of "ipmi", "redfish", "auto"'],
    ['a port out of range', `${head}  transport: redfish\n  redfish_port: 70000\n`, 's.yml:5:17: redfish_port'],
    [
      'ca_file on an IPMI entry',
      `${head}  ca_file: ca.pem\n`,
      's.yml:4:12: "127.0.2.1:623": ca_file applies to Redfish only; add "transport: redfish" or "transport: auto", or remove it',
    ],
    [
      'redfish_port with transport ipmi',
      `${head}  transport: ipmi\n  redfish_port: 443\n`,
      's.yml:5:17: "127.0.2.1:623": redfish_port applies to Redfish only',
    ],
    [
      'both ca_file and insecure_skip_verify',
      `${head}  transport: redfish\n  insecure_skip_verify: true\n  ca_file: ca.pem\n`,
      's.yml:6:12: "127.0.2.1:623" has both ca_file and insecure_skip_verify: true; keep one',
    ],
    ['insecure_skip_verify not a boolean', `${head}  transport: redfish\n  insecure_skip_verify: yes-please\n`, 's.yml:5:25: insecure_skip_verify'],
  ])('%s names the line', (_what, text, message) => {
    expect(parseError(text).message).toContain(message);
  });

  it('the fingerprint changes with the transport, the port, the CA and the verification opt-out', () => {
    const base = { username: 'a', password: 'p' };
    const prints = [
      base,
      { ...base, transport: 'redfish' as const },
      { ...base, transport: 'redfish' as const, redfishPort: 8443 },
      { ...base, transport: 'redfish' as const, ca: PEM },
      { ...base, transport: 'redfish' as const, insecureSkipVerify: true },
    ].map(configFingerprint);
    expect(new Set(prints).size).toBe(prints.length);
    expect(configFingerprint({ ...base, transport: 'ipmi' })).toBe(prints[0]);
  });
});

describe('ca_file', () => {
  let dir: string;
  let secrets: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ca-file-'));
    secrets = join(dir, 'secrets.yml');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const entry = (caFile: string) => `${head}  transport: redfish\n  ca_file: ${caFile}\n`;

  it('is read relative to the secrets file', async () => {
    await mkdir(join(dir, 'tls'));
    await writeFile(join(dir, 'tls', 'bmc-ca.pem'), PEM);
    await writeFile(secrets, entry('tls/bmc-ca.pem'));
    expect((await loadSecretsFile(secrets)).lookup('127.0.2.1:623')?.ca).toBe(PEM);
  });

  it('a missing file or one without a certificate: the entry line and the path', async () => {
    await writeFile(secrets, entry('nope.pem'));
    await expect(loadSecretsFile(secrets)).rejects.toThrow(`${secrets}:5:12: "127.0.2.1:623": cannot read ca_file "nope.pem": no such file`);
    await writeFile(join(dir, 'key.pem'), 'not a certificate\n');
    await writeFile(secrets, entry('key.pem'));
    await expect(loadSecretsFile(secrets)).rejects.toThrow(`${secrets}:5:12: "127.0.2.1:623": ca_file "key.pem" holds no PEM certificate`);
  });

  it('a reload reads the CA file again', async () => {
    await writeFile(join(dir, 'ca.pem'), PEM);
    await writeFile(secrets, entry('ca.pem'));
    const store = new SecretsStore(secrets);
    await store.load();
    const renewed = PEM.replace('fake', 'renewed');
    await writeFile(join(dir, 'ca.pem'), renewed);
    expect(await store.reload()).toEqual({ ok: true });
    expect(store.current.lookup('127.0.2.1:623')?.ca).toBe(renewed);
  });
});
