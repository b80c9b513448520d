import { readFile } from 'node:fs/promises';
import { isScalar } from 'yaml';
import type { Node } from 'yaml';
import { ConfigError } from '../config/config-error.js';
import { YamlSource } from '../config/yaml-source.js';

/**
 * prometheus-community/ipmi_exporter's configuration file (`--config.file`):
 * a `modules:` map of module name to the credentials and collectors used
 * when Prometheus scrapes `/ipmi?target=...&module=<name>`. Read as that
 * exporter reads it (yaml.v2 into structs with an inline catch-all that
 * must stay empty): unknown keys stop the start, every known key is
 * accepted. Keys that only steer FreeIPMI child processes are accepted and
 * reported once as having no effect here.
 */

/** The collector names ipmi_exporter knows (1.6.1 plus the FreeIPMI-mode ones added later). */
export const COMPAT_COLLECTORS = ['ipmi', 'dcmi', 'bmc', 'bmc-watchdog', 'chassis', 'sel', 'sel-events', 'sm-lan-mode'] as const;
export type CompatCollectorName = (typeof COMPAT_COLLECTORS)[number];

/** ipmi_exporter's collectors when a module names none (config.go defaultConfig). */
export const DEFAULT_MODULE_COLLECTORS: readonly CompatCollectorName[] = ['ipmi', 'dcmi', 'bmc', 'chassis'];

/** FreeIPMI driver types that reach a BMC over the network; the in-band ones have no meaning for /ipmi. */
const DRIVERS = { LAN: '1.5', LAN_2_0: '2.0' } as const;
/** FreeIPMI privilege-level values (case-insensitive there) and the session privilege each asks for. */
const PRIVILEGES = { user: 'user', operator: 'operator', admin: 'administrator' } as const;

/**
 * FreeIPMI's workaround flags (freeipmi.conf(5), the tools' WORKAROUNDS
 * sections). None changes what our client does: it already tolerates the
 * quirks that matter for reading sensors (an Open Session answer with another
 * privilege, a discrete reading on a threshold sensor, ...), so each is
 * accepted and named in the one start-up warning.
 */
const WORKAROUND_FLAGS = new Set([
  'none',
  'assumeio',
  'spinpoll',
  'authcap',
  'nochecksumcheck',
  'idzero',
  'unexpectedauth',
  'forcepermsg',
  'endianseq',
  'noauthcodecheck',
  'intel20',
  'supermicro20',
  'sun20',
  'opensesspriv',
  'integritycheckvalue',
  'discretereading',
  'ignorescanningdisabled',
  'assumebmcowner',
  'ignoreauthcode',
  'assumemaxsdrrecordcount',
  'assumesystemevent',
  'malformedack',
  'skipchecks',
  'slowcommit',
  'veryslowcommit',
  'solpayloadsize',
  'solport',
  'solstatus',
  'serialalertsdeferred',
]);

/** Every key a module may have, and what it is for (the message for an unknown key lists them). */
const MODULE_KEYS = [
  'user',
  'pass',
  'privilege',
  'driver',
  'timeout',
  'collectors',
  'exclude_sensor_ids',
  'workaround_flags',
  'collector_cmd',
  'default_args',
  'custom_args',
  'sel_events',
] as const;
/** Keys whose whole purpose is to shape a FreeIPMI command line. */
const FREEIPMI_ONLY_KEYS = ['collector_cmd', 'default_args', 'custom_args'] as const;

export interface SelEventRule {
  name: string;
  regex: RegExp;
}

export interface IpmiModule {
  name: string;
  user: string;
  pass: string;
  /** Absent: FreeIPMI's default would be IPMI 1.5 (driver LAN); we negotiate (2.0, else 1.5). */
  ipmiVersion?: '1.5' | '2.0';
  privilege?: 'user' | 'operator' | 'administrator';
  /** FreeIPMI session-timeout in ms (accepted; the scrape deadline bounds our work). */
  timeoutMs?: number;
  collectors: readonly CompatCollectorName[];
  excludeSensorIds: ReadonlySet<number>;
  selEvents: readonly SelEventRule[];
}

export interface ModulesConfig {
  modules: ReadonlyMap<string, IpmiModule>;
  /** "module.key" settings that have no effect without FreeIPMI, for the one start-up warning. */
  ignored: readonly string[];
}

export function parseModulesConfig(text: string, file: string): ModulesConfig {
  const src = new YamlSource(text, file);
  const root = src.rootMap('settings with a "modules:" map');
  const modules = new Map<string, IpmiModule>();
  const ignored: string[] = [];
  if (!root) return { modules, ignored };
  for (const { key, keyNode, value } of src.pairs(root, 'top-level keys')) {
    if (key !== 'modules') throw src.error(keyNode, `unknown field "${key}" at the top level; the file has one key, "modules:"`);
    if (value === null || (isScalar(value) && value.value === null)) continue;
    for (const m of src.pairs(src.map(value, 'modules'), 'module names')) {
      modules.set(m.key, parseModule(src, m.key, m.keyNode, m.value, ignored));
    }
  }
  return { modules, ignored };
}

function parseModule(src: YamlSource, name: string, keyNode: Node, value: Node | null, ignored: string[]): IpmiModule {
  const module: IpmiModule = { name, user: '', pass: '', collectors: DEFAULT_MODULE_COLLECTORS, excludeSensorIds: new Set(), selEvents: [] };
  // An empty module is FreeIPMI's defaults, as ipmi_exporter's defaultConfig.
  if (value === null || (isScalar(value) && value.value === null)) return module;
  const map = src.map(value, `module "${name}"`);
  for (const { key, keyNode: k, value: v } of src.pairs(map, `module "${name}"`)) {
    if (!(MODULE_KEYS as readonly string[]).includes(key)) {
      throw src.error(k, `unknown field "${key}" in module "${name}"; the fields are ${MODULE_KEYS.join(', ')}`);
    }
    if (v === null || (isScalar(v) && v.value === null)) continue; // yaml.v2 leaves the field at its zero value
    switch (key) {
      case 'user':
        module.user = src.string(v, 'user');
        break;
      case 'pass':
        module.pass = src.string(v, 'pass');
        break;
      case 'driver': {
        const text = src.string(v, 'driver');
        const version = (DRIVERS as Record<string, '1.5' | '2.0'>)[text.toUpperCase()];
        if (!version) throw src.error(v, `driver is "${text}"; over the network use "LAN_2_0" (RMCP+, IPMI 2.0) or "LAN" (IPMI 1.5)`);
        module.ipmiVersion = version;
        break;
      }
      case 'privilege': {
        const text = src.string(v, 'privilege');
        const p = (PRIVILEGES as Record<string, IpmiModule['privilege']>)[text.toLowerCase()];
        if (!p) throw src.error(v, `privilege is "${text}"; use "user", "operator" or "admin"`);
        module.privilege = p;
        break;
      }
      case 'timeout':
        module.timeoutMs = src.int(v, 'timeout (milliseconds)', 0, 0xffffffff);
        break;
      case 'collectors':
        module.collectors = src.list(v, 'collectors').map((n) => {
          const c = src.string(n, 'each collector name');
          if (!(COMPAT_COLLECTORS as readonly string[]).includes(c))
            throw src.error(n, `invalid collector: ${c}; the collectors are ${COMPAT_COLLECTORS.join(', ')}`);
          return c as CompatCollectorName;
        });
        break;
      case 'exclude_sensor_ids':
        module.excludeSensorIds = new Set(src.list(v, 'exclude_sensor_ids').map((n) => src.int(n, 'each excluded sensor id', 0, Number.MAX_SAFE_INTEGER)));
        break;
      case 'workaround_flags': {
        const flags = src.list(v, 'workaround_flags').map((n) => {
          const f = src.string(n, 'each workaround flag');
          if (!WORKAROUND_FLAGS.has(f)) throw src.error(n, `unknown FreeIPMI workaround flag "${f}"; see freeipmi.conf(5) for the flags`);
          return f;
        });
        if (flags.length > 0) ignored.push(`${name}.workaround_flags (${flags.join(', ')})`);
        break;
      }
      case 'sel_events':
        module.selEvents = src.list(v, 'sel_events').map((item) => parseSelEvent(src, name, item));
        break;
      default: {
        // collector_cmd / default_args / custom_args: maps keyed by collector name.
        const m = src.map(v, key);
        for (const entry of src.pairs(m, key)) {
          if (!(COMPAT_COLLECTORS as readonly string[]).includes(entry.key)) throw src.error(entry.keyNode, `${key}: invalid collector: ${entry.key}`);
          if (key === 'collector_cmd') src.string(entry.value, `${key}.${entry.key}`);
          else if (entry.value !== null) src.list(entry.value, `${key}.${entry.key}`).forEach((a) => src.string(a, `each argument of ${key}.${entry.key}`));
        }
        if (m.items.length > 0 && (FREEIPMI_ONLY_KEYS as readonly string[]).includes(key)) ignored.push(`${name}.${key}`);
      }
    }
  }
  return module;
}

function parseSelEvent(src: YamlSource, module: string, item: Node): SelEventRule {
  const map = src.map(item, `each entry of ${module}.sel_events`);
  let name: string | undefined;
  let regex: RegExp | undefined;
  for (const { key, keyNode, value } of src.pairs(map, 'sel_events entry')) {
    if (key === 'name') name = src.string(value, 'sel_events name');
    else if (key === 'regex') regex = goRegex(src, value);
    else throw src.error(keyNode, `unknown field "${key}" in a sel_events entry; the fields are name, regex`);
  }
  if (name === undefined || regex === undefined) throw src.error(item, 'a sel_events entry needs both name: and regex:');
  return { name, regex };
}

/**
 * A Go (RE2) regular expression as JavaScript runs it: `(?P<name>` is
 * written `(?<name>`, and a leading `(?i)`/`(?s)`/`(?m)` becomes a flag.
 * Anything JavaScript cannot compile is refused with its line.
 */
function goRegex(src: YamlSource, node: Node | null): RegExp {
  let text = src.string(node, 'sel_events regex');
  let flags = '';
  const lead = /^\(\?([ims]+)\)/.exec(text);
  if (lead) {
    flags = [...new Set(lead[1])].join('');
    text = text.slice(lead[0].length);
  }
  try {
    return new RegExp(text.replaceAll('(?P<', '(?<'), flags);
  } catch (err) {
    throw src.error(node, `regex does not compile: ${(err as Error).message}`);
  }
}

export async function loadModulesConfig(path: string): Promise<ModulesConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      path,
      `cannot read the config file: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`,
    );
  }
  return parseModulesConfig(text, path);
}
