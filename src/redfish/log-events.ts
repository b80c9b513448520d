import type { SelCategory, SelSeverity } from '@bmc-exporter/ipmi';
import type { LogEntry } from '@bmc-exporter/redfish';

/**
 * The SEL category and severity of one Redfish log entry, so sel_events
 * counts the same buckets whichever protocol read the log.
 *
 * SEL-type entries (EntryType "SEL": an IPMI SEL record the BMC serves
 * through Redfish) carry the IPMI sensor type by name and an EntryCode
 * ("Assert", "Deassert", "Upper Critical - going high", ...), but not the
 * event offset the IPMI decoder uses; where the sensor type alone does not
 * decide (memory, power supply, event logging), the BMC's Message text does.
 * Other entries (EntryType "Event") are sorted by their message registry id
 * ("OpenBMC.0.1.PowerSupplyFailed", "IDRAC.2.8.PSU0003") and Message.
 * Severity is the entry's Severity (Critical, Warning, else info); a
 * deassertion is info, as on the IPMI side. The table is in README.md.
 */
export function classifyLogEntry(e: LogEntry): { category: SelCategory; severity: SelSeverity } {
  const deassert = /^deassert/i.test(e.entryCode ?? '');
  const severity: SelSeverity = deassert ? 'info' : e.severity === 'Critical' ? 'critical' : e.severity === 'Warning' ? 'warning' : 'info';
  const category = e.entryType === 'SEL' || e.sensorType !== undefined ? selCategory(e) : eventCategory(e);
  return { category, severity };
}

/** "Power Supply / Converter" -> "powersupplyconverter": Redfish's enum and IPMI's table spell the types differently. */
function squash(text: string | undefined): string {
  return (text ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '');
}

function selCategory(e: LogEntry): SelCategory {
  const type = squash(e.sensorType);
  const message = e.message ?? '';

  if (type === 'temperature') return 'temperature-threshold';
  if (type === 'fan' || type === 'coolingdevice') return 'fan-failure';
  if (type === 'memory') {
    if (/uncorrectable|parity|scrub|disabled/i.test(message)) return 'memory-ecc-uncorrectable';
    if (/correctable/i.test(message)) return 'memory-ecc-correctable';
    return 'other';
  }
  if (type.startsWith('powersupply')) return /input|ac lost|out of range|out-of-range/i.test(message) ? 'ac-lost' : 'psu-failure';
  if (type === 'powerunit') return /ac lost|input/i.test(message) ? 'ac-lost' : 'other';
  if (type === 'processor') return 'processor-error';
  if (type === 'criticalinterrupt') return 'critical-interrupt';
  if (type.startsWith('watchdog')) return 'watchdog';
  if (type.startsWith('driveslot')) return 'drive-fault';
  if (type === 'eventloggingdisabled') {
    if (/clear|reset/i.test(message)) return 'log-cleared';
    if (/correctable/i.test(message)) return 'memory-ecc-correctable';
    return 'other';
  }
  if (type.startsWith('systembootrestart') || type.startsWith('systemboot')) return 'system-restart';

  return 'other';
}

/** Registry message keys (the last part of a MessageId) and the category they count under; first match wins. */
const MESSAGE_RULES: ReadonlyArray<[RegExp, SelCategory]> = [
  [/uncorrectable/i, 'memory-ecc-uncorrectable'],
  [/(memory|dimm|ecc).*correctable|correctable.*(memory|dimm|ecc)/i, 'memory-ecc-correctable'],
  [/(input|ac).*(lost|loss)|lossofinput|lineinput|powerlost/i, 'ac-lost'],
  [/power ?supply|psu/i, 'psu-failure'],
  [/fan/i, 'fan-failure'],
  [/temperature|thermal|overheat/i, 'temperature-threshold'],
  [/processor|cpu|machinecheck|ierr/i, 'processor-error'],
  [/nmi|pcie?(bus)?error|criticalinterrupt/i, 'critical-interrupt'],
  [/watchdog/i, 'watchdog'],
  [/drive|disk|physicaldisk/i, 'drive-fault'],
  [/(log|sel|event).*clear|clear.*(log|sel)/i, 'log-cleared'],
  [/reboot|restart|powerup|poweron|systemboot/i, 'system-restart'],
];

function eventCategory(e: LogEntry): SelCategory {
  const key = e.messageId?.split('.').at(-1) ?? '';
  for (const [pattern, category] of MESSAGE_RULES) if (key !== '' && pattern.test(key)) return category;
  return 'other';
}
