import { describe, expect, it } from 'vitest';
import { assertedOffsets, crossedThresholds, discreteStates, thresholdState, thresholdStatus } from './threshold.js';

describe('threshold status (Table 35-15 byte 3)', () => {
  it.each([
    [0x00, 'ok', []],
    [0x01, 'non-critical', ['lnc']],
    [0x08, 'non-critical', ['unc']],
    [0x18, 'critical', ['uc', 'unc']],
    [0x03, 'critical', ['lc', 'lnc']],
    [0x38, 'non-recoverable', ['unr', 'uc', 'unc']],
    [0x07, 'non-recoverable', ['lnr', 'lc', 'lnc']],
    [0xc0, 'ok', []], // reserved bits ignored
  ])('0x%s -> %s', (byte, state, crossed) => {
    expect(thresholdState(byte)).toBe(state);
    expect(crossedThresholds(byte)).toEqual(crossed);
  });

  it('decodes every flag', () => {
    expect(thresholdStatus(0x3f)).toEqual({ lnc: true, lc: true, lnr: true, unc: true, uc: true, unr: true });
  });
});

describe('discrete states (bytes 3-4)', () => {
  it('combines 15 bits and lists offsets', () => {
    expect(discreteStates(0x01, 0x01)).toBe(0x0101);
    expect(discreteStates(0xff, 0xff)).toBe(0x7fff); // byte 4 bit 7 reserved
    expect(discreteStates(undefined, undefined)).toBe(0);
    expect(assertedOffsets(0x4101)).toEqual([0, 8, 14]);
  });
});
