import type { BmcDefinition, SensorDefinition } from './definition.js';

/**
 * Built-in BMC profiles (the fleet layer also loads YAML of the same
 * shape). Entity choices, Table 43-13: CPU temperatures on 0x03 processor;
 * the inlet on 0x37 air inlet (v2.0 rev 1.1; DCMI's 0x40 is the same thing
 * for DCMI-only tools); exhaust on 0x07 system board; fans on 0x1D; PSUs on
 * 0x0A; GPUs on 0x0B add-in card — they are PCIe cards, and keeping them
 * off 0x03 stops CPU-temperature collectors from counting GPUs as sockets.
 */

const temp = (name: string, number: number, entity: string | number, instance: number, value: number, unc: number, ucr: number): SensorDefinition => ({
  name,
  number,
  sensorType: 'temperature',
  entity: { id: entity, instance },
  unit: 'celsius',
  value,
  thresholds: { unc, ucr, unr: ucr + 5 },
});

const fan = (name: string, number: number, instance: number, rpm: number): SensorDefinition => ({
  name,
  number,
  sensorType: 'fan',
  entity: { id: 'fan', instance },
  unit: 'rpm',
  value: rpm,
  thresholds: { lcr: 600, lnc: 1000 },
});

const volt = (name: string, number: number, nominal: number, instance = 1): SensorDefinition => ({
  name,
  number,
  sensorType: 'voltage',
  entity: { id: 'system-board', instance },
  unit: 'volts',
  value: nominal,
  thresholds: { lcr: +(nominal * 0.9).toFixed(3), lnc: +(nominal * 0.95).toFixed(3), unc: +(nominal * 1.05).toFixed(3), ucr: +(nominal * 1.1).toFixed(3) },
});

const psuPower = (name: string, number: number, instance: number, watts: number, sensorType: string): SensorDefinition => ({
  name,
  number,
  sensorType,
  entity: { id: 'power-supply', instance },
  unit: 'watts',
  value: watts,
  thresholds: { ucr: 1400 },
});

/** Power supply offset 0 = presence detected (Table 42-3). */
const psuStatus = (name: string, number: number, instance: number): SensorDefinition => ({
  name,
  number,
  sensorType: 'power-supply',
  entity: { id: 'power-supply', instance },
  states: [0],
});

const serverSensors: SensorDefinition[] = [
  temp('CPU1 Temp', 0x01, 'processor', 1, 45, 85, 90),
  temp('CPU2 Temp', 0x02, 'processor', 2, 47, 85, 90),
  temp('Inlet Temp', 0x03, 'air-inlet', 1, 22, 40, 45),
  temp('Exhaust Temp', 0x04, 'system-board', 1, 35, 70, 75),
  ...[1, 2, 3, 4, 5, 6].map((i) => fan(`FAN${i}`, 0x0f + i, i, 5400 + i * 120)),
  volt('12V', 0x20, 12),
  volt('5V', 0x21, 5),
  volt('3.3V', 0x22, 3.3),
  volt('VBAT', 0x23, 3),
  volt('CPU1 VCore', 0x24, 1.8),
  // PSU input power typed "Other Units-based" (0x0B) with unit watts, as many vendors do (peers.md).
  psuPower('PSU1 Input Power', 0x30, 1, 196, 'other-units'),
  psuPower('PSU2 Input Power', 0x31, 2, 204, 'other-units'),
  psuStatus('PSU1 Status', 0x40, 1),
  psuStatus('PSU2 Status', 0x41, 2),
  { name: 'Memory ECC', number: 0x60, sensorType: 'memory', entity: { id: 'memory-module', instance: 1 }, states: [] },
  // ID string type 00 ("Unicode") holding 8-bit ASCII: a common vendor quirk.
  { name: 'Intrusion', number: 0x70, sensorType: 'physical-security', entity: { id: 'chassis', instance: 1 }, states: [], idStringType: 'unicode-as-ascii' },
  { name: 'Power Unit', number: 0x71, sensorType: 'power-unit', entity: { id: 'power-unit', instance: 1 }, record: 'event-only' },
];

const serverFru: BmcDefinition['fru'] = {
  chassis: { type: 0x17, partNumber: 'CH-2U-0001', serialNumber: 'CSN0000001' },
  board: {
    manufacturer: 'Simulated Systems',
    productName: 'SIM-2S Mainboard',
    serialNumber: 'BSN0000001',
    partNumber: 'MB-2S-01',
    manufacturedAt: new Date(Date.UTC(2023, 5, 1)),
  },
  product: {
    manufacturer: 'Simulated Systems',
    productName: 'SIM-2S',
    partNumber: 'SYS-2S',
    version: '1.0',
    serialNumber: 'PSN0000001',
    assetTag: 'ASSET-0001',
  },
};

const server2s: BmcDefinition = {
  device: { deviceId: 0x20, deviceRevision: 1, firmware: '2.47', manufacturerId: 0xa2, productId: 0x1234, auxFirmware: [0, 0, 0, 0] },
  guid: '44454c4c-3000-1053-8052-b2c04f424d43',
  chassis: { poweredOn: true },
  sensors: serverSensors,
  sel: {
    capacity: 512,
    entries: [
      // Correctable ECC on DIMM 3, then PSU2 AC lost.
      { timestamp: 0x65000000, sensorType: 'memory', sensorNumber: 0x60, eventType: 0x6f, data: [0x30, 0xff, 0x03] },
      { timestamp: 0x65000100, sensorType: 'power-supply', sensorNumber: 0x41, eventType: 0x6f, data: [0x03, 0xff, 0xff] },
    ],
  },
  fru: serverFru,
  dcmi: { powerWatts: { current: 400, min: 310, max: 520, average: 395 }, periodSeconds: 60 },
};

/** GPU server: 2 CPUs, 8 GPUs (temp, memory temp, power), 16 fans, 4 PSUs, 48 voltage rails: 100+ SDR records. */
function gpuSensors(): SensorDefinition[] {
  const s: SensorDefinition[] = [
    temp('CPU1 Temp', 0x01, 'processor', 1, 52, 90, 95),
    temp('CPU2 Temp', 0x02, 'processor', 2, 55, 90, 95),
    temp('Inlet Temp', 0x03, 'air-inlet', 1, 24, 40, 45),
    temp('Exhaust Temp', 0x04, 'system-board', 1, 41, 75, 80),
  ];
  for (let g = 1; g <= 8; g++) s.push(temp(`GPU${g} Temp`, 0x07 + g, 'add-in-card', g, 60 + g, 85, 90));
  for (let f = 1; f <= 16; f++) s.push(fan(`FAN${f}`, 0x0f + f, f, 8000 + f * 100));
  for (let p = 1; p <= 4; p++) {
    // Dell-style typing for contrast with server-2s: watts on a "Current" (0x03) sensor.
    s.push(psuPower(`PSU${p} Input Power`, 0x2f + p, p, 600 + p * 10, 'current'));
    s.push(psuStatus(`PSU${p} Status`, 0x33 + p, p));
  }
  const rails: Array<[string, number]> = [
    ['VCCIN', 1.8],
    ['VCCSA', 0.85],
    ['VCCIO', 1.0],
    ['VDDQ ABCD', 1.2],
    ['VDDQ EFGH', 1.2],
    ['VPP ABCD', 2.5],
    ['VPP EFGH', 2.5],
    ['VCCANA', 1.0],
  ];
  let n = 0x40;
  for (const cpu of [1, 2]) for (const [r, v] of rails) s.push(volt(`CPU${cpu} ${r}`, n++, v, cpu));
  for (let g = 1; g <= 8; g++) {
    s.push(volt(`GPU${g} 12V`, n++, 12, g));
    s.push(volt(`GPU${g} 3.3V`, n++, 3.3, g));
    s.push(volt(`GPU${g} VCore`, n++, 0.9, g));
    s.push(volt(`GPU${g} HBM`, n++, 1.2, g));
  }
  for (let g = 1; g <= 8; g++) {
    s.push({ ...temp(`GPU${g} Mem Temp`, 0x90 + g, 'add-in-card', g, 70 + g, 95, 100) });
    s.push({
      name: `GPU${g} Power`,
      number: 0xa0 + g,
      sensorType: 'other-units',
      entity: { id: 'add-in-card', instance: g },
      unit: 'watts',
      value: 300 + g * 5,
      thresholds: { ucr: 700 },
    });
  }
  s.push({ name: 'Memory ECC', number: 0xc0, sensorType: 'memory', entity: { id: 'memory-module', instance: 1 }, states: [] });
  s.push({ name: 'Intrusion', number: 0xc1, sensorType: 'physical-security', entity: { id: 'chassis', instance: 1 }, states: [] });
  // An empty GPU slot's sensor: in the SDR, never readable.
  s.push({ ...temp('GPU9 Temp', 0xc2, 'add-in-card', 9, 0, 85, 90), present: false });
  return s;
}

const gpuServer: BmcDefinition = {
  device: { firmware: '5.10', manufacturerId: 10876, productId: 0x1b01 },
  guid: '7a1e2b3c-4d5e-4f60-8172-839405a6b7c8',
  chassis: { poweredOn: true },
  sensors: gpuSensors(),
  sel: { capacity: 1024, generator: { everyMs: 60_000 } },
  fru: {
    board: { manufacturer: 'Simulated Systems', productName: 'SIM-GPU8 Board', serialNumber: 'GBSN000001', partNumber: 'MB-GPU8' },
    product: { manufacturer: 'Simulated Systems', productName: 'SIM-GPU8', partNumber: 'SYS-GPU8', version: '2.0', serialNumber: 'GPSN000001' },
  },
  dcmi: { powerWatts: { current: 3200, min: 1800, max: 4100, average: 3050 }, periodSeconds: 300 },
};

/** No PSU wattage sensor: DCMI is the only power source. */
const minimal: BmcDefinition = {
  device: { firmware: '1.05', manufacturerId: 0x1c4c, productId: 0x0001 },
  guid: '00000000-0000-4000-8000-000000000001',
  sensors: [
    temp('CPU Temp', 0x01, 'processor', 1, 40, 85, 90),
    temp('Inlet Temp', 0x02, 'air-inlet', 1, 21, 40, 45),
    fan('FAN1', 0x10, 1, 4200),
    fan('FAN2', 0x11, 2, 4300),
    volt('12V', 0x20, 12),
  ],
  fru: { product: { manufacturer: 'Simulated Systems', productName: 'SIM-MIN', serialNumber: 'MSN0000001' } },
  dcmi: { powerWatts: { current: 120, min: 90, max: 180, average: 118 } },
};

export const PROFILES: Record<string, BmcDefinition> = {
  'server-2s': server2s,
  'gpu-server': gpuServer,
  minimal,
  /** The same BMC as server-2s, speaking IPMI 1.5 only (the engine refuses RMCP+; Get Device ID says 1.5). */
  'legacy-15': { ...server2s, guid: '44454c4c-3000-1053-8052-b2c04f420015', dcmi: false, protocol: { ipmi20: false } },
  /** server-2s offering only cipher suite 17 and no IPMI 1.5 sessions. */
  'suite17-only': { ...server2s, guid: '44454c4c-3000-1053-8052-b2c04f420017', protocol: { cipherSuites: [17], authTypes15: null } },
};
