import { describe, expect, it } from 'vitest';
import { MalformedPacketError } from '../errors.js';
import { decodeSdrRecord } from './records.js';
import { COMPACT_DIMMS, EVENT_ONLY, FRU_LOCATOR, FULL_12V, FULL_CPU_TEMP, FULL_SIGNED_INLET, MC_LOCATOR, OEM_RECORD } from './sdr-fixtures.test-data.js';

describe('decodeSdrRecord (§43)', () => {
  it('full sensor record (§43.1)', () => {
    const rec = decodeSdrRecord(FULL_CPU_TEMP);
    expect(rec).toMatchObject({
      kind: 'full',
      recordId: 1,
      version: 0x51,
      type: 0x01,
      ownerId: 0x20,
      ownerIsSoftware: false,
      lun: 0,
      channel: 0,
      sensorNumber: 0x30,
      entityId: 0x03,
      entityInstance: 1,
      entityIsLogical: false,
      sensorType: 0x01,
      eventReadingType: 0x01,
      assertionMask: 0x0a80,
      readingMask: 0x3f3f,
      units: { analogFormat: 'unsigned', rate: 0, modifier: 'none', percentage: false, baseUnit: 1, modifierUnit: 0 },
      conversion: { analogFormat: 'unsigned', m: 1, b: 0, bExp: 0, rExp: 0, linearization: 0 },
      nominalSpecified: true,
      normalMaxSpecified: true,
      normalMinSpecified: true,
      raw: { nominal: 40, normalMax: 80, normalMin: 10, sensorMax: 255, sensorMin: 0 },
      thresholds: { unr: 100, uc: 95, unc: 90, lnr: 0, lc: 5, lnc: 10 },
      hysteresisPositive: 2,
      hysteresisNegative: 2,
      idStringTypeLength: 0xc8,
      name: 'CPU Temp',
    });
  });

  it('full record with negative R_exp and a partial readable-threshold mask', () => {
    const rec = decodeSdrRecord(FULL_12V);
    if (rec.kind !== 'full') throw new Error('expected full');
    expect(rec.conversion).toEqual({ analogFormat: 'unsigned', m: 63, b: 0, bExp: 0, rExp: -3, linearization: 0 });
    // 0xE1 = 225 -> 14.175 V; 0xB4 = 180 -> 11.34 V; others not readable.
    expect(rec.thresholds).toEqual({ unr: null, uc: 14.175, unc: null, lnr: null, lc: 11.34, lnc: null });
    expect(rec.name).toBe('12V');
  });

  it("full record with 2's complement data, no thresholds readable", () => {
    const rec = decodeSdrRecord(FULL_SIGNED_INLET);
    if (rec.kind !== 'full') throw new Error('expected full');
    expect(rec.units.analogFormat).toBe('twos-complement');
    expect(rec.raw.sensorMax).toBe(0x7f);
    expect(rec.raw.sensorMin).toBe(0x80);
    expect(rec.thresholds).toEqual({ unr: null, uc: null, unc: null, lnr: null, lc: null, lnc: null });
  });

  it('compact sensor record with sharing (§43.2)', () => {
    expect(decodeSdrRecord(COMPACT_DIMMS)).toMatchObject({
      kind: 'compact',
      recordId: 4,
      ownerId: 0x20,
      lun: 1,
      sensorNumber: 0x40,
      entityId: 0x20,
      entityInstance: 1,
      sensorType: 0x0c,
      eventReadingType: 0x6f,
      units: { analogFormat: 'none' },
      sharing: { shareCount: 4, idInstanceModifierType: 'numeric', idInstanceModifierOffset: 1, entityInstanceIncrements: true },
      name: 'DIMM',
    });
  });

  it('event-only record (§43.3)', () => {
    expect(decodeSdrRecord(EVENT_ONLY)).toMatchObject({
      kind: 'event-only',
      sensorNumber: 0x50,
      entityId: 7,
      sensorType: 0x12,
      eventReadingType: 0x6f,
      sharing: { shareCount: 0 },
      name: 'Events',
    });
  });

  it('FRU device locator (§43.8)', () => {
    expect(decodeSdrRecord(FRU_LOCATOR)).toEqual({
      kind: 'fru-locator',
      recordId: 7,
      version: 0x51,
      type: 0x11,
      deviceAccessAddress: 0x20,
      fruDeviceId: 0,
      logical: true,
      accessLun: 0,
      privateBusId: 0,
      channel: 0,
      deviceType: 0x10,
      deviceTypeModifier: 0,
      entityId: 7,
      entityInstance: 1,
      oem: 0,
      idStringTypeLength: 0xc6,
      name: 'MB FRU',
    });
  });

  it('MC device locator (§43.9)', () => {
    expect(decodeSdrRecord(MC_LOCATOR)).toMatchObject({
      kind: 'mc-locator',
      deviceSlaveAddress: 0x20,
      channel: 0,
      capabilities: {
        chassis: true,
        bridge: false,
        ipmbEventGenerator: true,
        ipmbEventReceiver: true,
        fruInventory: true,
        sel: true,
        sdrRepository: true,
        sensor: true,
      },
      entityId: 0x2e,
      name: 'BMC',
    });
  });

  it('keeps other record types raw', () => {
    expect(decodeSdrRecord(OEM_RECORD)).toEqual({ kind: 'other', recordId: 9, version: 0x51, type: 0xc0, raw: OEM_RECORD });
  });

  it('rejects a body shorter than the header length', () => {
    expect(() => decodeSdrRecord(FULL_CPU_TEMP.subarray(0, 40))).toThrow(MalformedPacketError);
  });

  it('rejects a length byte too short for the fixed fields', () => {
    const cut = Buffer.from(FULL_CPU_TEMP.subarray(0, 30));
    cut[4] = 25;
    expect(() => decodeSdrRecord(cut)).toThrow(MalformedPacketError);
  });

  it('clamps an ID string length that runs past the record', () => {
    const rec = Buffer.from(MC_LOCATOR);
    rec[15] = 0xcf; // claims 15 bytes, 3 present
    expect(decodeSdrRecord(rec)).toMatchObject({ kind: 'mc-locator', name: 'BMC' });
  });
});
