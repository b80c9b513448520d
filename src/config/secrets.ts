import { Buffer } from 'node:buffer';
import { open, readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isScalar } from 'yaml';
import type { Node } from 'yaml';
import { ConfigError } from './config-error.js';
import { formatHostPort, InvalidArgumentError, parseHostPort } from '@bmc-exporter/ipmi/address';
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
/** How the exporter talks to the BMC: IPMI over LAN, Redfish over HTTPS, or whichever the BMC offers (Redfish first). */
export type TransportSetting = 'ipmi' | 'redfish' | 'auto';

export interface TargetConfig {
  username: string;
  password: string;
  privilege?: Privilege;
  cipherSuites?: number[];
  ipmiVersion?: IpmiVersionSetting;
  collectors?: string[];
  /** Default 'ipmi'. */
  transport?: TransportSetting;
  /** TCP port of the BMC's Redfish service (HTTPS); default 443. The target key's port stays the IPMI port. */
  redfishPort?: number;
  /** PEM CA certificate(s) the BMC's Redfish certificate must chain to (the contents of `ca_file`). */
  ca?: string;
  /** `ca_file` as written in the secrets file, for messages. */
  caFile?: string;
  /** Accept any Redfish certificate: an explicit opt-in for lab BMCs. */
  insecureSkipVerify?: boolean;
  /** Labels Prometheus attaches to the target when it discovers it through GET /discover. */
  labels?: Record<string, string>;
}

/** One http_sd target group: Prometheus' `[{"targets": [...], "labels": {...}}]`. */
export interface DiscoveryGroup {
  targets: string[];
  labels: Record<string, string>;
}

export interface Secrets {
  /** The entry for a target as Prometheus passes it, or undefined: never send a packet then. */
  lookup(target: string): TargetConfig | undefined;
  readonly size: number;
  /** Keys as written in the file, for listing (never with passwords). */
  targets(): string[];
  /**
   * The exact (non-range) keys in file order, as http_sd target groups: one
   * group per distinct label set. Ranges are not enumerated (a /16 is 65,536
   * addresses, most of them not BMCs).
   */
  discovery(): DiscoveryGroup[];
}

const PRIVILEGES = ['user', 'operator', 'administrator'] as const;
const IPMI_VERSIONS = ['1.5', '2.0', 'auto'] as const;
const TRANSPORTS = ['ipmi', 'redfish', 'auto'] as const;
/** Fields that only mean something when the exporter may speak Redfish to the target. */
const REDFISH_FIELDS = ['redfish_port', 'ca_file', 'insecure_skip_verify'] as const;

/** Each field an entry may have: the file's name for it, and what it holds. */
const FIELDS = {
  username: 'the BMC user name (required)',
  password: 'the BMC password (this or password_file is required)',
  password_file: 'a file holding the BMC password, relative to this file; one trailing newline is dropped',
  privilege: 'session privilege: user, operator or administrator',
  cipher_suites: 'RMCP+ cipher suite ids to offer, in order of preference',
  ipmi_version: '"1.5", "2.0" or "auto"',
  collectors: 'collector names to run for this target',
  labels: 'a map of label: value that GET /discover attaches to this target',
  transport: 'ipmi (default), redfish, or auto (Redfish when the BMC serves /redfish/v1, else IPMI)',
  redfish_port: 'TCP port of the Redfish service (HTTPS), default 443',
  ca_file: 'a PEM file of the CA(s) the Redfish certificate must chain to, relative to this file',
  insecure_skip_verify: 'true: accept any Redfish certificate (lab BMCs only)',
} as const;

/** Prometheus label names; the `__` prefix is reserved for Prometheus' own. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface CidrEntry {
  /** The key as written in the file. */
  readonly key: string;
  readonly range: CidrRange;
  readonly config: TargetConfig;
}

class SecretsTable implements Secrets {
  private readonly matchers: ReadonlyArray<{ matches: ReturnType<typeof cidrMatcher>; config: TargetConfig }>;

  constructor(
    /**
     * Key as written -> entry, and canonical host:port -> entry. Shared with
     * the table a small reload patched (see patchSecrets), which then gives
     * the same answers as this one.
     */
    readonly exact: Map<string, TargetConfig>,
    readonly normalised: Map<string, TargetConfig>,
    /** Sorted longest prefix first, so the first match is the most specific. */
    private readonly ranges: readonly CidrEntry[],
    readonly keys: readonly string[],
    readonly rangeKeys: ReadonlySet<string>,
    /** Per key (same order): its canonical host:port, or null for a range key. */
    readonly canonical: ReadonlyArray<string | null>,
  ) {
    this.matchers = ranges.map((e) => ({ matches: cidrMatcher(e.range), config: e.config }));
  }

  discovery(): DiscoveryGroup[] {
    if (this.successor) return this.successor.discovery();
    this.groups ??= this.groupByLabels();
    // Each caller gets arrays of its own: the computed groups serve every request until the next reload.
    return this.groups.map((g) => ({ targets: [...g.targets], labels: { ...g.labels } }));
  }

  private groups: DiscoveryGroup[] | undefined;

  /** The table that patched the entries this one shares (patchSecrets): it answers for this one. */
  private successor: SecretsTable | undefined;

  retire(successor: SecretsTable): void {
    this.successor = successor;
    this.decodedFrom = undefined;
  }

  private groupByLabels(): DiscoveryGroup[] {
    const groups = new Map<string, DiscoveryGroup>();
    for (const key of this.keys) {
      if (this.rangeKeys.has(key)) continue;
      const labels = this.exact.get(key)?.labels ?? {};
      const id = labelSetId(labels);
      let group = groups.get(id);
      if (!group) groups.set(id, (group = { targets: [], labels: { ...labels } }));
      group.targets.push(key);
    }
    return [...groups.values()];
  }

  get size(): number {
    return this.keys.length;
  }

  /**
   * The slices decodeSecrets built this table from, and the index of each
   * one's first row; undefined once a newer table has patched the entries
   * this one shares (they no longer match these slices).
   */
  decodedFrom: { readonly slices: readonly Uint8Array[]; readonly ranges: string; readonly starts: readonly number[] } | undefined;

  /** The table as JSON slices (see encodeSecrets). */
  encode(perSlice: number): EncodedSecrets {
    const utf8 = new TextEncoder();
    const slices: Array<Uint8Array<ArrayBuffer>> = [];
    for (let from = 0; from < this.keys.length; from += perSlice) {
      const rows: Array<[string, string | null, TargetConfig]> = [];
      for (let i = from; i < Math.min(from + perSlice, this.keys.length); i++) {
        const key = this.keys[i]!;
        rows.push([key, this.canonical[i]!, this.exact.get(key)!]);
      }
      slices.push(utf8.encode(JSON.stringify(rows)));
    }
    return { slices, ranges: JSON.stringify(this.ranges.map((r) => [r.key, r.range])) };
  }

  targets(): string[] {
    return [...this.keys];
  }

  lookup(target: string): TargetConfig | undefined {
    if (this.successor) return this.successor.lookup(target);
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

/** One string per label set, whatever the order its labels were written in. */
function labelSetId(labels: Record<string, string>): string {
  const names = Object.keys(labels);
  // Most targets have no labels: skip the sorting and JSON for them.
  if (names.length === 0) return '';
  return JSON.stringify(names.sort().map((n) => [n, labels[n]]));
}

/**
 * A parsed table as JSON text, for handing from the parsing worker to the
 * main thread. 50,000 config objects in Maps cost the receiving thread some
 * 100 ms to clone in one piece, and even 5 MB of strings some 10 ms to copy
 * into its heap; each slice is UTF-8 bytes in an ArrayBuffer of its own,
 * which the worker transfers (no copy). Each slice is a JSON list of [key,
 * canonical key or null for a range, config] rows, and decodeSecrets parses
 * at most one slice per event-loop turn, and only those that changed.
 */
export interface EncodedSecrets {
  readonly slices: readonly Uint8Array<ArrayBuffer>[];
  /** JSON list of [key, CidrRange], longest prefix first. */
  readonly ranges: string;
}

/** Rows a slice holds: a couple of milliseconds of JSON.parse each. */
const ROWS_PER_SLICE = 2000;

export function encodeSecrets(secrets: Secrets, perSlice = ROWS_PER_SLICE): EncodedSecrets {
  if (!(secrets instanceof SecretsTable)) throw new TypeError('only a parsed secrets table can be encoded');
  return secrets.encode(perSlice);
}

type Row = [key: string, canonical: string | null, config: TargetConfig];

function parseSlice(slice: Uint8Array): Row[] {
  return JSON.parse(Buffer.from(slice.buffer, slice.byteOffset, slice.byteLength).toString('utf8')) as Row[];
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a !== undefined && b !== undefined && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** The same slices, byte for byte, as `from` was decoded from. */
function sameSlices(from: NonNullable<SecretsTable['decodedFrom']>, encoded: EncodedSecrets): boolean {
  return from.ranges === encoded.ranges && from.slices.length === encoded.slices.length && from.slices.every((x, i) => sameBytes(x, encoded.slices[i]));
}

/**
 * The most slices a reload may change and still be applied to the table in
 * force (patchSecrets): their rows' Map updates run in one event-loop turn,
 * a few milliseconds at 8,000 rows. A larger change builds a new table, one
 * slice per turn.
 */
const MAX_PATCHED_SLICES = 4;

/**
 * The table encodeSecrets encoded; awaits `turn()` between slices so the
 * caller's event loop keeps serving. With `previous` (the table in force,
 * which this call may take over, see patchSecrets) what did not change is
 * not built again.
 */
export async function decodeSecrets(encoded: EncodedSecrets, turn: () => Promise<void>, previous?: Secrets): Promise<Secrets> {
  const before = previous instanceof SecretsTable && previous.decodedFrom ? previous : undefined;
  const from = before?.decodedFrom;
  if (before && from) {
    if (sameSlices(from, encoded)) {
      // The same file as before, entry for entry: the table in force is the answer.
      return before;
    }
    const patched = await patchSecrets(before, from, encoded, turn);
    if (patched) return patched;
  }
  const exact = new Map<string, TargetConfig>();
  const normalised = new Map<string, TargetConfig>();
  const keys: string[] = [];
  const canonical: Array<string | null> = [];
  const rangeKeys = new Set<string>();
  const starts: number[] = [];
  const add = (key: string, canon: string | null, config: TargetConfig): void => {
    exact.set(key, config);
    keys.push(key);
    canonical.push(canon);
    if (canon === null) rangeKeys.add(key);
    else normalised.set(canon, config);
  };
  // A slice the same, byte for byte, as the one at its place in the previous table holds the same rows:
  // take that table's strings and configs instead of parsing again (while that table still holds them).
  for (const [index, slice] of encoded.slices.entries()) {
    await turn();
    starts.push(keys.length);
    if (before && from && before.decodedFrom === from && sameBytes(from.slices[index], slice)) {
      const to = from.starts[index + 1] ?? before.size;
      for (let i = from.starts[index]!; i < to; i++) add(before.keys[i]!, before.canonical[i]!, before.exact.get(before.keys[i]!)!);
    } else {
      for (const [key, canon, config] of parseSlice(slice)) add(key, canon, config);
    }
  }
  const table = new SecretsTable(exact, normalised, decodeRanges(encoded.ranges, exact), keys, rangeKeys, canonical);
  table.decodedFrom = { slices: encoded.slices, ranges: encoded.ranges, starts };
  return table;
}

/**
 * A reload that changed a few entries and kept every key in its place (a
 * rotated password, a new label): the changed slices are parsed, one per
 * turn, and their rows written into `before`'s Maps in one synchronous step,
 * which the returned table then shares. Nothing is rebuilt for the
 * unchanged rows (a 50,000-entry table costs the main thread tens of
 * milliseconds of Map inserts and leaves two Maps of garbage), and readers
 * never see half a file: until that step every lookup answers from the old
 * rows, after it from the new ones, through either table. `before` answers
 * like the new table from then on and cannot be patched or reused again.
 * Undefined (nothing touched) when keys were added, removed, renamed or
 * moved, or too many rows changed.
 */
async function patchSecrets(
  before: SecretsTable,
  from: NonNullable<SecretsTable['decodedFrom']>,
  encoded: EncodedSecrets,
  turn: () => Promise<void>,
): Promise<SecretsTable | undefined> {
  if (from.slices.length !== encoded.slices.length) return undefined;
  const changed: number[] = [];
  for (let i = 0; i < encoded.slices.length; i++) if (!sameBytes(from.slices[i], encoded.slices[i])) changed.push(i);
  if (changed.length > MAX_PATCHED_SLICES) return undefined;
  const writes: Row[][] = [];
  for (const i of changed) {
    await turn();
    const at = from.starts[i]!;
    const rows = parseSlice(encoded.slices[i]!);
    const to = from.starts[i + 1] ?? before.size;
    if (rows.length !== to - at) return undefined;
    for (let j = 0; j < rows.length; j++) {
      const [key, canon] = rows[j]!;
      if (key !== before.keys[at + j] || canon !== before.canonical[at + j]) return undefined;
    }
    writes.push(rows);
  }
  // Another decode that took `before` over meanwhile (only a caller not chaining its reloads): leave it be.
  if (before.decodedFrom !== from) return undefined;
  // From here to the return nothing awaits: the old rows are replaced all at once.
  for (const rows of writes) {
    for (const [key, canon, config] of rows) {
      before.exact.set(key, config);
      if (canon !== null) before.normalised.set(canon, config);
    }
  }
  const ranges = decodeRanges(encoded.ranges, before.exact);
  const table = new SecretsTable(before.exact, before.normalised, ranges, before.keys, before.rangeKeys, before.canonical);
  table.decodedFrom = { slices: encoded.slices, ranges: encoded.ranges, starts: from.starts };
  before.retire(table);
  return table;
}

/** encodeSecrets' ranges, each with the config its key has in `exact`. */
function decodeRanges(ranges: string, exact: ReadonlyMap<string, TargetConfig>): CidrEntry[] {
  return (JSON.parse(ranges) as Array<[string, CidrRange]>).map(([key, range]) => ({ key, range, config: exact.get(key)! }));
}

export interface ParseSecretsOptions {
  /** Collector names a `collectors:` list may use; when given, any other name is refused with its line. */
  knownCollectors?: readonly string[];
  /** The contents of a `ca_file:` (a path as written in the file), like passwordFile; without it, an entry with ca_file is refused. */
  caFile?: (path: string) => string;
  /**
   * The contents of a `password_file:` (a path as written in the file);
   * throws when it cannot be read. loadSecretsFile reads the files
   * asynchronously first and answers from what it read. Without it, an entry
   * with password_file is refused.
   */
  passwordFile?: (path: string) => string;
}

export function parseSecrets(text: string, fileName: string, options: ParseSecretsOptions = {}): Secrets {
  const src = new YamlSource(text, fileName, { plainSecrets: true });
  const map = src.rootMap('targets ("192.0.2.1:623":) to their credentials');
  const exact = new Map<string, TargetConfig>();
  /** Canonical key -> index of the entry that has it (for messages: its key and where it starts). */
  const firstOf = new Map<string, number>();
  const ranges = new Map<string, { entry: CidrEntry; index: number }>();
  const keys: string[] = [];
  const keyOffsets: Array<number | undefined> = [];
  const canonical: Array<string | null> = [];
  const rangeKeys = new Set<string>();

  for (const { key, keyNode, value } of map ? src.entries(map, 'target keys') : []) {
    const config = parseEntry(src, key, value, keyNode, options);
    const index = keys.length;
    try {
      if (isCidrKey(key)) {
        const range = parseCidr(key);
        const canon = formatCidr(range);
        const prior = ranges.get(canon);
        if (prior) throw sameAs(src, keyNode, key, keys[prior.index]!, keyOffsets[prior.index]);
        ranges.set(canon, { entry: { key, range, config }, index });
        rangeKeys.add(key);
        canonical.push(null);
      } else {
        const canon = formatHostPort(parseHostPort(key));
        const prior = firstOf.get(canon);
        if (prior !== undefined) throw sameAs(src, keyNode, key, keys[prior]!, keyOffsets[prior]);
        firstOf.set(canon, index);
        canonical.push(canon);
      }
    } catch (err) {
      if (err instanceof InvalidArgumentError) throw src.error(keyNode, `bad target key: ${err.message}`);
      throw err;
    }
    exact.set(key, config);
    keys.push(key);
    keyOffsets.push(keyNode.range?.[0]);
  }

  const normalised = new Map<string, TargetConfig>();
  for (let i = 0; i < keys.length; i++) {
    const canon = canonical[i];
    if (canon != null) normalised.set(canon, exact.get(keys[i]!)!);
  }
  const sorted = [...ranges.values()].map((r) => r.entry).sort((a, b) => b.range.prefixLength - a.range.prefixLength);
  return new SecretsTable(exact, normalised, sorted, keys, rangeKeys, canonical);
}

function sameAs(src: YamlSource, node: Node, key: string, priorKey: string, priorOffset: number | undefined): ConfigError {
  const line = priorOffset === undefined ? undefined : src.lineAt(priorOffset);
  return src.error(node, `"${key}" is the same target as "${priorKey}"${line ? ` on line ${line}` : ''}; keep one entry`);
}

function parseEntry(src: YamlSource, key: string, value: Node | null, keyNode: Node, options: ParseSecretsOptions): TargetConfig {
  if (value === null || (isScalar(value) && value.value === null))
    throw src.error(keyNode, `"${key}" has no credentials: give it username: and password: on the lines below, indented`);
  const entry = src.map(value, `"${key}"`);
  const seen = new Map<string, Node | null>();
  for (const { key: field, keyNode: fieldNode, value: v } of src.pairs(entry, `"${key}"`)) {
    if (!Object.hasOwn(FIELDS, field)) {
      throw src.error(fieldNode, `unknown field "${field}" in "${key}"; the fields are ${Object.keys(FIELDS).join(', ')}`);
    }
    seen.set(field, v);
  }
  if (!seen.has('username')) throw src.error(value, `"${key}" has no username: add "username:" (${FIELDS.username})`);
  if (!seen.has('password') && !seen.has('password_file')) {
    throw src.error(value, `"${key}" has no password: add "password:" or "password_file:" (a file holding it)`);
  }
  if (seen.has('password') && seen.has('password_file')) {
    throw src.error(seen.get('password_file') ?? value, `"${key}" has both password and password_file; keep one`);
  }
  const config: TargetConfig = {
    username: src.string(seen.get('username') ?? null, 'username'),
    password: seen.has('password')
      ? src.string(seen.get('password') ?? null, 'password')
      : passwordFromFile(src, key, seen.get('password_file') ?? null, options),
  };
  const labels = seen.get('labels');
  if (labels !== undefined) config.labels = parseLabels(src, key, labels);
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
  parseTransport(src, key, seen, config, options);
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

function parseTransport(src: YamlSource, key: string, seen: Map<string, Node | null>, config: TargetConfig, options: ParseSecretsOptions): void {
  const transport = seen.get('transport');
  if (transport !== undefined) config.transport = oneOf(src, transport, 'transport', TRANSPORTS);
  if ((config.transport ?? 'ipmi') === 'ipmi') {
    const stray = REDFISH_FIELDS.find((f) => seen.has(f));
    if (stray)
      throw src.error(seen.get(stray) ?? null, `"${key}": ${stray} applies to Redfish only; add "transport: redfish" or "transport: auto", or remove it`);
    return;
  }
  const port = seen.get('redfish_port');
  if (port !== undefined) config.redfishPort = src.int(port, 'redfish_port', 1, 65535);
  const insecure = seen.get('insecure_skip_verify');
  if (insecure !== undefined) config.insecureSkipVerify = src.bool(insecure, 'insecure_skip_verify');
  const caNode = seen.get('ca_file');
  if (caNode === undefined) return;
  if (config.insecureSkipVerify)
    throw src.error(caNode, `"${key}" has both ca_file and insecure_skip_verify: true; keep one (ca_file verifies, insecure_skip_verify does not)`);
  const path = src.string(caNode, 'ca_file');
  if (path.trim() === '') throw src.error(caNode, `"${key}": ca_file is empty; give the path of a PEM file holding the CA certificate`);
  if (!options.caFile) throw src.error(caNode, `"${key}": ca_file is only read when the secrets are loaded from a file`);
  let text: string;
  try {
    text = options.caFile(path);
  } catch (err) {
    throw src.error(caNode, `"${key}": cannot read ca_file "${path}": ${readFailure(err)}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----'))
    throw src.error(caNode, `"${key}": ca_file "${path}" holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  config.ca = text;
  config.caFile = path;
}

function passwordFromFile(src: YamlSource, key: string, node: Node | null, options: ParseSecretsOptions): string {
  const path = src.string(node, 'password_file');
  if (path.trim() === '') throw src.error(node, `"${key}": password_file is empty; give the path of a file holding the password`);
  if (!options.passwordFile) throw src.error(node, `"${key}": password_file is only read when the secrets are loaded from a file`);
  let text: string;
  try {
    text = options.passwordFile(path);
  } catch (err) {
    throw src.error(node, `"${key}": cannot read password_file "${path}": ${readFailure(err)}`);
  }
  // Editors and `echo` end a file with a newline; it is never part of the password.
  const password = text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
  if (password === '') throw src.error(node, `"${key}": password_file "${path}" is empty; write the password in it`);
  return password;
}

function parseLabels(src: YamlSource, key: string, node: Node | null): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const { key: name, keyNode, value } of src.pairs(src.map(node, `labels of "${key}"`), `labels of "${key}"`)) {
    if (!LABEL_NAME.test(name))
      throw src.error(keyNode, `label name "${name}" is not a Prometheus label name (letters, digits and _, not starting with a digit)`);
    if (name.startsWith('__')) throw src.error(keyNode, `label name "${name}" starts with "__", which Prometheus reserves for itself`);
    labels[name] = src.string(value, `label "${name}"`);
  }
  return labels;
}

function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return (err as Error).message;
}

function oneOf<T extends string>(src: YamlSource, node: Node | null, field: string, allowed: readonly T[]): T {
  const text = src.string(node, field);
  if (!(allowed as readonly string[]).includes(text)) {
    throw src.error(node, `${field} is "${text}"; use one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return text as T;
}

/** A password file is a few bytes; anything larger is not one (and must not be read whole). */
const PASSWORD_FILE_MAX_BYTES = 64 * 1024;
/** A CA bundle: the system's whole bundle is about 200 KiB. */
const CA_FILE_MAX_BYTES = 1024 * 1024;
/** Password and CA files read at once. */
const PASSWORD_FILE_READERS = 16;

export async function loadSecretsFile(path: string, options: Omit<ParseSecretsOptions, 'passwordFile'> = {}): Promise<Secrets> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, `cannot read the secrets file: ${readFailure(err)}`);
  }
  // First pass: which password and CA files the entries name (a broken entry throws its line here).
  const wanted = new Set<string>();
  const wantedCa = new Set<string>();
  const withoutFiles = parseSecrets(text, path, {
    ...options,
    passwordFile: (p) => (wanted.add(p), 'unread'),
    caFile: (p) => (wantedCa.add(p), '-----BEGIN CERTIFICATE----- unread'),
  });
  // No entry names a file: that pass read everything from the file itself.
  if (wanted.size === 0 && wantedCa.size === 0) return withoutFiles;
  // Read them without blocking scrapes in flight (a reload happens while serving), then parse for real.
  const read = new Map<string, { text: string } | { error: unknown }>();
  const queue = [...wanted].map((p) => ({ p, key: `password:${p}`, max: PASSWORD_FILE_MAX_BYTES, what: 'a password file' }));
  queue.push(...[...wantedCa].map((p) => ({ p, key: `ca:${p}`, max: CA_FILE_MAX_BYTES, what: 'a CA file' })));
  // A few at a time: thousands of entries with files of their own must not run out of descriptors.
  const worker = async () => {
    for (let job = queue.pop(); job !== undefined; job = queue.pop()) {
      const { p, key, max, what } = job;
      read.set(
        key,
        await readSmallFile(resolve(dirname(path), p), max, what).then(
          (t) => ({ text: t }),
          (error: unknown) => ({ error }),
        ),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(PASSWORD_FILE_READERS, queue.length) }, worker));
  const answer = (key: string) => {
    const r = read.get(key);
    if (!r) throw new Error('not read');
    if ('error' in r) throw r.error;
    return r.text;
  };
  return parseSecrets(text, path, { ...options, passwordFile: (p) => answer(`password:${p}`), caFile: (p) => answer(`ca:${p}`) });
}

async function readSmallFile(file: string, maxBytes: number, what: string): Promise<string> {
  // A FIFO or device would block the read (and the reload) until someone writes to it.
  if (!(await stat(file)).isFile()) throw new Error('not a regular file');
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, length, buf.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw new Error(`larger than ${maxBytes / 1024} KiB, not ${what}`);
    }
    return buf.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}
