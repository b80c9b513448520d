import { convertReading } from '@bmc-exporter/ipmi';
import type { BmcModel } from '../model/bmc-model.js';
import { entityCode } from '../model/names.js';
import type { SimSensor } from '../model/sensors.js';

/**
 * What every part of the simulated BMC's Redfish view shares: the resource
 * paths, the document helpers, and one sensor's Redfish id, physical
 * context, value and health, all computed from the model's IPMI sensor.
 */

export type SchemaGeneration = 'legacy' | 'subsystems' | 'both';
export type Doc = Record<string, unknown>;

export const ROOT = '/redfish/v1';
export const CHASSIS = `${ROOT}/Chassis/1`;
export const SYSTEM = `${ROOT}/Systems/1`;
export const MANAGER = `${ROOT}/Managers/bmc`;
export const SEL_SERVICE = `${MANAGER}/LogServices/SEL`;

/** IPMI sensor type "other units-based" (Table 42-3): the watts sensors. */
export const OTHER_UNITS = 0x0b;
const PSU_STATUS_TYPE = 0x08;

/** Entity (Table 43-13) -> PhysicalContext. */
const CONTEXTS: ReadonlyArray<[number, string]> = [
  [0x03, 'CPU'],
  [0x37, 'Intake'],
  [0x1d, 'Fan'],
  [0x0a, 'PowerSupply'],
  [0x08, 'Memory'],
  [0x20, 'Memory'],
  [0x07, 'SystemBoard'],
];

export const odata = (id: string, type: string, rest: Doc): Doc => ({ '@odata.id': id, '@odata.type': type, ...rest });
export const ref = (id: string) => ({ '@odata.id': id });
export const collection = (id: string, type: string, name: string, members: string[]): Doc =>
  odata(id, `#${type}.${type}`, { Name: name, 'Members@odata.count': members.length, Members: members.map(ref) });

export function sensorId(s: SimSensor): string {
  return s.name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

export function context(s: SimSensor): string {
  if (/exhaust/i.test(s.name)) return 'Exhaust';
  const e = entityCode(s.def.entity.id);
  return CONTEXTS.find(([code]) => code === e)?.[1] ?? 'SystemBoard';
}

export function value(s: SimSensor, raw: number | null | undefined): number | null {
  const f = s.linear;
  if (!f || raw === null || raw === undefined || !s.present) return null;
  // The IPMI client's own conversion of the same raw byte: both protocols report one number.
  return convertReading(raw, { analogFormat: f.signed ? 'twos-complement' : 'unsigned', m: f.m, b: f.b, bExp: f.bExp, rExp: f.rExp, linearization: 0 });
}

export function health(s: SimSensor): { State: string; Health: string } {
  if (!s.present) return { State: 'Absent', Health: 'OK' };
  const v = value(s, s.rawReading);
  const t = s.rawThresholds;
  const at = (k: keyof typeof t, upper: boolean) => {
    const lim = value(s, t[k]);
    return v !== null && lim !== null && (upper ? v >= lim : v <= lim);
  };
  const critical = at('ucr', true) || at('unr', true) || at('lcr', false) || at('lnr', false);
  const warning = at('unc', true) || at('lnc', false);
  return { State: 'Enabled', Health: critical ? 'Critical' : warning ? 'Warning' : 'OK' };
}

/** The model's full (analog) sensors of the given IPMI sensor types. */
export function fullSensorsOf(model: BmcModel, types: number[]): SimSensor[] {
  return model.sensors.filter((s) => s.kind === 'full' && types.includes(s.sensorType));
}

/** One power supply: its watts sensor and its status sensor, by entity instance. */
export interface PsuGroup {
  instance: number;
  watts: SimSensor | undefined;
  status: SimSensor | undefined;
}

export function psus(model: BmcModel): PsuGroup[] {
  const groups = new Map<number, PsuGroup>();
  const group = (instance: number) => {
    let g = groups.get(instance);
    if (!g) groups.set(instance, (g = { instance, watts: undefined, status: undefined }));
    return g;
  };
  for (const s of model.sensors) {
    if (entityCode(s.def.entity.id) !== 0x0a) continue;
    if (s.sensorType === PSU_STATUS_TYPE) group(s.def.entity.instance).status = s;
    else if (s.kind === 'full' && s.def.unit === 'watts') group(s.def.entity.instance).watts = s;
  }
  return [...groups.values()].sort((a, b) => a.instance - b.instance);
}

/** Power supply sensor-specific offsets (Table 42-3, type 0x08): 0 presence, 1 failure, 2 predictive failure, 3 input lost. */
export function psuStatus(g: PsuGroup): { State: string; Health: string } {
  if (!g.status) return { State: 'Enabled', Health: 'OK' };
  const bits = g.status.response[2] ?? 0;
  const present = (bits & 0x01) !== 0;
  const health = bits & 0x0a ? 'Critical' : bits & 0x04 ? 'Warning' : 'OK';
  return { State: present ? 'Enabled' : 'Absent', Health: health };
}
