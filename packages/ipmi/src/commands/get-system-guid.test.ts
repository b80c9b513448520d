import { describe, expect, it } from 'vitest';
import { MalformedPacketError } from '../errors.js';
import { formatGuid, formatGuidAsIpmitool, getSystemGuid } from './get-system-guid.js';

const h = (s: string) => Buffer.from(s.replace(/[\s-]+/g, ''), 'hex');
const NOW = Date.UTC(2025, 0, 1);

describe('Get System GUID (§22.14)', () => {
  it('encodes nothing and keeps the 16 bytes as sent', () => {
    expect(getSystemGuid.encode()).toHaveLength(0);
    const bytes = h('00112233445566778899aabbccddeeff');
    expect(getSystemGuid.decode(bytes).guid).toEqual(bytes);
  });

  it.each(['00112233445566778899aabbccddee', '00112233445566778899aabbccddeeff00'])('rejects %s (not 16 bytes)', (s) => {
    expect(() => getSystemGuid.decode(h(s))).toThrow(MalformedPacketError);
  });
});

describe('formatGuid (bmc_exporter compatible: wire order)', () => {
  it('groups the wire bytes 8-4-4-4-12', () => {
    expect(formatGuid(h('a1b2c3d4e5f60718293a4b5c6d7e8f90'))).toBe('a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90');
  });
});

describe('formatGuidAsIpmitool (ipmitool 1.8.19 mc guid, auto mode)', () => {
  it('IPMI layout (§20.8, LSB first, fields reversed) is detected through its version nibble', () => {
    // RFC 4122 string 12345678-9abc-4def-8123-456789abcdef (v4) laid out per IPMI.
    const wire = h('efcdab896745 2381 ef4d bc9a 78563412');
    expect(formatGuidAsIpmitool(wire, NOW)).toBe('12345678-9abc-4def-8123-456789abcdef');
  });

  it('RFC 4122 network order is printed as is when no later layout has a valid version', () => {
    // Byte 9 (IPMI time_hi MSB) = 0x03 and bytes 6:7 LE (SMBIOS) = 0xef4d: both invalid versions.
    const wire = h('12345678-9abc-4def-8103-456789abcd00');
    expect(formatGuidAsIpmitool(wire, NOW)).toBe('12345678-9abc-4def-8103-456789abcd00');
  });

  it('SMBIOS layout (time fields LE, rest network order)', () => {
    // SMBIOS bytes for 12345678-9abc-4def-8123-456789abcdef; byte 9 (IPMI time_hi) is 0x20 (version 0).
    const wire = h('78563412 bc9a ef4d 8123 456789abcdef');
    expect(formatGuidAsIpmitool(wire, NOW)).toBe('12345678-9abc-4def-8123-456789abcdef');
  });

  it('a time-based RFC 4122 GUID with a plausible timestamp wins over later layouts', () => {
    // v1 UUID of 2020-ish: time_low 0x8f2b1e00, time_mid 0x3f4a, time_hi 0x11ea.
    const wire = h('8f2b1e00 3f4a 11ea 8123 4567 89ab 4def');
    expect(formatGuidAsIpmitool(wire, NOW)).toBe('8f2b1e00-3f4a-11ea-8123-456789ab4def');
  });

  it('matches ipmitool 1.8.19 against ipmi_sim (SMBIOS detected, v1 time in 2038 rejected)', () => {
    // `ipmitool mc guid` printed 44454c4c-4a00-1035-804a-b4c04f4e5331 for these wire bytes in 2026.
    const wire = h('4c4c4544004a3510804ab4c04f4e5331');
    expect(formatGuidAsIpmitool(wire, Date.UTC(2026, 10, 21))).toBe('44454c4c-4a00-1035-804a-b4c04f4e5331');
    expect(formatGuid(wire)).toBe('4c4c4544-004a-3510-804a-b4c04f4e5331');
  });

  it('dumps uppercase hex when no layout has a valid version', () => {
    const wire = h('00000000000000000000000000000000');
    expect(formatGuidAsIpmitool(wire, NOW)).toBe('00000000000000000000000000000000');
    const odd = h('0102030405060708090a0b0c0d0e0fff');
    expect(formatGuidAsIpmitool(odd, NOW)).toBe('0102030405060708090A0B0C0D0E0FFF');
  });
});
