import { describe, expect, it } from 'vitest';
import { OptionsError, parseExporterOptions, parseListenAddress } from './options.js';
import type { ExporterFlags } from './options.js';

const noFiles = { fileExists: () => false };
const withSecretsYml = { fileExists: (p: string) => p === 'secrets.yml' };

function error(flags: ExporterFlags): string {
  try {
    parseExporterOptions(flags, noFiles);
  } catch (err) {
    expect(err).toBeInstanceOf(OptionsError);
    return (err as Error).message;
  }
  throw new Error('expected an OptionsError');
}

describe('parseExporterOptions', () => {
  it('defaults', () => {
    expect(parseExporterOptions({}, withSecretsYml)).toEqual({
      listen: { port: 9622 },
      secretsFile: 'secrets.yml',
      scrapeTimeoutMs: 8000,
      scrapeTimeoutOffsetMs: 500,
      logLevel: 'info',
      logFormat: 'logfmt',
      targetIdleTimeoutMs: 30 * 60_000,
      demo: false,
      reloadDisabled: false,
    });
  });

  it('every flag', () => {
    expect(
      parseExporterOptions(
        {
          'web.listenAddress': '127.0.0.1:9700',
          'web.config.file': 'web.yml',
          'secrets.static': '/etc/bmc/secrets.yml',
          'scrape.timeout': '1m30s',
          'scrape.timeoutOffset': '0',
          'log.level': 'debug',
          'log.format': 'json',
          'target.idleTimeout': '2h',
          'web.disableReload': true,
          'sdr.maxRecords': '65535',
          'sdr.maxBytes': '64MiB',
          'sdr.cacheDir': '/var/cache/bmc-exporter',
        },
        noFiles,
      ),
    ).toEqual({
      listen: { host: '127.0.0.1', port: 9700 },
      webConfigFile: 'web.yml',
      secretsFile: '/etc/bmc/secrets.yml',
      scrapeTimeoutMs: 90_000,
      scrapeTimeoutOffsetMs: 0,
      logLevel: 'debug',
      logFormat: 'json',
      targetIdleTimeoutMs: 7_200_000,
      demo: false,
      reloadDisabled: true,
      sdrMaxRecords: 65535,
      sdrMaxBytes: 64 * 1024 * 1024,
      sdrCacheDir: '/var/cache/bmc-exporter',
    });
  });

  it('--sdr.max-records and --sdr.max-bytes: whole numbers, sizes with KiB/MiB/GiB; bad values name the flag', () => {
    expect(parseExporterOptions({ 'sdr.maxBytes': '1048576' }, withSecretsYml).sdrMaxBytes).toBe(1048576);
    expect(parseExporterOptions({ 'sdr.maxBytes': '512KiB' }, withSecretsYml).sdrMaxBytes).toBe(512 * 1024);
    expect(error({ 'sdr.maxRecords': '0' })).toBe('--sdr.max-records: "0" is not a whole number from 1 to 65535');
    expect(error({ 'sdr.maxRecords': '70000' })).toMatch(/^--sdr\.max-records: "70000"/);
    expect(error({ 'sdr.maxRecords': '1e3' })).toMatch(/^--sdr\.max-records/);
    expect(error({ 'sdr.maxBytes': '1MB' })).toBe('--sdr.max-bytes: "1MB" is not a size in bytes, e.g. 1048576, 512KiB or 4MiB');
    expect(error({ 'sdr.maxBytes': '0' })).toMatch(/^--sdr\.max-bytes/);
    expect(error({ 'sdr.cacheDir': ' ' })).toBe('--sdr.cache-dir: is empty; name a directory');
  });

  it('--collectors.default: a comma list of known collectors, opt-in ones allowed; bad lists name the flag and the known collectors', () => {
    expect(parseExporterOptions({ 'collectors.default': 'chassis, sensors,fans' }, withSecretsYml).defaultCollectors).toEqual(['chassis', 'sensors', 'fans']);
    expect(parseExporterOptions({}, withSecretsYml).defaultCollectors).toBeUndefined();
    expect(error({ 'collectors.default': 'chassis,fanz' })).toMatch(
      /^--collectors\.default: unknown collector "fanz"; known collectors: bmc_info, chassis, .*sensors/,
    );
    expect(error({ 'collectors.default': '' })).toMatch(/^--collectors\.default: name at least one collector/);
    expect(error({ 'collectors.default': 'chassis,,fans' })).toMatch(/^--collectors\.default: a collector name is empty/);
  });

  it('demo mode: asked for, or no secrets file at all', () => {
    expect(parseExporterOptions({ demo: true }, withSecretsYml)).toMatchObject({ demo: true, demoReason: 'flag' });
    expect(parseExporterOptions({ demo: true }, withSecretsYml).secretsFile).toBeUndefined();
    expect(parseExporterOptions({}, noFiles)).toMatchObject({ demo: true, demoReason: 'no-secrets-file' });
    // ./secrets.yml (bmc_exporter's default) is used when it is there.
    expect(parseExporterOptions({}, withSecretsYml)).toMatchObject({ demo: false, secretsFile: 'secrets.yml' });
    // A named file is never replaced by a demo, even when missing: loading it reports the error.
    expect(parseExporterOptions({ 'secrets.static': 'gone.yml' }, noFiles)).toMatchObject({ demo: false, secretsFile: 'gone.yml' });
    // ipmi_exporter's modules file alone: /ipmi, no demo.
    expect(parseExporterOptions({ 'config.file': 'ipmi.yml', 'ipmi.allowedTargets': '127.30.0.0/16' }, noFiles)).toMatchObject({
      demo: false,
      ipmiConfigFile: 'ipmi.yml',
      ipmiAllowedTargets: '127.30.0.0/16',
    });
  });

  it.each<[string, ExporterFlags, string]>([
    ['bad duration', { 'scrape.timeout': '8 seconds' }, '--scrape.timeout: invalid duration "8 seconds": use a number with a unit, e.g. 500ms, 5s, 1m30s'],
    ['duration without unit', { 'scrape.timeoutOffset': '500' }, '--scrape.timeout-offset: invalid duration "500"'],
    ['units out of order', { 'target.idleTimeout': '30s1m' }, '--target.idle-timeout: invalid duration "30s1m": units must go from largest to smallest'],
    ['zero scrape timeout', { 'scrape.timeout': '0' }, '--scrape.timeout: must be longer than 0'],
    ['unknown level', { 'log.level': 'verbose' }, '--log.level: "verbose" is not one of debug, info, warn, error'],
    ['unknown format', { 'log.format': 'text' }, '--log.format: "text" is not one of logfmt, json'],
    ['bad listen address', { 'web.listenAddress': '9622' }, '--web.listen-address: "9622" has no port; write host:port or :port'],
    ['demo and secrets', { demo: true, 'secrets.static': 's.yml' }, '--demo: runs simulated BMCs with their own credentials; leave out --secrets.static'],
    ['empty web config', { 'web.config.file': '' }, '--web.config.file: is empty'],
    ['allow-list without a modules file', { 'ipmi.allowedTargets': '127.30.0.0/16' }, '--ipmi.allowed-targets: applies to /ipmi, which needs --config.file'],
  ])('%s', (_what, flags, message) => {
    expect(error(flags).startsWith(message)).toBe(true);
  });
});

describe('parseListenAddress', () => {
  it.each<[string, { host?: string; port: number }]>([
    [':9622', { port: 9622 }],
    ['0.0.0.0:9622', { host: '0.0.0.0', port: 9622 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['[::1]:9622', { host: '::1', port: 9622 }],
    ['[::]:9622', { host: '::', port: 9622 }],
    ['localhost:9622', { host: 'localhost', port: 9622 }],
  ])('%s', (text, want) => {
    expect(parseListenAddress(text)).toEqual(want);
  });

  it.each([
    ['9622', 'has no port'],
    [':', 'has port "", not a number from 0 to 65535'],
    [':65536', 'has port "65536"'],
    [':http', 'has port "http"'],
    ['::1:9622', 'has an IPv6 address without brackets'],
    ['[::1:9622', 'has an unbalanced bracket'],
  ])('%s is refused', (text, why) => {
    expect(() => parseListenAddress(text)).toThrow(`--web.listen-address: "${text}" ${why}`);
  });
});
