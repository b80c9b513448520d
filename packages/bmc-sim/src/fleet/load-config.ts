import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, stringify, type Document } from 'yaml';
import { FaultConfigError } from '../faults/index.js';
import type { BmcDefinition } from '../model/index.js';
import { FleetDefinitionError, validateFleetDefinition, type FleetDefinition } from './fleet-definition.js';

/** A config file that cannot be used; the message names the file and line. */
export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
}

interface Parsed {
  value: unknown;
  doc: Document;
  lines: LineCounter;
}

function parseYaml(text: string, file: string): Parsed {
  const lines = new LineCounter();
  // 'timestamp' turns FRU manufacture dates back into Date objects.
  const doc = parseDocument(text, { lineCounter: lines, customTags: ['timestamp'], prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = lines.linePos(err.pos[0]);
    throw new ConfigFileError(`${file}:${pos.line}:${pos.col}: ${err.message.split('\n')[0]}`);
  }
  return { value: doc.toJS(), doc, lines };
}

/** "users[0].maxPrivilege: ..." → the line of that node, if the path resolves. */
function lineOf(p: Parsed, message: string): string {
  const m = /^([A-Za-z0-9_.[\]:-]+):/.exec(message);
  if (!m) return '';
  const path = m[1]!
    .split(/\.|\[|\]/)
    .filter(Boolean)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  for (let n = path.length; n > 0; n--) {
    const node = p.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return `:${p.lines.linePos(node.range[0]).line}`;
  }
  return '';
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigFileError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/**
 * Load a fleet definition (`count: ...`) or a single BMC definition
 * (`device:, sensors: ...`, then `count` comes from the caller). A fleet's
 * `bmc:` may be inline or the path of a BMC definition file, relative to the
 * fleet file. Every error names the file and line.
 */
export function loadFleetConfig(file: string, overrides: Partial<FleetDefinition> = {}): FleetDefinition {
  const p = parseYaml(readText(file), file);
  const v = p.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigFileError(`${file}:1: expected a mapping (a fleet or a BMC definition)`);
  const obj = v as Record<string, unknown>;
  let raw: Record<string, unknown>;
  if ('sensors' in obj || 'device' in obj) raw = { bmc: obj };
  else raw = { ...obj };
  if (typeof raw.bmc === 'string') raw.bmc = loadBmcDefinition(resolve(dirname(file), raw.bmc));
  raw = { ...raw, ...stripUndefined(overrides) };
  if (raw.count === undefined) raw.count = 1;
  try {
    return validateFleetDefinition(raw);
  } catch (err) {
    if (err instanceof FleetDefinitionError || err instanceof FaultConfigError) throw new ConfigFileError(`${file}${lineOf(p, err.message)}: ${err.message}`);
    throw err;
  }
}

/** A BMC definition file (the shape of packages/bmc-sim/profiles/*.yml). */
export function loadBmcDefinition(file: string): BmcDefinition {
  const p = parseYaml(readText(file), file);
  const d = p.value as BmcDefinition;
  if (typeof d !== 'object' || d === null || !Array.isArray(d.sensors) || typeof d.device !== 'object' || typeof d.guid !== 'string') {
    throw new ConfigFileError(`${file}:1: expected a BMC definition with device, guid and sensors`);
  }
  return d;
}

/** A BMC definition as YAML (how profiles/*.yml were written). */
export function bmcDefinitionToYaml(def: BmcDefinition, title: string): string {
  return `# ${title}\n# Load with: npm run sim -- --config <this file> --count N\n${stringify(def)}`;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
