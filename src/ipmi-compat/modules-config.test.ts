import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { DEFAULT_MODULE_COLLECTORS, parseModulesConfig } from './modules-config.js';

const parse = (text: string) => parseModulesConfig(text, 'ipmi.yml');

function failure(text: string): ConfigError {
  try {
    parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseModulesConfig: ipmi_exporter modules file', () => {
  it('reads every key of ipmi_exporter 1.6.1 and later, as ipmi_exporter does', () => {
    const c = parse(`modules:
  default:
    user: "admin"
    pass: "0123"
    driver: "LAN_2_0"
    privilege: "admin"
    timeout: 10000
    collectors: [bmc, ipmi, chassis, sel-events, bmc-watchdog, sm-lan-mode, dcmi, sel]
    exclude_sensor_ids: [2, 29]
    workaround_flags: [opensesspriv]
    sel_events:
      - name: ecc
        regex: "(?i)correctable (?P<kind>memory) error"
  old:
    user: u
    pass: p
    driver: LAN
    privilege: USER
    custom_args:
      ipmi: ["--bridge-sensors"]
    collector_cmd:
      ipmi: sudo
  empty:
`);
    const d = c.modules.get('default')!;
    expect(d).toMatchObject({ user: 'admin', pass: '0123', ipmiVersion: '2.0', privilege: 'administrator', timeoutMs: 10000 });
    expect(d.collectors).toEqual(['bmc', 'ipmi', 'chassis', 'sel-events', 'bmc-watchdog', 'sm-lan-mode', 'dcmi', 'sel']);
    expect([...d.excludeSensorIds]).toEqual([2, 29]);
    expect(d.selEvents[0]!.name).toBe('ecc');
    expect(d.selEvents[0]!.regex.test('Correctable memory error')).toBe(true);
    expect(c.modules.get('old')).toMatchObject({ ipmiVersion: '1.5', privilege: 'user', collectors: DEFAULT_MODULE_COLLECTORS });
    expect(c.modules.get('empty')!.collectors).toEqual(DEFAULT_MODULE_COLLECTORS);
    expect(c.ignored).toEqual(['default.workaround_flags (opensesspriv)', 'old.custom_args', 'old.collector_cmd']);
  });

  it('an empty file has no modules (every /ipmi scrape then answers 400)', () => {
    expect(parse('# nothing yet\n').modules.size).toBe(0);
  });

  it.each([
    ['an unknown top-level key', 'modules: {}\nmodule:\n  x: {}\n', 2, 'unknown field "module" at the top level'],
    [
      'an unknown module key, with the known ones',
      'modules:\n  a:\n    user: u\n    password: p\n',
      4,
      'unknown field "password" in module "a"; the fields are user, pass,',
    ],
    ['an unknown collector', 'modules:\n  a:\n    collectors: [ipmi, sensors]\n', 3, 'invalid collector: sensors'],
    ['an in-band driver', 'modules:\n  a:\n    driver: KCS\n', 3, 'driver is "KCS"; over the network use "LAN_2_0"'],
    ['a bad privilege', 'modules:\n  a:\n    privilege: root\n', 3, 'privilege is "root"'],
    ['a timeout that is not a number', 'modules:\n  a:\n    timeout: 10s\n', 3, 'timeout (milliseconds) must be a whole number'],
    ['an unknown workaround flag', 'modules:\n  a:\n    workaround_flags: [opensespriv]\n', 3, 'unknown FreeIPMI workaround flag "opensespriv"'],
    ['a regex that does not compile', 'modules:\n  a:\n    sel_events:\n      - name: x\n        regex: "(unclosed"\n', 5, 'regex does not compile'],
    ['a sel_events entry without a regex', 'modules:\n  a:\n    sel_events:\n      - name: x\n', 4, 'needs both name: and regex:'],
    ['broken YAML', 'modules:\n  a:\n    user: [u\n', 4, 'not valid YAML'],
    ['a module listed twice', 'modules:\n  a: {}\n  a: {}\n', 3, 'appears twice'],
  ])('%s stops the start with the line and a message', (_what, text, line, message) => {
    const err = failure(text);
    expect(err.line).toBe(line);
    expect(err.message).toMatch(new RegExp(`^ipmi\\.yml:${line}:\\d+: `));
    expect(err.message).toContain(message);
  });

  it('never quotes a password in an error', () => {
    const err = failure('modules:\n  a:\n    pass: "s3cret-value"\n    bogus: 1\n');
    expect(err.message).not.toContain('s3cret-value');
  });
});
