// Runs ipmitool (the reference client) against an ipmi_sim handle and parses
// the outputs the peer tests compare with. Formats are ipmitool 1.8.19's.
import { spawn } from 'node:child_process';
import type { IpmiSimHandle } from './ipmi-sim.js';

export interface IpmitoolOptions {
  interface?: 'lanplus' | 'lan';
  cipherSuite?: number; // lanplus only; default 3
  authType?: 'MD5' | 'PASSWORD' | 'NONE'; // lan only; default MD5
  user?: 'admin' | 'user';
  privilege?: 'USER' | 'OPERATOR' | 'ADMINISTRATOR';
  timeoutMs?: number;
}

export async function runIpmitool(sim: Pick<IpmiSimHandle, 'host' | 'port' | 'users'>, args: string[], opts: IpmitoolOptions = {}): Promise<string> {
  const iface = opts.interface ?? 'lanplus';
  const who = opts.user ?? 'admin';
  const account = sim.users[who];
  const privilege = opts.privilege ?? (who === 'admin' ? 'ADMINISTRATOR' : 'USER');
  const argv = ['-I', iface, '-H', sim.host, '-p', String(sim.port), '-U', account.username, '-E', '-L', privilege, '-N', '1', '-R', '2'];
  if (iface === 'lanplus') argv.push('-C', String(opts.cipherSuite ?? 3));
  else argv.push('-A', opts.authType ?? 'MD5');
  argv.push(...args);
  // -E: the password travels in the environment, never on a command line.
  const env = { ...process.env, IPMI_PASSWORD: account.password };
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return await new Promise<string>((resolve, reject) => {
    const child = spawn('ipmitool', argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ipmitool (Debian package "ipmitool"): ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`ipmitool ${argv.join(' ')} failed (${signal ?? `exit ${code}`}): ${err.trim() || out.trim()}`));
    });
  });
}

const cells = (line: string): string[] => line.split('|').map((c) => c.trim());

export interface SdrElistRow {
  name: string;
  number: number;
  status: string; // ok, nc/unc/lnc, cr/ucr/lcr, nr, ns (no reading)
  entity: { id: number; instance: number };
  reading: number | null; // null for discrete sensors and "No Reading"
  unit: string;
  raw: string; // the last column as printed
}

// `sdr elist`: "CPU1 Temp | 01h | ok | 3.1 | 45 degrees C". Readings are
// rounded to ipmitool's display precision; parseSensorList has 3 decimals.
export function parseSdrElist(text: string): SdrElistRow[] {
  const rows: SdrElistRow[] = [];
  for (const line of text.split('\n')) {
    const c = cells(line);
    if (c.length < 5) continue;
    const [name = '', num = '', status = '', ent = '', raw = ''] = c;
    const [eid = 'NaN', einst = 'NaN'] = ent.split('.');
    const m = /^(-?\d+(?:\.\d+)?)\s*(.*)$/.exec(raw);
    rows.push({
      name,
      number: parseInt(num.replace(/h$/i, ''), 16),
      status,
      entity: { id: Number(eid), instance: Number(einst) },
      reading: m ? Number(m[1]) : null,
      unit: m ? (m[2] ?? '') : '',
      raw,
    });
  }
  return rows;
}

export interface SensorListRow {
  name: string;
  reading: number | null;
  unit: string;
  status: string;
  // lnr lcr lnc unc ucr unr; null where ipmitool prints "na"
  thresholds: { lnr: number | null; lcr: number | null; lnc: number | null; unc: number | null; ucr: number | null; unr: number | null };
  discreteState: number | null; // the raw state word (e.g. 0x0100) for discrete sensors
}

// `sensor list`: readings and thresholds with 3 decimals (best precision).
export function parseSensorList(text: string): SensorListRow[] {
  const rows: SensorListRow[] = [];
  const num = (s: string | undefined): number | null => (s === undefined || s === 'na' || s === '' ? null : Number(s));
  for (const line of text.split('\n')) {
    const c = cells(line);
    if (c.length < 10) continue;
    const [name = '', reading = '', unit = '', status = ''] = c;
    const discrete = unit === 'discrete';
    rows.push({
      name,
      reading: discrete ? null : num(reading),
      unit,
      status: discrete ? 'ok' : status,
      thresholds: { lnr: num(c[4]), lcr: num(c[5]), lnc: num(c[6]), unc: num(c[7]), ucr: num(c[8]), unr: num(c[9]) },
      discreteState: discrete ? parseInt(status, 16) : null,
    });
  }
  return rows;
}

export interface SelElistRow {
  id: number;
  date: string; // MM/DD/YY, or "Pre-Init" for timestamps before 0x20000000
  time: string; // HH:MM:SS (with " UTC" stripped), or the raw seconds for Pre-Init
  sensor: string; // "<sensor type> <sensor name>", e.g. "Fan FAN3"
  description: string;
  direction: string; // Asserted / Deasserted
  extra: string; // e.g. "Reading 480 < Threshold 600 RPM"
}

// `sel elist`: "6 | 03/05/24 | 12:00:00 UTC | Temperature Exhaust Temp | Upper ... | Asserted | Reading ..."
// or with a Pre-Init timestamp "7 |  Pre-Init  |0000000559| Memory ... | ... | Asserted".
export function parseSelElist(text: string): SelElistRow[] {
  const rows: SelElistRow[] = [];
  for (const line of text.split('\n')) {
    const c = cells(line);
    if (c.length < 6 || !/^[0-9a-f]+$/i.test(c[0] ?? '')) continue;
    const [id = '', date = '', time = '', sensor = '', description = '', direction = '', ...rest] = c;
    rows.push({ id: parseInt(id, 16), date, time: time.replace(/ UTC$/, ''), sensor, description, direction, extra: rest.join(' | ') });
  }
  return rows;
}

// "Key : value" blocks (mc info, chassis status, mc guid, fru print).
export function parseKeyValues(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    map.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return map;
}

export interface McInfo {
  deviceId: number;
  deviceRevision: number;
  firmwareRevision: string;
  ipmiVersion: string;
  manufacturerId: number;
  manufacturerName: string;
  productId: number;
  deviceAvailable: boolean;
  providesDeviceSdrs: boolean;
}

export function parseMcInfo(text: string): McInfo {
  const kv = parseKeyValues(text);
  const get = (k: string): string => {
    const v = kv.get(k);
    if (v === undefined) throw new Error(`mc info: no "${k}" in ${JSON.stringify(text)}`);
    return v;
  };
  return {
    deviceId: Number(get('Device ID')),
    deviceRevision: Number(get('Device Revision')),
    firmwareRevision: get('Firmware Revision'),
    ipmiVersion: get('IPMI Version'),
    manufacturerId: Number(get('Manufacturer ID')),
    manufacturerName: get('Manufacturer Name'),
    productId: Number(get('Product ID').split(' ')[0]),
    deviceAvailable: get('Device Available') === 'yes',
    providesDeviceSdrs: get('Provides Device SDRs') === 'yes',
  };
}

export interface ChassisStatus {
  powerOn: boolean;
  powerOverload: boolean;
  powerInterlock: boolean;
  powerFault: boolean;
  powerControlFault: boolean;
  powerRestorePolicy: string;
  intrusion: boolean;
  frontPanelLockout: boolean;
  driveFault: boolean;
  coolingFault: boolean;
}

export function parseChassisStatus(text: string): ChassisStatus {
  const kv = parseKeyValues(text);
  const v = (k: string): string => kv.get(k) ?? '';
  return {
    powerOn: v('System Power') === 'on',
    powerOverload: v('Power Overload') === 'true',
    powerInterlock: v('Power Interlock') === 'active',
    powerFault: v('Main Power Fault') === 'true',
    powerControlFault: v('Power Control Fault') === 'true',
    powerRestorePolicy: v('Power Restore Policy'),
    intrusion: v('Chassis Intrusion') === 'active',
    frontPanelLockout: v('Front-Panel Lockout') === 'active',
    driveFault: v('Drive Fault') === 'true',
    coolingFault: v('Cooling/Fan Fault') === 'true',
  };
}

// `mc guid`: the "System GUID" line (ipmitool 1.8.19 decodes the first three
// fields little-endian and warns about SMBIOS encoding).
export function parseMcGuid(text: string): string {
  const guid = parseKeyValues(text).get('System GUID');
  if (guid === undefined) throw new Error(`mc guid: no "System GUID" in ${JSON.stringify(text)}`);
  return guid.toLowerCase();
}
