import { describe, expect, it } from 'vitest';
import { encodeCompactSensorRecord, encodeEventOnlyRecord, encodeFullSensorRecord, encodeMcDeviceLocatorRecord } from './encode.js';
import { decodeSdrRecord, SDR_HEADER_LENGTH, type SdrRecord } from './records.js';
import { COMPACT_BRIDGED, COMPACT_DIMMS, EVENT_ONLY, FULL_12V, FULL_CPU_TEMP, FULL_SIGNED_INLET, MC_LOCATOR } from './sdr-fixtures.test-data.js';
import { SIM_SDR_IMAGE } from './sim-sdr-image.test-data.js';

function encode(rec: SdrRecord): Buffer {
  switch (rec.kind) {
    case 'full':
      return encodeFullSensorRecord(rec);
    case 'compact':
      return encodeCompactSensorRecord(rec);
    case 'event-only':
      return encodeEventOnlyRecord(rec);
    case 'mc-locator':
      return encodeMcDeviceLocatorRecord(rec);
    default:
      throw new Error(`no encoder for ${rec.kind}`);
  }
}

describe('SDR encoders', () => {
  it.each([
    ['full threshold record', FULL_CPU_TEMP],
    ['full record with R_exp', FULL_12V],
    ["full record in 2's complement", FULL_SIGNED_INLET],
    ['shared compact record', COMPACT_DIMMS],
    ['bridged compact record', COMPACT_BRIDGED],
    ['event-only record', EVENT_ONLY],
    ['MC device locator', MC_LOCATOR],
  ])('%s: encode(decode(bytes)) gives the bytes back', (_name, bytes) => {
    expect(encode(decodeSdrRecord(bytes)).toString('hex')).toBe(bytes.toString('hex'));
  });

  it('re-encodes every record sdrcomp compiled for ipmi_sim byte for byte', () => {
    let pos = 0;
    let n = 0;
    while (pos < SIM_SDR_IMAGE.length) {
      const len = SDR_HEADER_LENGTH + SIM_SDR_IMAGE[pos + 4]!;
      const bytes = SIM_SDR_IMAGE.subarray(pos, pos + len);
      const rec = decodeSdrRecord(bytes);
      if (rec.kind !== 'other' && rec.kind !== 'fru-locator') {
        expect(encode(rec).toString('hex'), `record ${rec.recordId}`).toBe(bytes.toString('hex'));
        n++;
      }
      pos += len;
    }
    expect(n).toBeGreaterThan(5);
  });

  it('writes ID string type 00 (the "unicode" that is really ASCII) with the name length', () => {
    const rec = decodeSdrRecord(FULL_CPU_TEMP);
    if (rec.kind !== 'full') throw new Error('fixture');
    const bytes = encodeFullSensorRecord({ ...rec, idStringTypeLength: 0x00, name: 'Intrusion' });
    const back = decodeSdrRecord(bytes);
    expect(back.kind === 'full' && back.idStringTypeLength).toBe(0x09);
    expect(back.kind === 'full' && back.name).toBe('Intrusion');
  });

  it('rejects ID strings longer than 16 bytes', () => {
    const rec = decodeSdrRecord(EVENT_ONLY);
    if (rec.kind !== 'event-only') throw new Error('fixture');
    expect(() => encodeEventOnlyRecord({ ...rec, name: 'x'.repeat(17) })).toThrow(/at most 16/);
  });
});
