import { describe, expect, it } from 'vitest';
import { MalformedPacketError } from '../errors.js';
import { formatFirmware, getDeviceId } from './get-device-id.js';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('Get Device ID (§20.1)', () => {
  it('has no request data', () => {
    expect(getDeviceId.encode()).toEqual(Buffer.alloc(0));
    expect([getDeviceId.netFn, getDeviceId.cmd]).toEqual([0x06, 0x01]);
  });

  it.each([
    {
      name: 'ipmi_sim default MC (no aux firmware)',
      // id 0x20, provides SDRs, fw 0.00, IPMI 2.0, support 0x9f, manufacturer 0x001234, product 0x0001
      bytes: '20 80 00 00 02 9f 34 12 00 01 00',
      expect: {
        deviceId: 0x20,
        deviceRevision: 0,
        providesSdrs: true,
        deviceAvailable: true,
        firmwareMajor: 0,
        firmwareMinor: 0,
        firmwareMinorRaw: 0,
        ipmiVersion: '2.0',
        support: {
          chassis: true,
          bridge: false,
          ipmbEventGenerator: false,
          ipmbEventReceiver: true,
          fruInventory: true,
          sel: true,
          sdrRepository: true,
          sensor: true,
        },
        manufacturerId: 0x1234,
        productId: 0x0001,
        auxFirmware: undefined,
      },
      firmware: '0.00',
    },
    {
      name: 'Dell-like BMC with aux firmware, IPMI 2.0, fw 4.40',
      bytes: '20 81 04 40 02 df a2 02 00 00 01 00 0b 00 00',
      expect: {
        deviceRevision: 1,
        firmwareMajor: 4,
        firmwareMinor: 40,
        firmwareMinorRaw: 0x40,
        manufacturerId: 674, // Dell IANA
        productId: 0x0100,
        auxFirmware: h('000b0000'),
      },
      firmware: '4.40',
    },
    {
      name: 'IPMI 1.5 device in update mode, reserved manufacturer bits masked',
      bytes: '01 03 81 23 51 00 57 01 f0 02 00',
      expect: {
        deviceId: 1,
        deviceRevision: 3,
        providesSdrs: false,
        deviceAvailable: false,
        firmwareMajor: 1,
        firmwareMinor: 23,
        ipmiVersion: '1.5',
        manufacturerId: 0x157,
        productId: 2,
      },
      firmware: '1.23',
    },
  ])('$name', ({ bytes, expect: want, firmware }) => {
    const rsp = getDeviceId.decode(h(bytes));
    expect(rsp).toMatchObject(want);
    expect(formatFirmware(rsp)).toBe(firmware);
  });

  it('ipmi_sim 2.0.33 as captured (fixtures/captures/lanplus-c0-mc-info.json)', () => {
    // ipmitool printed: Device ID 0, Revision 3, Firmware 9.08, IPMI 2.0, Manufacturer 4753,
    // Product 3842 (0x0f02), available, no device SDRs, support 0x9f, aux 00 00 00 00.
    const rsp = getDeviceId.decode(h('00 03 09 08 02 9f 91 12 00 02 0f 00 00 00 00'));
    expect(rsp).toMatchObject({
      deviceId: 0,
      deviceRevision: 3,
      providesSdrs: false,
      deviceAvailable: true,
      ipmiVersion: '2.0',
      manufacturerId: 4753,
      productId: 3842,
      auxFirmware: h('00000000'),
    });
    expect(formatFirmware(rsp)).toBe('9.08');
  });

  it('keeps a non-BCD minor byte and prints it as hex like ipmitool', () => {
    const rsp = getDeviceId.decode(h('20 00 02 1a 02 00 00 00 00 00 00'));
    expect(rsp.firmwareMinor).toBe(0x1a);
    expect(formatFirmware(rsp)).toBe('2.1a');
  });

  it('rejects short data', () => {
    expect(() => getDeviceId.decode(h('20 80 00 00 02 9f 34 12 00 01'))).toThrow(MalformedPacketError);
  });
});
