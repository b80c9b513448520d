import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { PRIVILEGE, PRIVILEGE_LEVEL, type Privilege } from '@bmc-exporter/ipmi';
import { USERNAME_MAX, V20_PASSWORD_MAX } from '@bmc-exporter/ipmi/wire';
import { parseFaultPatch, type FaultConfig } from '../faults/index.js';
import { PROFILES, type BmcDefinition } from '../model/index.js';
import type { SimUser } from '../protocol/index.js';

/** A simulated user as fleet files write it; privilege by name or Table 6-1 number. */
export interface FleetUser {
  name: string;
  password: string;
  maxPrivilege?: Privilege | number;
}

/** A fleet as written in YAML (or built by a test). */
export interface FleetDefinition {
  count: number;
  /** A built-in profile name (PROFILES); default 'server-2s' unless `bmc` is given. */
  profile?: string;
  /** A full BMC definition instead of a profile. */
  bmc?: BmcDefinition;
  /** First BMC's address; each next BMC takes the next 127.x.y.z, skipping .0 and .255. Default 127.1.0.1. */
  baseAddress?: string;
  /** UDP port (default 623); with portRange, the first of consecutive ports on baseAddress. */
  port?: number;
  portRange?: boolean;
  /** Seeds per-BMC variation (varyDefinition(def, seed + index)), passwords and fault PRNGs. Default 1. */
  seed?: number;
  /** Default: one user `admin` with a password derived from the seed. */
  users?: FleetUser[];
  /** Faults for every BMC. */
  faults?: Partial<FaultConfig>;
  /** Faults for some BMCs, keyed by index ("0"), address ("127.1.0.3") or "address:port". */
  bmcFaults?: Record<string, Partial<FaultConfig>>;
  sessionLimit?: number;
  sessionIdleTimeoutMs?: number;
}

export class FleetDefinitionError extends Error {
  override name = 'FleetDefinitionError';
}

export const DEFAULT_BASE_ADDRESS = '127.1.0.1';
export const DEFAULT_PORT = 623;
const KEYS = new Set([
  'count',
  'profile',
  'bmc',
  'baseAddress',
  'port',
  'portRange',
  'seed',
  'users',
  'faults',
  'bmcFaults',
  'sessionLimit',
  'sessionIdleTimeoutMs',
]);

/** Check an untrusted fleet definition (YAML) once, naming the field at fault. */
export function validateFleetDefinition(input: unknown): FleetDefinition {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new FleetDefinitionError('fleet definition: expected a mapping');
  const d = input as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!KEYS.has(k)) throw new FleetDefinitionError(`fleet definition: unknown key "${k}" (known: ${[...KEYS].join(', ')})`);
  const int = (k: string, min: number, max: number) => {
    const v = d[k];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new FleetDefinitionError(`${k}: expected an integer ${min}-${max}`);
  };
  if (d.count === undefined) throw new FleetDefinitionError('count: required (how many BMCs)');
  int('count', 1, 1_000_000);
  int('port', 1, 65535);
  int('seed', 0, 0xffffffff);
  int('sessionLimit', 0, 255);
  int('sessionIdleTimeoutMs', 1, 86_400_000);
  if (d.profile !== undefined && (typeof d.profile !== 'string' || !(d.profile in PROFILES))) {
    throw new FleetDefinitionError(`profile: unknown profile ${JSON.stringify(d.profile)} (built in: ${Object.keys(PROFILES).join(', ')})`);
  }
  if (d.profile !== undefined && d.bmc !== undefined) throw new FleetDefinitionError('profile and bmc: give one, not both');
  if (d.bmc !== undefined && (typeof d.bmc !== 'object' || d.bmc === null || !Array.isArray((d.bmc as BmcDefinition).sensors))) {
    throw new FleetDefinitionError('bmc: expected a BMC definition (device, guid, sensors, ...)');
  }
  if (d.baseAddress !== undefined && (typeof d.baseAddress !== 'string' || !isLoopback4(d.baseAddress))) {
    throw new FleetDefinitionError(`baseAddress: expected an IPv4 loopback address 127.x.y.z, got ${JSON.stringify(d.baseAddress)}`);
  }
  if (d.portRange !== undefined && typeof d.portRange !== 'boolean') throw new FleetDefinitionError('portRange: expected true or false');
  if (d.users !== undefined) {
    if (!Array.isArray(d.users) || d.users.length === 0) throw new FleetDefinitionError('users: expected a non-empty list');
    d.users.forEach((u: unknown, i) => {
      const x = u as Record<string, unknown>;
      if (typeof x !== 'object' || x === null || typeof x.name !== 'string' || typeof x.password !== 'string') {
        throw new FleetDefinitionError(`users[${i}]: expected { name, password, maxPrivilege? }`);
      }
      if (Buffer.byteLength(x.name) > USERNAME_MAX || Buffer.byteLength(x.password) > V20_PASSWORD_MAX) {
        throw new FleetDefinitionError(`users[${i}]: name is at most ${USERNAME_MAX} bytes, password ${V20_PASSWORD_MAX}`);
      }
      const p = x.maxPrivilege;
      if (p !== undefined && !(typeof p === 'string' && p in PRIVILEGE_LEVEL) && !(typeof p === 'number' && p >= PRIVILEGE.user && p <= PRIVILEGE.oem)) {
        throw new FleetDefinitionError(`users[${i}].maxPrivilege: expected user, operator or administrator`);
      }
    });
  }
  const faults = d.faults === undefined ? undefined : parseFaultPatch(d.faults, 'faults');
  let bmcFaults: Record<string, Partial<FaultConfig>> | undefined;
  if (d.bmcFaults !== undefined) {
    if (typeof d.bmcFaults !== 'object' || d.bmcFaults === null) throw new FleetDefinitionError('bmcFaults: expected a mapping from BMC to faults');
    bmcFaults = {};
    for (const [k, v] of Object.entries(d.bmcFaults)) bmcFaults[k] = parseFaultPatch(v, `bmcFaults.${k}`);
  }
  const def = { ...d, faults, bmcFaults } as FleetDefinition;
  // Fail now, not halfway through binding, when the addresses or ports run out.
  endpointAt(def, def.count - 1);
  return def;
}

function isLoopback4(a: string): boolean {
  return isIPv4(a) && a.startsWith('127.');
}

function toInt(a: string): number {
  return a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function toAddress(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

/** The index-th BMC's endpoint: 127.x.y.z counting up and skipping .0/.255, or consecutive ports in portRange mode. */
export function endpointAt(def: FleetDefinition, index: number): { address: string; port: number } {
  const base = def.baseAddress ?? DEFAULT_BASE_ADDRESS;
  const port = def.port ?? DEFAULT_PORT;
  if (def.portRange) {
    if (port + index > 65535) throw new FleetDefinitionError(`portRange: ${def.count} ports from ${port} run past 65535`);
    return { address: base, port: port + index };
  }
  let n = toInt(base);
  if ((n & 0xff) === 255) n += 2;
  else if ((n & 0xff) === 0) n++;
  // Each block of 256 has 254 usable host numbers (1..254).
  const start = n & 0xff;
  const block = Math.floor(n / 256);
  const offset = start - 1 + index;
  const a = (block + Math.floor(offset / 254)) * 256 + 1 + (offset % 254);
  if (a >>> 24 !== 127) throw new FleetDefinitionError(`baseAddress: ${def.count} BMCs from ${base} run out of 127.0.0.0/8`);
  return { address: toAddress(a), port };
}

/** The fleet's users; every one may log in at USER privilege (maxPrivilege is never below PRIVILEGE.user). */
export function fleetUsers(def: FleetDefinition): SimUser[] {
  const users = def.users ?? [{ name: 'admin', password: defaultPassword(def.seed ?? 1), maxPrivilege: 'administrator' as const }];
  return users.map((u) => ({
    name: u.name,
    password: u.password,
    maxPrivilege: typeof u.maxPrivilege === 'number' ? Math.max(PRIVILEGE.user, u.maxPrivilege) : PRIVILEGE_LEVEL[u.maxPrivilege ?? 'administrator'],
  }));
}

/** A password derived from the seed, so a fleet restarted with the same seed keeps its secrets file valid. */
export function defaultPassword(seed: number): string {
  return `sim-${createHash('sha256').update(`bmc-sim/${seed}`).digest('hex').slice(0, 12)}`;
}

/** The BMC definition before per-BMC variation. */
export function baseDefinition(def: FleetDefinition): BmcDefinition {
  if (def.bmc) return def.bmc;
  const p = PROFILES[def.profile ?? 'server-2s'];
  if (!p) throw new FleetDefinitionError(`profile: unknown profile ${JSON.stringify(def.profile)}`);
  return p;
}

/** Faults for the index-th BMC: fleet-wide, then any matching bmcFaults entry. */
export function faultsFor(def: FleetDefinition, index: number, ep: { address: string; port: number }): Partial<FaultConfig> | undefined {
  const specific = def.bmcFaults?.[String(index)] ?? def.bmcFaults?.[`${ep.address}:${ep.port}`] ?? def.bmcFaults?.[ep.address];
  if (!def.faults && !specific) return undefined;
  return { ...def.faults, ...specific };
}
