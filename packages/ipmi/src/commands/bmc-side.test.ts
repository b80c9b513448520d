import { describe, expect, it } from 'vitest';
import {
  dcmiGetCapabilities,
  decodeDcmiGetCapabilitiesRequest,
  decodeDcmiSupportedCapabilities,
  encodeDcmiGetCapabilitiesResponse,
  encodeDcmiSupportedCapabilities,
} from './dcmi-get-capabilities.js';
import { dcmiGetPowerReading, decodeDcmiGetPowerReadingRequest, encodeDcmiGetPowerReadingResponse } from './dcmi-get-power-reading.js';
import { encodeGetChassisStatusResponse, getChassisStatus } from './get-chassis-status.js';
import { encodeGetDeviceIdResponse, getDeviceId } from './get-device-id.js';
import { decodeGetFruInventoryAreaInfoRequest, encodeGetFruInventoryAreaInfoResponse, getFruInventoryAreaInfo } from './get-fru-inventory-area-info.js';
import { encodeGetSdrRepositoryInfoResponse, getSdrRepositoryInfo } from './get-sdr-repository-info.js';
import { decodeGetSdrRequest, encodeGetSdrResponse, getSdr } from './get-sdr.js';
import { decodeGetSelEntryRequest, encodeGetSelEntryResponse, getSelEntry } from './get-sel-entry.js';
import { encodeGetSelInfoResponse, getSelInfo } from './get-sel-info.js';
import { encodeGetSelTimeResponse, getSelTime } from './get-sel-time.js';
import { decodeGetSensorReadingFactorsRequest, encodeGetSensorReadingFactorsResponse, getSensorReadingFactors } from './get-sensor-reading-factors.js';
import { decodeGetSensorReadingRequest, encodeGetSensorReadingResponse, getSensorReading } from './get-sensor-reading.js';
import { encodeGetSystemGuidResponse, formatGuid, getSystemGuid, parseGuid } from './get-system-guid.js';
import { decodeReadFruDataRequest, encodeReadFruDataResponse, readFruData } from './read-fru-data.js';
import { encodeReserveSdrRepositoryResponse, reserveSdrRepository } from './reserve-sdr-repository.js';
import { encodeReserveSelResponse, reserveSel } from './reserve-sel.js';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/**
 * The BMC-side halves (request decoders, response encoders) the simulator
 * uses: each must be the exact inverse of the client-side codec, so a
 * response encoded from a decoded one gives the same bytes back.
 */
describe('BMC-side command codecs', () => {
  it.each([
    ['Get Device ID with aux firmware', getDeviceId, encodeGetDeviceIdResponse, '20 81 02 47 02 bf a2 02 00 34 12 01 02 03 04'],
    ['Get Device ID, IPMI 1.5, unavailable', getDeviceId, encodeGetDeviceIdResponse, '20 01 82 05 51 9f 57 01 00 01 00'],
    ['Get System GUID', getSystemGuid, encodeGetSystemGuidResponse, '00112233445566778899aabbccddeeff'],
    ['Get Chassis Status', getChassisStatus, encodeGetChassisStatusResponse, '21 10 5d'],
    ['Get Chassis Status with buttons', getChassisStatus, encodeGetChassisStatusResponse, '41 00 00 f5'],
    ['Get SDR Repository Info', getSdrRepositoryInfo, encodeGetSdrRepositoryInfoResponse, '51 2a 00 ff ff 00 00 00 65 ff ff ff ff 22'],
    ['Reserve SDR Repository', reserveSdrRepository, encodeReserveSdrRepositoryResponse, '34 12'],
    ['Get SDR', getSdr, encodeGetSdrResponse, '02 00 01 00 51 01 33'],
    ['Get Sensor Reading, threshold', getSensorReading, encodeGetSensorReadingResponse, '2d c0 08 80'],
    ['Get Sensor Reading, unavailable, no state bytes', getSensorReading, encodeGetSensorReadingResponse, '00 60'],
    ['Get Sensor Reading Factors', getSensorReadingFactors, encodeGetSensorReadingFactorsResponse, 'ff 3f 05 c4 82 b6 d1'],
    ['Get SEL Info', getSelInfo, encodeGetSelInfoResponse, '51 03 00 d0 1f 10 00 00 65 20 00 00 65 82'],
    ['Reserve SEL', reserveSel, encodeReserveSelResponse, '01 00'],
    ['Get SEL Entry', getSelEntry, encodeGetSelEntryResponse, 'ff ff 01 00 02 00 00 00 65 20 00 04 0c 40 6f 20 ff 01'],
    ['Get SEL Time', getSelTime, encodeGetSelTimeResponse, '00 00 00 65'],
    ['Get FRU Inventory Area Info', getFruInventoryAreaInfo, encodeGetFruInventoryAreaInfoResponse, '00 01 00'],
    ['Read FRU Data', readFruData, encodeReadFruDataResponse, '03 01 00 01'],
    ['Get DCMI Capabilities Info', dcmiGetCapabilities, encodeDcmiGetCapabilitiesResponse, 'dc 01 05 02 00 01 08'],
    ['Get Power Reading', dcmiGetPowerReading, encodeDcmiGetPowerReadingResponse, 'dc 2c 01 c8 00 f4 01 22 01 00 00 00 65 e8 03 00 00 40'],
  ] as const)('%s: encodeResponse(decode(bytes)) === bytes', (_n, cmd, enc, hex) => {
    const bytes = h(hex);
    const decoded = (cmd.decode as (d: Buffer) => unknown)(bytes);
    expect((enc as (r: unknown) => Buffer)(decoded).toString('hex')).toBe(bytes.toString('hex'));
  });

  it('request decoders invert the client encoders', () => {
    const sdr = { reservationId: 0x1234, recordId: 7, offset: 5, bytesToRead: 16 };
    expect(decodeGetSdrRequest(getSdr.encode(sdr))).toEqual(sdr);
    expect(decodeGetSensorReadingRequest(getSensorReading.encode({ sensorNumber: 0x31 }))).toEqual({ sensorNumber: 0x31 });
    expect(decodeGetSensorReadingFactorsRequest(getSensorReadingFactors.encode({ sensorNumber: 1, reading: 9 }))).toEqual({
      sensorNumber: 1,
      reading: 9,
    });
    expect(decodeGetSelEntryRequest(getSelEntry.encode({ recordId: 0xffff }))).toEqual({
      reservationId: 0,
      recordId: 0xffff,
      offset: 0,
      bytesToRead: 0xff,
    });
    expect(decodeGetFruInventoryAreaInfoRequest(getFruInventoryAreaInfo.encode({ fruId: 0 }))).toEqual({ fruId: 0 });
    expect(decodeReadFruDataRequest(readFruData.encode({ fruId: 0, offset: 0x120, count: 24 }))).toEqual({ fruId: 0, offset: 0x120, count: 24 });
    expect(decodeDcmiGetCapabilitiesRequest(dcmiGetCapabilities.encode({ parameter: 1 }))).toEqual({ parameter: 1 });
    expect(decodeDcmiGetPowerReadingRequest(dcmiGetPowerReading.encode({}))).toEqual({ mode: 1, modeAttributes: 0 });
  });

  it('short or foreign requests throw, so the BMC can answer 0xC7/0xCC', () => {
    expect(() => decodeGetSdrRequest(h('0000 0100 00'))).toThrow(/short read/);
    expect(() => decodeDcmiGetPowerReadingRequest(h('dd 01 00 00'))).toThrow(/DCMI/);
  });

  it('DCMI parameter 1 data and GUID text round-trip', () => {
    const caps = h('0f 01 08');
    expect(encodeDcmiSupportedCapabilities(decodeDcmiSupportedCapabilities(caps))).toEqual(caps);
    const g = '00112233-4455-6677-8899-aabbccddeeff';
    expect(formatGuid(parseGuid(g))).toBe(g);
    expect(() => parseGuid('nope')).toThrow(RangeError);
  });
});
