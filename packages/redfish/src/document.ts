import { RedfishMalformedError } from './errors.js';

/**
 * Defensive access to JSON from a BMC. Bodies are hostile: any property may
 * be missing, of another type, absurdly long or nested. Every reader here
 * checks the type it returns and looks only at own properties, so a body
 * like {"__proto__": ...} or {"Reading": "12"} cannot confuse a caller.
 */

export type JsonObject = Record<string, unknown>;

/** Longest string we keep from a document (names, messages, firmware): longer ones are cut. */
export const MAX_STRING = 512;

export function parseJsonObject(path: string, body: Buffer): JsonObject {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (err) {
    // SyntaxError for bad or truncated text; RangeError when nesting exhausts the stack.
    throw new RedfishMalformedError(path, `response is not valid JSON (${(err as Error).name})`, { cause: err });
  }
  const obj = asObject(doc);
  if (!obj) throw new RedfishMalformedError(path, 'response is not a JSON object');
  return obj;
}

export function asObject(v: unknown): JsonObject | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

export function prop(o: JsonObject | undefined, key: string): unknown {
  return o !== undefined && Object.hasOwn(o, key) ? o[key] : undefined;
}

export function obj(o: JsonObject | undefined, key: string): JsonObject | undefined {
  return asObject(prop(o, key));
}

export function str(o: JsonObject | undefined, key: string): string | undefined {
  const v = prop(o, key);
  return typeof v === 'string' ? v.slice(0, MAX_STRING) : undefined;
}

/** A finite number; null stays null (Redfish's "reading unavailable"), anything else is undefined. */
export function num(o: JsonObject | undefined, key: string): number | null | undefined {
  const v = prop(o, key);
  if (v === null) return null;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function arr(o: JsonObject | undefined, key: string, max: number): JsonObject[] {
  const v = prop(o, key);
  if (!Array.isArray(v)) return [];
  const out: JsonObject[] = [];
  for (let i = 0; i < v.length && out.length < max; i++) {
    const e = asObject(v[i]);
    if (e) out.push(e);
  }
  return out;
}

/** Service-relative resource paths only: an @odata.id pointing off the BMC (or at a scheme) is ignored. */
export function isResourcePath(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith('/redfish/') && v.length <= 1024 && !/[\s\\]|\/\/|\.\./.test(v);
}

/** The @odata.id of `o[key]`, e.g. link(chassis, 'Thermal'). */
export function link(o: JsonObject | undefined, key: string): string | undefined {
  const id = prop(obj(o, key), '@odata.id');
  return isResourcePath(id) ? id : undefined;
}

export function odataId(o: JsonObject | undefined): string | undefined {
  const id = prop(o, '@odata.id');
  return isResourcePath(id) ? id : undefined;
}

/** Members' @odata.id of a collection, at most `max`. */
export function memberPaths(collection: JsonObject, max: number): string[] {
  const out: string[] = [];
  for (const m of arr(collection, 'Members', max)) {
    const id = odataId(m);
    if (id) out.push(id);
  }
  return out;
}

/** Resource.Status: State ('Enabled', 'Absent', ...) and Health ('OK', 'Warning', 'Critical'). */
export interface ResourceStatus {
  state: string | undefined;
  health: 'OK' | 'Warning' | 'Critical' | undefined;
  healthRollup: 'OK' | 'Warning' | 'Critical' | undefined;
}

const HEALTH = new Set(['OK', 'Warning', 'Critical']);

export function status(o: JsonObject | undefined): ResourceStatus {
  const s = obj(o, 'Status');
  const h = str(s, 'Health');
  const r = str(s, 'HealthRollup');
  return {
    state: str(s, 'State'),
    health: h !== undefined && HEALTH.has(h) ? (h as ResourceStatus['health']) : undefined,
    healthRollup: r !== undefined && HEALTH.has(r) ? (r as ResourceStatus['healthRollup']) : undefined,
  };
}
