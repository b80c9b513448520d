import { describe, expect, it } from 'vitest';
import { ConfigError, parseSecrets } from './secrets.js';

const FILE = `
127.0.2.1:623:
  username: a
  password: s3cret
  labels: {rack: r1, site: par1, model: r650}
bmc1.example.com:623:
  username: a
  password: s3cret
127.0.2.2:623:
  username: a
  password: s3cret
  labels:
    site: par1
    rack: r1
    model: r650
127.1.0.0/16:623:
  username: a
  password: s3cret
  labels: {rack: whole-range}
'[2001:db8::1]:623':
  username: a
  password: s3cret
  labels: {rack: "0042"}
`;

describe('labels and discovery()', () => {
  const secrets = parseSecrets(FILE, 'secrets.yml');

  it('keeps each entry’s labels, values as written', () => {
    expect(secrets.lookup('127.0.2.1:623')?.labels).toEqual({ rack: 'r1', site: 'par1', model: 'r650' });
    expect(secrets.lookup('[2001:db8::1]:623')?.labels).toEqual({ rack: '0042' });
    expect(secrets.lookup('bmc1.example.com:623')?.labels).toBeUndefined();
  });

  it('lists the exact keys as written, grouped by identical label sets in file order, ranges left out', () => {
    expect(secrets.discovery()).toEqual([
      { targets: ['127.0.2.1:623', '127.0.2.2:623'], labels: { rack: 'r1', site: 'par1', model: 'r650' } },
      { targets: ['bmc1.example.com:623'], labels: {} },
      { targets: ['[2001:db8::1]:623'], labels: { rack: '0042' } },
    ]);
  });

  it('an empty file discovers nothing', () => {
    expect(parseSecrets('# none yet\n', 'secrets.yml').discovery()).toEqual([]);
  });

  it('a file of ranges only discovers nothing', () => {
    expect(parseSecrets('127.1.0.0/16:623:\n  username: a\n  password: b\n', 'secrets.yml').discovery()).toEqual([]);
  });

  it('hands out copies: a caller cannot change the table', () => {
    const first = secrets.discovery();
    first[0]!.targets.push('127.0.2.9:623');
    first[0]!.labels['rack'] = 'changed';
    expect(secrets.discovery()[0]).toEqual({ targets: ['127.0.2.1:623', '127.0.2.2:623'], labels: { rack: 'r1', site: 'par1', model: 'r650' } });
  });

  it('groups targets with no labels and with an empty labels map together, label sets in any order together', () => {
    const s = parseSecrets(
      '127.0.2.1:623:\n  username: a\n  password: b\n' +
        '127.0.2.2:623:\n  username: a\n  password: b\n  labels: {}\n' +
        '127.0.2.3:623:\n  username: a\n  password: b\n  labels: {site: s, rack: r}\n' +
        '127.0.2.4:623:\n  username: a\n  password: b\n  labels: {rack: r, site: s}\n',
      'secrets.yml',
    );
    expect(s.discovery()).toEqual([
      { targets: ['127.0.2.1:623', '127.0.2.2:623'], labels: {} },
      { targets: ['127.0.2.3:623', '127.0.2.4:623'], labels: { site: 's', rack: 'r' } },
    ]);
  });

  it.each([
    ['a name that is not a label name', '  labels: {rack-id: r1}\n', 'secrets.yml:4:12: label name "rack-id" is not a Prometheus label name'],
    ['a reserved name', '  labels: {__address__: x}\n', 'secrets.yml:4:12: label name "__address__" starts with "__", which Prometheus reserves'],
    ['a list value', '  labels: {rack: [r1]}\n', 'secrets.yml:4:18: label "rack" must be a string, not a list'],
    ['an empty value', '  labels: {rack: }\n', 'secrets.yml:4:'],
    ['not a map', '  labels: [rack]\n', 'secrets.yml:4:11: labels of "127.0.2.1:623" must be a map'],
  ])('refuses %s with its line', (_what, line, message) => {
    let caught: unknown;
    try {
      parseSecrets(`127.0.2.1:623:\n  username: a\n  password: s3cret\n${line}`, 'secrets.yml');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message.startsWith(message)).toBe(true);
    expect((caught as Error).message).not.toContain('s3cret');
  });
});
