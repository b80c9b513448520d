import { describe, expect, it } from 'vitest';
import { MalformedPacketError } from '../errors.js';
import { dcmiGetCapabilities, dcmiGetSupportedCapabilities } from './dcmi-get-capabilities.js';
import { dcmiGetPowerReading } from './dcmi-get-power-reading.js';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('Get DCMI Capabilities Info (DCMI v1.5 §6.1.1)', () => {
  it('encodes the group ID and parameter', () => {
    expect([dcmiGetCapabilities.netFn, dcmiGetCapabilities.cmd]).toEqual([0x2c, 0x01]);
    expect(dcmiGetCapabilities.encode({ parameter: 3 })).toEqual(h('dc 03'));
    expect(dcmiGetSupportedCapabilities.encode()).toEqual(h('dc 01'));
  });

  it('decodes parameter 1 (DCMI 1.5, revision 2: power management, primary LAN, SOL)', () => {
    expect(dcmiGetSupportedCapabilities.decode(h('dc 01 05 02 00 01 18'))).toEqual({
      dcmiVersion: '1.5',
      parameterRevision: 2,
      data: h('00 01 18'),
      supported: {
        identification: false,
        selLogging: false,
        chassisPower: false,
        temperatureMonitor: false,
        powerManagement: true,
        inBandKcs: false,
        serialTmode: false,
        secondaryLan: false,
        primaryLan: true,
        sol: true,
        vlan: false,
      },
    });
  });

  it('DCMI 1.0 parameter 1 with mandatory capabilities and no power management', () => {
    const rsp = dcmiGetSupportedCapabilities.decode(h('dc 01 00 01 0f 00 29'));
    expect(rsp.dcmiVersion).toBe('1.0');
    expect(rsp.supported).toMatchObject({
      identification: true,
      selLogging: true,
      chassisPower: true,
      temperatureMonitor: true,
      powerManagement: false,
      inBandKcs: true,
      secondaryLan: false,
      primaryLan: true,
      vlan: true,
    });
  });

  it('returns other parameters undecoded', () => {
    expect(dcmiGetCapabilities.decode(h('dc 01 05 02 20 00'))).toEqual({
      dcmiVersion: '1.5',
      parameterRevision: 2,
      data: h('20 00'),
    });
  });

  it('rejects a wrong group extension ID and short data', () => {
    expect(() => dcmiGetCapabilities.decode(h('dd 01 05 02'))).toThrow(MalformedPacketError);
    expect(() => dcmiGetCapabilities.decode(h('dc 01 05'))).toThrow(MalformedPacketError);
    expect(() => dcmiGetSupportedCapabilities.decode(h('dc 01 05 02 00 01'))).toThrow(MalformedPacketError);
  });
});

describe('Get Power Reading (DCMI v1.5 §6.6.1)', () => {
  it('encodes mode 1 by default', () => {
    expect([dcmiGetPowerReading.netFn, dcmiGetPowerReading.cmd]).toEqual([0x2c, 0x02]);
    expect(dcmiGetPowerReading.encode({})).toEqual(h('dc 01 00 00'));
    expect(dcmiGetPowerReading.encode({ mode: 2, modeAttributes: 3 })).toEqual(h('dc 02 03 00'));
  });

  it('decodes watts, timestamp, period (ms -> s) and the active flag', () => {
    // 245 W now, min 120, max 410, avg 233, ts 0x67650000, period 3600000 ms, active
    expect(dcmiGetPowerReading.decode(h('dc f5 00 78 00 9a 01 e9 00 00 00 65 67 80 ee 36 00 40'))).toEqual({
      currentWatts: 245,
      minimumWatts: 120,
      maximumWatts: 410,
      averageWatts: 233,
      timestamp: 0x67650000,
      statisticsReportingPeriodSeconds: 3600,
      powerMeasurementActive: true,
    });
  });

  it('reports an inactive measurement', () => {
    expect(dcmiGetPowerReading.decode(h('dc 00 00 00 00 00 00 00 00 00 00 00 00 e8 03 00 00 00'))).toMatchObject({
      statisticsReportingPeriodSeconds: 1,
      powerMeasurementActive: false,
    });
  });

  it('rejects a wrong group ID and short data', () => {
    expect(() => dcmiGetPowerReading.decode(h('00 f5 00 78 00 9a 01 e9 00 00 00 65 67 80 ee 36 00 40'))).toThrow(MalformedPacketError);
    expect(() => dcmiGetPowerReading.decode(h('dc f5 00 78 00 9a 01 e9 00 00 00 65 67 80 ee 36 00'))).toThrow(MalformedPacketError);
  });
});
