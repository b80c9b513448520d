import { describe, expect, it } from 'vitest';
import { formatFirmwareLabel } from './firmware.js';

// Expected strings: gebn/bmc firmware_test.go's table (the vendors bmc_exporter formats specially).
const bcd = (n: number) => Math.floor(n / 10) * 16 + (n % 10);
const dev = (manufacturerId: number, major: number, minor: number, aux?: number[]) => ({
  manufacturerId,
  firmwareMajor: major,
  firmwareMinor: minor,
  firmwareMinorRaw: bcd(minor),
  auxFirmware: aux ? Buffer.from(aux) : undefined,
});

describe('formatFirmwareLabel', () => {
  it.each([
    ['Intel', dev(343, 1, 20, [0x01, 0x17, 0xa1, 0x16]), '01.20.5793'],
    ['Dell', dev(674, 2, 41, [0x00, 0x07, 0x28, 0x28]), '2.41.40.40b07'],
    ['Dell', dev(674, 3, 15, [0x00, 0x01, 0x11, 0x0f]), '3.15.17.15b01'],
    ['Quanta', dev(7244, 3, 45, [0x01, 0, 0, 0]), '3.45.01'],
    ['Quanta without aux bytes', dev(7244, 1, 5), '1.5.00'],
    ['Super Micro', dev(10876, 3, 72, [0, 0, 0, 0]), '3.72'],
    ['unknown vendor, ipmitool style', dev(162, 2, 5), '2.05'],
  ])('%s', (_name, d, want) => {
    expect(formatFirmwareLabel(d)).toBe(want);
  });
});
