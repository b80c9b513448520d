import { BMC_OWNER_ID, CompletionCode, SDR_FIRST_RECORD_ID, SDR_LAST_RECORD_ID, SDR_READ_WHOLE_RECORD } from '@bmc-exporter/ipmi';
import { encodeGetSdrRepositoryInfoResponse, encodeGetSdrResponse, encodeMcDeviceLocatorRecord } from '@bmc-exporter/ipmi/wire';
import type { SimSensor } from './sensors.js';

/** Table 33-10 byte 14 support bits are built by the encoder; non-modal updates, Reserve supported. */
export type SdrRead = { completionCode: number; data?: Buffer };

/**
 * The SDR repository (IPMI v2.0 §33): an MC device locator for the BMC
 * itself, then one record per sensor, record IDs 1..N. Record bytes and
 * whole-record answers are built once; partial reads slice them.
 */
export class SdrRepository {
  readonly records: readonly Buffer[];
  private readonly wholeReads: readonly Buffer[];
  private reservation = 0;
  private lastAddition: number;
  private infoCache: Buffer | undefined;

  constructor(
    sensors: readonly SimSensor[],
    nowSeconds: number,
    /** Get SDR asking for more than this many bytes answers 0xCA (quirk); undefined: no limit. */
    private readonly maxRead: number | undefined,
  ) {
    const records: Buffer[] = [
      encodeMcDeviceLocatorRecord({
        recordId: 1,
        deviceSlaveAddress: BMC_OWNER_ID,
        channel: 0,
        powerStateNotification: 0,
        capabilities: {
          chassis: true,
          bridge: false,
          ipmbEventGenerator: false,
          ipmbEventReceiver: true,
          fruInventory: true,
          sel: true,
          sdrRepository: true,
          sensor: true,
        },
        // Table 43-13 0x06: system management module, the BMC.
        entityId: 0x06,
        entityInstance: 1,
        oem: 0,
        idStringTypeLength: 0xc0,
        name: 'BMC',
      }),
    ];
    for (const s of sensors) records.push(s.encodeRecord(records.length + 1));
    this.records = records;
    this.wholeReads = records.map((r, i) => encodeGetSdrResponse({ nextRecordId: i + 1 < records.length ? i + 2 : SDR_LAST_RECORD_ID, data: r }));
    this.lastAddition = nowSeconds;
  }

  get recordCount(): number {
    return this.records.length;
  }

  get lastAdditionSeconds(): number {
    return this.lastAddition;
  }

  reserve(): number {
    this.reservation = (this.reservation % 0xffff) + 1;
    return this.reservation;
  }

  /** What a repository change does to readers (§33.11): every reservation is cancelled. */
  cancelReservation(): void {
    this.reserve();
  }

  /** Simulates an SDR update: new addition timestamp (the exporter's cache key) and reservations cancelled. */
  touch(nowSeconds: number): void {
    this.lastAddition = nowSeconds;
    this.infoCache = undefined;
    this.cancelReservation();
  }

  info(): Buffer {
    this.infoCache ??= encodeGetSdrRepositoryInfoResponse({
      version: '1.5',
      recordCount: this.records.length,
      freeSpace: null,
      mostRecentAddition: this.lastAddition,
      mostRecentErase: null,
      overflow: false,
      updateMode: 'non-modal',
      supports: { deleteSdr: false, partialAdd: false, reserve: true, allocationInfo: false },
    });
    return this.infoCache;
  }

  /**
   * Get SDR (§33.12): record 0x0000 is the first; unknown IDs are 0xCB. A
   * reservation ID is needed when the offset is not 0 (the spec's "partial
   * read"); one given is checked at any offset, as ipmi_sim does: 0xC5 if
   * stale. 0xFF bytes means the rest of the record.
   */
  read(reservationId: number, recordId: number, offset: number, bytesToRead: number): SdrRead {
    const index = recordId === SDR_FIRST_RECORD_ID ? 0 : recordId - 1;
    const rec = this.records[index];
    if (rec === undefined) return { completionCode: CompletionCode.notPresent };
    if (reservationId === 0 ? offset !== 0 : reservationId !== this.reservation) return { completionCode: CompletionCode.reservationCancelled };
    if (offset >= rec.length) return { completionCode: CompletionCode.parameterOutOfRange };
    const want = bytesToRead === SDR_READ_WHOLE_RECORD ? rec.length - offset : bytesToRead;
    if (this.maxRead !== undefined && want > this.maxRead) return { completionCode: CompletionCode.cannotReturnRequestedBytes };
    if (offset === 0 && want >= rec.length) return { completionCode: CompletionCode.ok, data: this.wholeReads[index]! };
    const next = index + 1 < this.records.length ? index + 2 : SDR_LAST_RECORD_ID;
    return {
      completionCode: CompletionCode.ok,
      data: encodeGetSdrResponse({ nextRecordId: next, data: rec.subarray(offset, Math.min(rec.length, offset + want)) }),
    };
  }
}
