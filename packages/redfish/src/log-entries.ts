import type { RedfishClient } from './client.js';
import type { LogServiceStructure } from './discovery.js';
import { arr, num, prop, str, type JsonObject } from './document.js';
import { RedfishMalformedError } from './errors.js';

/** One LogEntry.v1 resource, reduced to what the exporter decodes. */
export interface LogEntry {
  id: string;
  /** ms since the epoch, from Created (or EventTimestamp). */
  createdMs: number | undefined;
  /** 'SEL', 'Event', 'Oem', ... */
  entryType: string | undefined;
  /** 'OK', 'Warning', 'Critical'. */
  severity: string | undefined;
  message: string | undefined;
  /** Message registry id, e.g. "OpenBMC.0.1.PowerSupplyFailed" (Event entries). */
  messageId: string | undefined;
  /** SEL entries: the IPMI sensor type by its Redfish name ("Temperature", "Memory", ...). */
  sensorType: string | undefined;
  sensorNumber: number | undefined;
  /** SEL entries: "Assert", "Deassert", "Upper Critical - going high", ... */
  entryCode: string | undefined;
}

/**
 * Where a log service was last read up to. Entries are read oldest first
 * with $skip/$top: only entries newer than the last read are fetched. The
 * entry before the cursor is re-read and its Id compared, so a cleared or
 * rotated log is noticed (the cursor then restarts at 0).
 */
export interface LogCursor {
  next: number;
  lastId: string | undefined;
  /** Id and Created of the oldest entry read: tells a service that ignores $skip from a cleared log. */
  firstKey: string | undefined;
}

export interface LogReadResult {
  entries: LogEntry[];
  cursor: LogCursor;
  /** Members@odata.count as the BMC reported it. */
  total: number | undefined;
  /** More entries remain than the page budget allowed (read on the next call). */
  more: boolean;
  /** The log was cleared or rotated since the last read. */
  reset: boolean;
}

export interface LogReadOptions {
  /** Entries per request ($top). Default 200. */
  pageSize?: number;
  /** Requests this call may make. Default 5: a 10,000-entry log is read over several scrapes, never in one. */
  maxPages?: number;
}

export const INITIAL_CURSOR: LogCursor = Object.freeze({ next: 0, lastId: undefined, firstKey: undefined });

export async function readLogEntries(
  client: RedfishClient,
  service: LogServiceStructure,
  cursor: LogCursor,
  signal: AbortSignal,
  opts: LogReadOptions = {},
): Promise<LogReadResult> {
  const pageSize = Math.max(1, Math.min(opts.pageSize ?? 200, client.maxMembers));
  const maxPages = Math.max(1, opts.maxPages ?? 5);
  let next = cursor.next;
  let lastId = cursor.lastId;
  let firstKey = cursor.firstKey;
  let reset = false;
  let total: number | undefined;
  const entries: LogEntry[] = [];
  let more = false;
  for (let page = 0; page < maxPages; page++) {
    // Re-read the last entry we saw (skip next-1) to check the log is still the one we read.
    const overlap = next > 0 && lastId !== undefined ? 1 : 0;
    const doc = await client.get(`${service.entries}?$skip=${next - overlap}&$top=${pageSize + overlap}`, signal);
    const count = num(doc, 'Members@odata.count');
    total = typeof count === 'number' && count >= 0 ? count : undefined;
    const members = arr(doc, 'Members', pageSize + overlap);
    if (overlap === 1) {
      const first = members[0];
      if (first && firstKey !== undefined && entryKey(first) === firstKey && next - overlap > 0 && (total === undefined || total >= next)) {
        // The oldest entry again, unchanged, where entry next-1 was asked for: the service ignores $skip.
        // Reading on would count every entry again on every read.
        throw new RedfishMalformedError(service.entries, 'the log service ignores $skip, so its entries cannot be read incrementally');
      }
      if (!first || str(first, 'Id') !== lastId || (total !== undefined && total < next)) {
        // Cleared or rotated: start again from the oldest entry.
        reset = true;
        next = 0;
        lastId = undefined;
        firstKey = undefined;
        entries.length = 0;
        more = true;
        continue;
      }
      members.shift();
    }
    if (next === 0 && members[0]) firstKey = entryKey(members[0]);
    for (const m of members) entries.push(toEntry(m));
    next += members.length;
    if (members.length > 0) lastId = str(members[members.length - 1]!, 'Id') ?? lastId;
    const hasNext = typeof prop(doc, 'Members@odata.nextLink') === 'string';
    const remaining = total !== undefined ? total > next : hasNext;
    if (!remaining || members.length === 0) {
      more = false;
      break;
    }
    more = true;
  }
  return { entries, cursor: { next, lastId, firstKey }, total, more, reset };
}

function entryKey(m: JsonObject): string {
  return `${str(m, 'Id') ?? ''}\u0000${str(m, 'Created') ?? ''}`;
}

function toEntry(m: JsonObject): LogEntry {
  const created = str(m, 'Created') ?? str(m, 'EventTimestamp');
  const ms = created === undefined ? Number.NaN : Date.parse(created);
  const sensorNumber = num(m, 'SensorNumber');
  return {
    id: str(m, 'Id') ?? '',
    createdMs: Number.isFinite(ms) ? ms : undefined,
    entryType: str(m, 'EntryType'),
    severity: str(m, 'Severity'),
    message: str(m, 'Message'),
    messageId: str(m, 'MessageId'),
    sensorType: str(m, 'SensorType'),
    sensorNumber: typeof sensorNumber === 'number' && Number.isInteger(sensorNumber) ? sensorNumber : undefined,
    entryCode: str(m, 'EntryCode'),
  };
}
