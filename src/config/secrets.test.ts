import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_COLLECTORS } from '../collectors/index.js';
import { ConfigError, parseSecrets } from './secrets.js';

const FILE = `
# gebn/bmc_exporter's own shape, unchanged
127.0.2.1:623:
  username: exact
  password: p-exact
'[2001:db8::1]:623':
  username: v6
  password: p-v6
bmc1.example.com:623:
  username: named
  password: p-named
127.1.0.0/16:623:
  username: wide
  password: p-wide
127.1.2.0/24:623:
  username: rack
  password: p-rack
  privilege: operator
  cipher_suites: [17, 3]
  ipmi_version: 2.0
  collectors: [bmc_info, chassis]
127.1.2.0/24:6230:
  username: other-port
  password: p-other
'[fd00::/64]:623':
  username: v6-range
  password: p-v6-range
`;

describe('parseSecrets lookup', () => {
  const secrets = parseSecrets(FILE, 'secrets.yml');
  it.each([
    ['exact key as written', '127.0.2.1:623', 'exact'],
    ['no port means 623', '127.0.2.1', 'exact'],
    ['IPv6 exact', '[2001:db8::1]:623', 'v6'],
    ['IPv6 non-canonical spelling', '[2001:DB8:0:0::1]:623', 'v6'],
    ['IPv6 without port', '[2001:db8::1]', 'v6'],
    ['hostname, any case, trailing dot', 'BMC1.Example.com.:623', 'named'],
    ['CIDR: most specific wins', '127.1.2.77:623', 'rack'],
    ['CIDR: wider range otherwise', '127.1.9.1:623', 'wide'],
    ['CIDR: port is part of the key', '127.1.2.77:6230', 'other-port'],
    ['CIDR: IPv4-mapped IPv6 target', '[::ffff:127.1.2.3]:623', 'rack'],
    ['IPv6 CIDR', '[fd00::1234]:623', 'v6-range'],
  ])('%s: %s', (_what, target, user) => {
    expect(secrets.lookup(target)?.username).toBe(user);
  });

  it.each([
    ['unknown address', '127.0.2.2:623'],
    ['known address, other port', '127.0.2.1:624'],
    ['outside every range', '127.2.0.1:623'],
    ['range port differs', '127.1.9.1:6230'],
    ['outside IPv6 range', '[fd01::1]:623'],
    ['garbage', '::::'],
    ['empty', ''],
    ['hostnames are never matched to ranges', 'ten.one.two:623'],
  ])('%s: %s → undefined', (_what, target) => {
    expect(secrets.lookup(target)).toBeUndefined();
  });

  it('reads the optional fields', () => {
    expect(secrets.lookup('127.1.2.3:623')).toEqual({
      username: 'rack',
      password: 'p-rack',
      privilege: 'operator',
      cipherSuites: [17, 3],
      ipmiVersion: '2.0',
      collectors: ['bmc_info', 'chassis'],
    });
    expect(secrets.lookup('127.0.2.1:623')).toEqual({ username: 'exact', password: 'p-exact' });
  });

  it('lists keys as written and counts them', () => {
    expect(secrets.size).toBe(7);
    expect(secrets.targets()).toEqual([
      '127.0.2.1:623',
      '[2001:db8::1]:623',
      'bmc1.example.com:623',
      '127.1.0.0/16:623',
      '127.1.2.0/24:623',
      '127.1.2.0/24:6230',
      '[fd00::/64]:623',
    ]);
  });

  it('an empty file (or only comments) is a valid empty config', () => {
    for (const text of ['', '# nothing yet\n', '---\n']) {
      const s = parseSecrets(text, 'secrets.yml');
      expect(s.size).toBe(0);
      expect(s.lookup('127.0.2.1:623')).toBeUndefined();
    }
  });

  it('keeps a plain-scalar password as written, as yaml.v3 does for a string field', () => {
    const s = parseSecrets('127.0.2.1:623:\n  username: 0042\n  password: 0123\n', 'secrets.yml');
    expect(s.lookup('127.0.2.1:623')).toEqual({ username: '0042', password: '0123' });
    const t = parseSecrets('127.0.2.1:623:\n  username: admin\n  password: ""\n', 'secrets.yml');
    expect(t.lookup('127.0.2.1:623')?.password).toBe('');
  });

  it('the example file at the repository root parses', () => {
    const text = readFileSync(new URL('../../secrets.example.yml', import.meta.url), 'utf8');
    const s = parseSecrets(text, 'secrets.example.yml', { passwordFile: (p) => `read from ${p}` });
    // The entry with labels and a password file, found by its labels (the example's addresses are documentation).
    const labelled = s.discovery().find((g) => g.labels['rack'] === 'r12');
    expect(labelled?.labels).toEqual({ rack: 'r12', site: 'par1', model: 'r650' });
    expect(s.lookup(labelled!.targets[0]!)?.password).toBe('read from /run/secrets/bmc-password');
    expect(s.size).toBeGreaterThan(3);
    expect(s.lookup('10.1.0.42:623')?.privilege).toBeDefined();
  });
});

describe('parseSecrets errors', () => {
  const cases: Array<[string, string, string]> = [
    ['bad YAML', '127.0.2.1:623:\n  username: [a\n  password: x\n', 'secrets.yml:3:'],
    [
      'unknown field',
      '127.0.2.1:623:\n  username: a\n  pasword: s3cret\n',
      'secrets.yml:3:3: unknown field "pasword" in "127.0.2.1:623"; the fields are username, password, password_file, privilege, cipher_suites, ipmi_version, collectors, labels',
    ],
    ['wrong type', '127.0.2.1:623:\n  username: a\n  password: [s3cret]\n', 'secrets.yml:3:13: password must be a string, not a list'],
    [
      'bad CIDR',
      '127.1.0.0/33:623:\n  username: a\n  password: s3cret\n',
      'secrets.yml:1:1: bad target key: "127.1.0.0/33:623": prefix length "33" must be a number from 0 to 32',
    ],
    [
      'CIDR with host bits',
      '127.1.0.5/24:623:\n  username: a\n  password: s3cret\n',
      'secrets.yml:1:1: bad target key: "127.1.0.5/24:623": 127.1.0.5 has bits set past the /24 prefix; did you mean 127.1.0.0/24?',
    ],
    [
      'bad port',
      'x:\n  username: a\n  password: b\n127.0.2.1:99999:\n  username: a\n  password: s3cret\n',
      'secrets.yml:4:1: bad target key: "127.0.2.1:99999" has port 99999: a port is a number from 1 to 65535',
    ],
    [
      'duplicate key',
      '127.0.2.1:623:\n  username: a\n  password: s3cret\n127.0.2.1:623:\n  username: b\n  password: s3cret\n',
      'secrets.yml:4:1: this key appears twice in the same map (first on line 1); keep one',
    ],
    [
      'duplicate field in an entry',
      '127.0.2.1:623:\n  username: a\n  password: s3cret\n  username: b\n',
      'secrets.yml:4:3: this key appears twice in the same map (first on line 2); keep one',
    ],
    [
      'duplicate key written two ways',
      '"127.0.2.1:623":\n  username: a\n  password: s3cret\n127.0.2.1:623:\n  username: b\n  password: s3cret\n',
      'secrets.yml:4:1: this key appears twice in the same map (first on line 1); keep one',
    ],
    [
      'same target spelled twice',
      '127.0.2.1:623:\n  username: a\n  password: s3cret\n127.0.2.1:\n  username: b\n  password: s3cret\n',
      'secrets.yml:4:1: "127.0.2.1" is the same target as "127.0.2.1:623" on line 1; keep one entry',
    ],
    [
      'same range spelled twice, after other entries',
      '127.0.2.1:623:\n  username: a\n  password: s3cret\n127.1.0.0/24:\n  username: a\n  password: s3cret\n\n127.1.0.0/24:623:\n  username: b\n  password: s3cret\n',
      'secrets.yml:8:1: "127.1.0.0/24:623" is the same target as "127.1.0.0/24" on line 4; keep one entry',
    ],
    [
      'missing password',
      '127.0.2.1:623:\n  username: a\n',
      'secrets.yml:2:3: "127.0.2.1:623" has no password: add "password:" or "password_file:" (a file holding it)',
    ],
    [
      'null password',
      '127.0.2.1:623:\n  username: a\n  password:\n',
      'secrets.yml:3:12: password is empty; give a value (quote it, e.g. password: "", if it really is empty)',
    ],
    ['entry without fields', '127.0.2.1:623:\n', 'secrets.yml:1:1: "127.0.2.1:623" has no credentials'],
    ['not a map', '- 127.0.2.1\n', 'secrets.yml:1:1: the file must be a YAML map'],
    [
      'bad privilege',
      '127.0.2.1:\n  username: a\n  password: s3cret\n  privilege: root\n',
      'secrets.yml:4:14: privilege is "root"; use one of "user", "operator", "administrator"',
    ],
    [
      'cipher suite out of range',
      '127.0.2.1:\n  username: a\n  password: s3cret\n  cipher_suites: [3, 300]\n',
      'secrets.yml:4:22: each cipher suite id must be a whole number from 0 to 255',
    ],
    [
      'bad ipmi_version',
      '127.0.2.1:\n  username: a\n  password: s3cret\n  ipmi_version: 3\n',
      'secrets.yml:4:17: ipmi_version is "3"; use one of "1.5", "2.0", "auto"',
    ],
    ['empty collector', '127.0.2.1:\n  username: a\n  password: s3cret\n  collectors: [chassis, ""]\n', 'secrets.yml:4:25: a collector name is empty'],
    ['bad IPv4', '127.0.2.300:623:\n  username: a\n  password: s3cret\n', 'secrets.yml:1:1: bad target key: "127.0.2.300:623" is not a valid IPv4 address'],
  ];

  it.each(cases)('%s', (_what, text, message) => {
    let caught: unknown;
    try {
      parseSecrets(text, 'secrets.yml');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const err = caught as ConfigError;
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.file).toBe('secrets.yml');
    expect(err.message.startsWith(message)).toBe(true);
    expect(err.message).toContain(`secrets.yml:${err.line}:${err.column}: `);
    // The password never shows in an error (invariant 5 in docs/architecture.md).
    expect(err.message).not.toContain('s3cret');
  });
});

describe('collector names', () => {
  const known = ['bmc_info', 'chassis', 'power_draw', 'processor_temperature'];
  const text = '127.0.2.1:\n  username: a\n  password: s3cret\n  collectors: [chassis, powr_draw]\n';

  it('an unknown collector is refused with its line and the names that exist', () => {
    expect(() => parseSecrets(text, 'secrets.yml', { knownCollectors: known })).toThrow(
      'secrets.yml:4:25: unknown collector "powr_draw"; known collectors: bmc_info, chassis, power_draw, processor_temperature',
    );
  });

  it('known collectors are kept in the order given', () => {
    const s = parseSecrets(text.replace('powr_draw', 'power_draw'), 'secrets.yml', { knownCollectors: known });
    expect(s.lookup('127.0.2.1')?.collectors).toEqual(['chassis', 'power_draw']);
  });

  it('the example file uses only collectors that exist', () => {
    const example = readFileSync(new URL('../../secrets.example.yml', import.meta.url), 'utf8');
    const real = DEFAULT_COLLECTORS.map((c) => c.name);
    expect(() => parseSecrets(example, 'secrets.example.yml', { knownCollectors: real, passwordFile: () => 'x' })).not.toThrow();
  });
});
