import { decodeSelRecord, describeEvent, SENSOR_TYPES } from '@bmc-exporter/ipmi';
import type { BmcModel } from '../model/bmc-model.js';
import { odata, ref, SEL_SERVICE, type Doc } from './view-common.js';

/**
 * The manager's log service "SEL": its entries are the model's SEL records
 * (EntryType SEL, with the sensor type and event code an IPMI client
 * decodes from the same record), after the synthetic Event entries of the
 * huge-log fault, so an event added to the model is always the newest entry.
 */

export const LOG_ENTRIES = `${SEL_SERVICE}/Entries`;

export function logServiceDocument(model: BmcModel, extraLogEntries: number): Doc {
  return odata(SEL_SERVICE, '#LogService.v1_3_0.LogService', {
    Id: 'SEL',
    Name: 'IPMI SEL',
    LogEntryType: 'SEL',
    OverWritePolicy: 'NeverOverWrites',
    MaxNumberOfRecords: model.sel.capacity + extraLogEntries,
    Entries: ref(LOG_ENTRIES),
  });
}

export function logEntryCount(model: BmcModel, extraLogEntries: number): number {
  return model.sel.count + extraLogEntries;
}

/** Entries [skip, skip+top), oldest first: the synthetic entries (dated from 2025-01-01), then the SEL records. */
export function logEntries(model: BmcModel, extraLogEntries: number, skip: number, top: number): Doc[] {
  const out: Doc[] = [];
  const total = logEntryCount(model, extraLogEntries);
  for (let i = skip; i < Math.min(total, skip + top); i++) out.push(i < extraLogEntries ? syntheticEntry(i + 1) : selEntry(model, i - extraLogEntries + 1));
  return out;
}

/** One entry by its Id: a SEL record id ("12") or a synthetic entry ("E12"); undefined = 404. */
export function logEntry(model: BmcModel, extraLogEntries: number, id: string): Doc | undefined {
  const n = Number(id);
  if (/^\d+$/.test(id) && n >= 1 && n <= model.sel.count) return selEntry(model, n);
  const synthetic = /^E(\d+)$/.exec(id);
  if (synthetic && Number(synthetic[1]) >= 1 && Number(synthetic[1]) <= extraLogEntries) return syntheticEntry(Number(synthetic[1]));
  return undefined;
}

function selEntry(model: BmcModel, recordId: number): Doc {
  const read = model.sel.read(0, recordId, 0, 0xff);
  const rec = decodeSelRecord(read.data!.subarray(2));
  const id = String(recordId);
  const base = { Id: id, Name: `SEL Entry ${id}`, EntryType: 'SEL' };
  if (rec.kind !== 'system-event') return odata(`${LOG_ENTRIES}/${id}`, '#LogEntry.v1_15_0.LogEntry', { ...base, Severity: 'OK', Message: 'OEM record' });
  const d = describeEvent(rec);
  return odata(`${LOG_ENTRIES}/${id}`, '#LogEntry.v1_15_0.LogEntry', {
    ...base,
    Created: new Date(rec.timestamp * 1000).toISOString().replace('.000Z', '+00:00'),
    Severity: d.severity === 'critical' ? 'Critical' : d.severity === 'warning' ? 'Warning' : 'OK',
    Message: d.description,
    SensorType: (SENSOR_TYPES as Record<number, string>)[rec.sensorType] ?? 'OEM',
    SensorNumber: rec.sensorNumber,
    EntryCode: rec.eventDirection === 'assertion' ? 'Assert' : 'Deassert',
  });
}

function syntheticEntry(n: number): Doc {
  const id = `E${n}`;
  return odata(`${LOG_ENTRIES}/${id}`, '#LogEntry.v1_15_0.LogEntry', {
    Id: id,
    Name: `Log Entry ${id}`,
    EntryType: 'Event',
    Created: new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString().replace('.000Z', '+00:00'),
    Severity: 'OK',
    MessageId: 'ResourceEvent.1.0.ResourceCreated',
    Message: `Synthetic event ${n}`,
  });
}
