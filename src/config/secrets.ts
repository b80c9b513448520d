import { readFile } from 'node:fs/promises';
import { isScalar } from 'yaml';
import type { Node } from 'yaml';
import { ConfigError } from './config-error.js';
import { formatHostPort, InvalidArgumentError, parseHostPort } from '@bmc-exporter/ipmi';
import { cidrMatcher, formatCidr, isCidrKey, parseCidr } from './cidr.js';
import type { CidrRange } from './cidr.js';
import { YamlSource } from './yaml-source.js';

export { ConfigError } from './config-error.js';

/**
 * The secrets file of gebn/bmc_exporter (a YAML map from target to
 * username/password) plus optional per-target fields, and CIDR-range keys.
 */

export type Privilege = 'user' | 'operator' | 'administrator';
export type IpmiVersionSetting = '1.5' | '2.0' | 'auto';

export interface TargetConfig {
  username: string;
  password: string;
  privilege?: Privilege;
  cipherSuites?: number[];
  ipmiVersion?: IpmiVersionSetting;
  collectors?: string[];
}

export interface Secrets {
  /** The entry for a target as Prometheus passes it, or undefined: never send a packet then. */
  lookup(target: string): TargetConfig | undefined;
  readonly size: number;
  /** Keys as written in the file, for listing (never with passwords). */
  targets(): string[];
}

const PRIVILEGES = ['user', 'operator', 'administrator'] as const;
const IPMI_VERSIONS = ['1.5', '2.0', 'auto'] as const;

/** Each field an entry may have: the file's name for it, and what it holds. */
const FIELDS = {
  username: 'the BMC user name (required)',
  password: 'the BMC password (required)',
  privilege: 'session privilege: user, operator or administrator',
  cipher_suites: 'RMCP+ cipher suite ids to offer, in order of preference',
  ipmi_version: '"1.5", "2.0" or "auto"',
  collectors: 'collector names to run for this target',
} as const;

interface CidrEntry {
  readonly range: CidrRange;
  readonly config: TargetConfig;
}

class SecretsTable implements Secrets {
  private readonly matchers: ReadonlyArray<{ matches: ReturnType<typeof cidrMatcher>; config: TargetConfig }>;

  constructor(
    private readonly exact: ReadonlyMap<string, TargetConfig>,
    private readonly normalised: ReadonlyMap<string, TargetConfig>,
    /** Sorted longest prefix first, so the first match is the most specific. */
    private readonly ranges: readonly CidrEntry[],
    private readonly keys: readonly string[],
  ) {
    this.matchers = ranges.map((e) => ({ matches: cidrMatcher(e.range), config: e.config }));
  }

  get size(): number {
    return this.keys.length;
  }

  get parts(): SecretsParts {
    return { exact: this.exact, normalised: this.normalised, ranges: this.ranges, keys: this.keys };
  }

  targets(): string[] {
    return [...this.keys];
  }

  lookup(target: string): TargetConfig | undefined {
    // bmc_exporter looks the target up verbatim; that must keep working first.
    const exact = this.exact.get(target);
    if (exact) return exact;
    let hp;
    try {
      hp = parseHostPort(target);
    } catch {
      return undefined;
    }
    const byName = this.normalised.get(formatHostPort(hp));
    if (byName) return byName;
    // Hostnames are never resolved here: a range only covers IP-literal targets.
    const family = hp.family;
    if (family === 0 || hp.host.includes('%')) return undefined;
    return this.matchers.find((m) => m.matches(hp.host, family, hp.port))?.config;
  }
}

/** A parsed table as plain data, for handing from the parsing worker to the main thread (structured clone). */
export interface SecretsParts {
  readonly exact: ReadonlyMap<string, TargetConfig>;
  readonly normalised: ReadonlyMap<string, TargetConfig>;
  readonly ranges: readonly CidrEntry[];
  readonly keys: readonly string[];
}

export function secretsToParts(secrets: Secrets): SecretsParts {
  if (!(secrets instanceof SecretsTable)) throw new TypeError('only a parsed secrets table has parts');
  return secrets.parts;
}

export function secretsFromParts(parts: SecretsParts): Secrets {
  return new SecretsTable(parts.exact, parts.normalised, parts.ranges, parts.keys);
}

export interface ParseSecretsOptions {
  /** Collector names a `collectors:` list may use; when given, any other name is refused with its line. */
  knownCollectors?: readonly string[];
}

export function parseSecrets(text: string, fileName: string, options: ParseSecretsOptions = {}): Secrets {
  const src = new YamlSource(text, fileName);
  const map = src.rootMap('targets ("192.0.2.1:623":) to their credentials');
  const exact = new Map<string, TargetConfig>();
  const normalised = new Map<string, { config: TargetConfig; key: string; line?: number }>();
  const ranges = new Map<string, { entry: CidrEntry; key: string; line?: number }>();
  const keys: string[] = [];

  for (const { key, keyNode, value } of map ? src.pairs(map, 'target keys') : []) {
    const config = parseEntry(src, key, value, keyNode, options);
    const line = src.position(keyNode)?.line;
    try {
      if (isCidrKey(key)) {
        const range = parseCidr(key);
        const canon = formatCidr(range);
        const prior = ranges.get(canon);
        if (prior) throw sameAs(src, keyNode, key, prior);
        ranges.set(canon, { entry: { range, config }, key, line });
      } else {
        const canon = formatHostPort(parseHostPort(key));
        const prior = normalised.get(canon);
        if (prior) throw sameAs(src, keyNode, key, prior);
        normalised.set(canon, { config, key, line });
      }
    } catch (err) {
      if (err instanceof InvalidArgumentError) throw src.error(keyNode, `bad target key: ${err.message}`);
      throw err;
    }
    exact.set(key, config);
    keys.push(key);
  }

  const sorted = [...ranges.values()].map((r) => r.entry).sort((a, b) => b.range.prefixLength - a.range.prefixLength);
  return new SecretsTable(exact, new Map([...normalised].map(([k, v]) => [k, v.config])), sorted, keys);
}

function sameAs(src: YamlSource, node: Node, key: string, prior: { key: string; line?: number }): ConfigError {
  return src.error(node, `"${key}" is the same target as "${prior.key}"${prior.line ? ` on line ${prior.line}` : ''}; keep one entry`);
}

function parseEntry(src: YamlSource, key: string, value: Node | null, keyNode: Node, options: ParseSecretsOptions): TargetConfig {
  if (value === null || (isScalar(value) && value.value === null)) throw src.error(keyNode, `"${key}" has no credentials: give it username: and password: on the lines below, indented`);
  const entry = src.map(value, `"${key}"`);
  const seen = new Map<string, Node | null>();
  for (const { key: field, keyNode: fieldNode, value: v } of src.pairs(entry, `"${key}"`)) {
    if (!Object.hasOwn(FIELDS, field)) {
      throw src.error(fieldNode, `unknown field "${field}" in "${key}"; the fields are ${Object.keys(FIELDS).join(', ')}`);
    }
    seen.set(field, v);
  }
  for (const required of ['username', 'password'] as const) {
    if (!seen.has(required)) throw src.error(value, `"${key}" has no ${required}: add "${required}:" (${FIELDS[required]})`);
  }
  const config: TargetConfig = {
    username: src.string(seen.get('username') ?? null, 'username'),
    password: src.string(seen.get('password') ?? null, 'password'),
  };
  const privilege = seen.get('privilege');
  if (privilege !== undefined) config.privilege = oneOf(src, privilege, 'privilege', PRIVILEGES);
  const version = seen.get('ipmi_version');
  if (version !== undefined) config.ipmiVersion = oneOf(src, version, 'ipmi_version', IPMI_VERSIONS);
  const suites = seen.get('cipher_suites');
  if (suites !== undefined) {
    const items = src.list(suites, 'cipher_suites');
    if (items.length === 0) throw src.error(suites, 'cipher_suites is empty; remove it to use the defaults, or list suite ids such as [17, 3]');
    config.cipherSuites = items.map((n) => src.int(n, 'each cipher suite id', 0, 255));
  }
  const collectors = seen.get('collectors');
  if (collectors !== undefined) {
    const items = src.list(collectors, 'collectors');
    config.collectors = items.map((n) => {
      const name = src.string(n, 'each collector name').trim();
      if (name === '') throw src.error(n, 'a collector name is empty');
      const known = options.knownCollectors;
      if (known && !known.includes(name)) {
        throw src.error(n, `unknown collector "${name}"; known collectors: ${known.join(', ')}`);
      }
      return name;
    });
  }
  return config;
}

function oneOf<T extends string>(src: YamlSource, node: Node | null, field: string, allowed: readonly T[]): T {
  const text = src.string(node, field);
  if (!(allowed as readonly string[]).includes(text)) {
    throw src.error(node, `${field} is "${text}"; use one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return text as T;
}

export async function loadSecretsFile(path: string, options: ParseSecretsOptions = {}): Promise<Secrets> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new ConfigError(path, `cannot read the secrets file: ${why}`);
  }
  return parseSecrets(text, path, options);
}
