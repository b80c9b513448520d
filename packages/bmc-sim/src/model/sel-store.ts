import {
  BMC_OWNER_ID,
  CompletionCode,
  SEL_FIRST_ENTRY,
  SEL_LAST_ENTRY,
  SEL_READ_WHOLE_ENTRY,
  SEL_RECORD_LENGTH,
  SEL_RECORD_TYPES,
  encodeSelRecord,
  type SystemEventRecord,
} from '@bmc-exporter/ipmi';
import { encodeGetSelEntryResponse, encodeGetSelInfoResponse } from '@bmc-exporter/ipmi/wire';
import type { SelEntryDefinition } from './definition.js';
import { sensorTypeCode } from './names.js';

/** §31: the record IDs this store hands out run 1..0xFFFE; SEL_FIRST_ENTRY (0) and SEL_LAST_ENTRY (0xFFFF) mean "first" and "last". */
const FIRST_ID = 1;
const LAST_ID = SEL_LAST_ENTRY;
/** §32.1 byte 9: EvM revision of IPMI v1.5/v2.0 event messages. */
const EVM_REV = 0x04;
/** §32.1 bytes 7-8: generator ID 0x0020 = the BMC, channel 0, LUN 0. */
const BMC_GENERATOR = BMC_OWNER_ID;

/** Get SEL Entry outcome: the response data, or a completion code. */
export type SelRead = { completionCode: number; data?: Buffer };

/**
 * The System Event Log of one simulated BMC (IPMI v2.0 §31-§32): 16-byte
 * records with sequential IDs, reservations, timestamps of the last addition
 * and erase. Whole-record answers are built when an entry is added, so Get
 * SEL Entry costs a lookup.
 */
export class SelStore {
  private records: Buffer[] = [];
  /** Precomputed Get SEL Entry responses for whole-record reads (next ID + 16 bytes). */
  private wholeReads: Buffer[] = [];
  private reservation = 0;
  private lastAddition = 0xffffffff;
  private lastErase = 0xffffffff;
  private overflow = false;
  private infoCache: Buffer | undefined;

  constructor(
    readonly capacity: number,
    private readonly nowSeconds: () => number,
  ) {}

  get count(): number {
    return this.records.length;
  }

  /** Adds a system event record (§32.1); returns its record ID, or -1 when the SEL is full. */
  add(e: SelEntryDefinition): number {
    const recordId = FIRST_ID + this.records.length;
    const rec: SystemEventRecord = {
      kind: 'system-event',
      recordId,
      recordType: SEL_RECORD_TYPES.systemEvent,
      timestamp: e.timestamp ?? this.nowSeconds(),
      timestampIsRelative: false,
      date: null,
      generatorId: BMC_GENERATOR,
      generator: { kind: 'ipmb-slave', id: BMC_OWNER_ID, channel: 0, lun: 0 },
      evmRev: EVM_REV,
      sensorType: sensorTypeCode(e.sensorType),
      sensorNumber: e.sensorNumber,
      eventDirection: e.assertion === false ? 'deassertion' : 'assertion',
      eventType: e.eventType,
      eventData: e.data,
      eventOffset: e.data[0] & 0x0f,
      eventData2Meaning: 'unspecified',
      eventData3Meaning: 'unspecified',
    };
    return this.addRaw(encodeSelRecord(rec));
  }

  /** Adds 16 record bytes (Add SEL Entry, §31.6): the BMC assigns the ID; returns it, or -1 when full. */
  addRaw(bytes: Buffer): number {
    if (this.records.length >= this.capacity || this.records.length >= LAST_ID - FIRST_ID) {
      this.overflow = true;
      this.infoCache = undefined;
      return -1;
    }
    const recordId = FIRST_ID + this.records.length;
    const rec = Buffer.from(bytes);
    rec.writeUInt16LE(recordId, 0);
    const prev = this.wholeReads.length - 1;
    this.records.push(rec);
    this.wholeReads.push(encodeGetSelEntryResponse({ nextRecordId: LAST_ID, data: rec }));
    // The previous last entry now points at this one.
    if (prev >= 0) this.wholeReads[prev]!.writeUInt16LE(recordId, 0);
    this.lastAddition = this.nowSeconds();
    this.infoCache = undefined;
    return recordId;
  }

  /** Clear SEL (§31.9): records go, IDs restart, reservations are cancelled. */
  clear(): void {
    this.records = [];
    this.wholeReads = [];
    this.overflow = false;
    this.lastErase = this.nowSeconds();
    this.cancelReservation();
    this.infoCache = undefined;
  }

  reserve(): number {
    this.reservation = (this.reservation % 0xffff) + 1;
    return this.reservation;
  }

  cancelReservation(): void {
    // A fresh number nobody holds: every outstanding reservation becomes stale.
    this.reserve();
  }

  isReservationValid(id: number): boolean {
    return id !== 0 && id === this.reservation;
  }

  /** Table 31-2. */
  info(): Buffer {
    this.infoCache ??= encodeGetSelInfoResponse({
      version: '1.5',
      entries: this.records.length,
      freeBytes: Math.min(0xffff, (this.capacity - this.records.length) * SEL_RECORD_LENGTH),
      mostRecentAddition: this.lastAddition === 0xffffffff ? null : this.lastAddition,
      mostRecentErase: this.lastErase === 0xffffffff ? null : this.lastErase,
      overflow: this.overflow,
      supports: { delete: false, partialAdd: false, reserve: true, allocationInfo: false },
    });
    return this.infoCache;
  }

  get lastAdditionSeconds(): number {
    return this.lastAddition;
  }

  /**
   * Get SEL Entry (§31.5): 0x0000 is the first entry, 0xFFFF the last; an
   * unknown ID is 0xCB. Partial reads (bytes to read not 0xFF) need the
   * current reservation (0xC5 otherwise); an offset past the record is 0xC9.
   */
  read(reservationId: number, recordId: number, offset: number, bytesToRead: number): SelRead {
    const n = this.records.length;
    const index = recordId === SEL_FIRST_ENTRY ? 0 : recordId === LAST_ID ? n - 1 : recordId - FIRST_ID;
    if (n === 0 || index < 0 || index >= n) return { completionCode: CompletionCode.notPresent };
    if (bytesToRead === SEL_READ_WHOLE_ENTRY && offset === 0) return { completionCode: CompletionCode.ok, data: this.wholeReads[index]! };
    if (!this.isReservationValid(reservationId)) return { completionCode: CompletionCode.reservationCancelled };
    if (offset >= SEL_RECORD_LENGTH) return { completionCode: CompletionCode.parameterOutOfRange };
    const end = bytesToRead === SEL_READ_WHOLE_ENTRY ? SEL_RECORD_LENGTH : Math.min(SEL_RECORD_LENGTH, offset + bytesToRead);
    const next = index + 1 < n ? FIRST_ID + index + 1 : LAST_ID;
    return { completionCode: CompletionCode.ok, data: encodeGetSelEntryResponse({ nextRecordId: next, data: this.records[index]!.subarray(offset, end) }) };
  }
}
