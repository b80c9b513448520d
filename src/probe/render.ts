import type { ProbeResult } from './collect.js';

/** A plain fixed-width table: header row, then rows, columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');
const hex = (n: number, w = 2) => `0x${n.toString(16).padStart(w, '0')}`;

function formatValue(v: number | null): string {
  if (v === null) return 'n/a';
  return Number.isInteger(v) ? String(v) : v.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
}

function formatTime(seconds: number | null): string {
  // Several BMCs (ipmi_sim among them) report 0 for "never erased".
  return seconds === null || seconds === 0 ? 'never' : new Date(seconds * 1000).toISOString();
}

/** The human-readable probe report. */
export function renderProbe(r: ProbeResult): string {
  const out: string[] = [];
  const session = r.ipmiVersion === '2.0' ? `IPMI 2.0 (RMCP+), cipher suite ${r.cipherSuite}` : `IPMI 1.5, auth type ${r.authType}`;
  const rows: string[][] = [
    ['Target', r.target],
    ['Session', `${session}, privilege ${r.privilege}`],
  ];
  if (r.device) {
    rows.push([
      'Device',
      `id ${hex(r.device.deviceId)} rev ${r.device.deviceRevision}, firmware ${r.device.firmware}, ` +
        `IPMI ${r.device.ipmiVersion}, manufacturer ${r.device.manufacturerId}, product ${hex(r.device.productId, 4)}`,
    ]);
  }
  if (r.guid) rows.push(['GUID', r.guid]);
  if (r.chassis) {
    const c = r.chassis;
    rows.push([
      'Chassis',
      `power ${c.poweredOn ? 'on' : 'off'}, intrusion ${yesNo(c.intrusion)}, power fault ${yesNo(c.powerFault)}, ` +
        `cooling fault ${yesNo(c.coolingFault)}, drive fault ${yesNo(c.driveFault)}`,
    ]);
  }
  if (r.fru) {
    const f = r.fru;
    rows.push(['FRU', `${f.manufacturer ?? '?'} ${f.product ?? '?'}, serial ${f.serial ?? '?'}, part ${f.partNumber ?? '?'}`]);
  }
  rows.push([
    'DCMI power',
    r.dcmiPower
      ? `${r.dcmiPower.currentWatts} W now (min ${r.dcmiPower.minimumWatts}, max ${r.dcmiPower.maximumWatts}, ` +
        `avg ${r.dcmiPower.averageWatts} over ${r.dcmiPower.periodSeconds} s)`
      : 'not supported',
  ]);
  out.push(rows.map(([k, v]) => `${k!.padEnd(11)} ${v}`).join('\n'));

  out.push('', `Sensors (${r.sensors.length})`);
  out.push(
    table(
      ['NAME', 'NUMBER', 'TYPE', 'ENTITY', 'VALUE', 'UNIT', 'STATE'],
      r.sensors.map((s) => [s.name, hex(s.number), s.sensorType, `${s.entityId}.${s.entityInstance}`, formatValue(s.value), s.unitName, s.state]),
    ),
  );

  if (r.sel) {
    out.push(
      '',
      `SEL: ${r.sel.entries} entries, ${r.sel.freeBytes} bytes free, last addition ${formatTime(r.sel.lastAddition)}, ` +
        `last erase ${formatTime(r.sel.lastErase)}`,
    );
    if (r.sel.events.length > 0) {
      out.push(
        table(
          ['ID', 'TIME', 'SEVERITY', 'CATEGORY', 'DESCRIPTION'],
          r.sel.events.map((e) => [
            hex(e.id, 4),
            e.time ?? (e.timestamp === null ? '-' : `+${e.timestamp}s after BMC start`),
            e.severity,
            e.category,
            e.description,
          ]),
        ),
      );
    }
  }
  const errs = Object.entries(r.errors);
  if (errs.length > 0) {
    out.push('', 'Not read:');
    for (const [k, v] of errs) out.push(`  ${k}: ${v}`);
  }
  return out.join('\n') + '\n';
}
