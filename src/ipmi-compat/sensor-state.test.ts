import { describe, expect, it } from 'vitest';
import { discreteSensorState, STATE_VALUES } from './sensor-state.js';

describe("FreeIPMI's default sensor interpretation", () => {
  it.each([
    ['power supply presence only', 0x08, 0x6f, 0b1, 'Nominal'],
    ['power supply failure', 0x08, 0x6f, 0b10, 'Critical'],
    ['power supply inactive', 0x08, 0x6f, 1 << 7, 'Warning'],
    ['memory correctable ECC', 0x0c, 0x6f, 0b1, 'Warning'],
    ['memory correctable and uncorrectable: the worst wins', 0x0c, 0x6f, 0b11, 'Critical'],
    ['chassis intrusion', 0x05, 0x6f, 0b1, 'Critical'],
    ['no offset asserted', 0x05, 0x6f, 0, 'Nominal'],
    ['severity: to non-critical from OK', 0x01, 0x07, 0b10, 'Warning'],
    ['redundancy lost', 0x04, 0x0b, 0b10, 'Critical'],
    ['a type/reading pair it does not interpret', 0x17, 0x6f, 0b1, 'N/A'],
  ] as const)('%s', (_what, type, reading, bits, state) => {
    expect(discreteSensorState(type, reading, bits)).toBe(state);
  });

  it('maps to ipmi_exporter values: 0, 1, 2 and NaN', () => {
    expect(STATE_VALUES).toEqual({ Nominal: 0, Warning: 1, Critical: 2, 'N/A': NaN });
  });
});
