// What the simulated BMC (test/peers/ipmi-sim/) is configured to report:
// the single place tests take expected values from. Keep in step with
// server.sdrs (numbers, names, entities, M/R_exp, thresholds) and
// server.emu (start raw values).

export interface SimThresholdSensor {
  number: number;
  name: string;
  entity: { id: number; instance: number };
  sensorType: number; // IPMI v2.0 table 42-3
  unit: string; // as ipmitool prints it
  raw: number; // start raw byte (server.emu)
  value: number; // converted: (M * raw) * 10^R_exp
  m: number;
  rExp: number;
  status: 'ok' | 'nc' | 'cr' | 'nr'; // ipmitool sdr elist status column
}

export interface SimDiscreteSensor {
  number: number;
  name: string;
  entity: { id: number; instance: number };
  sensorType: number;
  assertedBits: number[]; // offsets set at start (reading type 0x6F)
}

export const SIM_THRESHOLD_SENSORS: readonly SimThresholdSensor[] = [
  { number: 0x01, name: 'CPU1 Temp', entity: { id: 0x03, instance: 1 }, sensorType: 0x01, unit: 'degrees C', raw: 45, value: 45, m: 1, rExp: 0, status: 'ok' },
  { number: 0x02, name: 'CPU2 Temp', entity: { id: 0x03, instance: 2 }, sensorType: 0x01, unit: 'degrees C', raw: 48, value: 48, m: 1, rExp: 0, status: 'ok' },
  { number: 0x03, name: 'Inlet Temp', entity: { id: 0x40, instance: 1 }, sensorType: 0x01, unit: 'degrees C', raw: 24, value: 24, m: 1, rExp: 0, status: 'ok' },
  // Above its upper non-critical threshold (raw 50) from the start.
  {
    number: 0x04,
    name: 'Exhaust Temp',
    entity: { id: 0x07, instance: 1 },
    sensorType: 0x01,
    unit: 'degrees C',
    raw: 52,
    value: 52,
    m: 1,
    rExp: 0,
    status: 'nc',
  },
  { number: 0x10, name: 'FAN1', entity: { id: 0x1d, instance: 1 }, sensorType: 0x04, unit: 'RPM', raw: 90, value: 5400, m: 60, rExp: 0, status: 'ok' },
  { number: 0x11, name: 'FAN2', entity: { id: 0x1d, instance: 2 }, sensorType: 0x04, unit: 'RPM', raw: 92, value: 5520, m: 60, rExp: 0, status: 'ok' },
  { number: 0x12, name: 'FAN3', entity: { id: 0x1d, instance: 3 }, sensorType: 0x04, unit: 'RPM', raw: 88, value: 5280, m: 60, rExp: 0, status: 'ok' },
  { number: 0x13, name: 'FAN4', entity: { id: 0x1d, instance: 4 }, sensorType: 0x04, unit: 'RPM', raw: 95, value: 5700, m: 60, rExp: 0, status: 'ok' },
  { number: 0x20, name: '12V', entity: { id: 0x07, instance: 1 }, sensorType: 0x02, unit: 'Volts', raw: 172, value: 12.04, m: 7, rExp: -2, status: 'ok' },
  { number: 0x21, name: '5V', entity: { id: 0x07, instance: 1 }, sensorType: 0x02, unit: 'Volts', raw: 168, value: 5.04, m: 3, rExp: -2, status: 'ok' },
  { number: 0x22, name: '3.3V', entity: { id: 0x07, instance: 1 }, sensorType: 0x02, unit: 'Volts', raw: 166, value: 3.32, m: 2, rExp: -2, status: 'ok' },
  // PSU1 typed Current (0x03), PSU2 typed Other Units (0x0B): both in Watts.
  {
    number: 0x30,
    name: 'PSU1 Input Power',
    entity: { id: 0x0a, instance: 1 },
    sensorType: 0x03,
    unit: 'Watts',
    raw: 105,
    value: 210,
    m: 2,
    rExp: 0,
    status: 'ok',
  },
  {
    number: 0x31,
    name: 'PSU2 Input Power',
    entity: { id: 0x0a, instance: 2 },
    sensorType: 0x0b,
    unit: 'Watts',
    raw: 98,
    value: 196,
    m: 2,
    rExp: 0,
    status: 'ok',
  },
];

export const SIM_DISCRETE_SENSORS: readonly SimDiscreteSensor[] = [
  { number: 0x40, name: 'PSU1 Status', entity: { id: 0x0a, instance: 1 }, sensorType: 0x08, assertedBits: [0] },
  { number: 0x41, name: 'PSU2 Status', entity: { id: 0x0a, instance: 2 }, sensorType: 0x08, assertedBits: [0] },
  { number: 0x50, name: 'Intrusion', entity: { id: 0x17, instance: 1 }, sensorType: 0x05, assertedBits: [] },
  { number: 0x60, name: 'Memory ECC', entity: { id: 0x08, instance: 1 }, sensorType: 0x0c, assertedBits: [] },
];

export interface SimSelEntry {
  timestamp: number; // seconds since 1970, UTC
  sensorType: number;
  sensorNumber: number;
  eventType: number; // event/reading type code, bit 7 = deassertion
  data: [number, number, number];
  sensor: string; // as ipmitool sel elist names it
  description: string; // ipmitool's event text
  direction: 'Asserted' | 'Deasserted';
}

// System event records (type 0x02) added with sel_add on the first start.
export const SIM_SEL: readonly SimSelEntry[] = [
  {
    timestamp: Date.UTC(2024, 2, 1, 8, 0, 0) / 1000,
    sensorType: 0x0c,
    sensorNumber: 0x60,
    eventType: 0x6f,
    data: [0x00, 0xff, 0xff],
    sensor: 'Memory ECC',
    description: 'Correctable ECC',
    direction: 'Asserted',
  },
  {
    timestamp: Date.UTC(2024, 2, 2, 9, 30, 0) / 1000,
    sensorType: 0x04,
    sensorNumber: 0x12,
    eventType: 0x01,
    data: [0x52, 0x08, 0x0a],
    sensor: 'FAN3',
    description: 'Lower Critical going low',
    direction: 'Asserted',
  },
  {
    timestamp: Date.UTC(2024, 2, 3, 10, 15, 0) / 1000,
    sensorType: 0x08,
    sensorNumber: 0x41,
    eventType: 0x6f,
    data: [0x01, 0xff, 0xff],
    sensor: 'PSU2 Status',
    description: 'Failure detected',
    direction: 'Asserted',
  },
  {
    timestamp: Date.UTC(2024, 2, 3, 10, 20, 0) / 1000,
    sensorType: 0x08,
    sensorNumber: 0x41,
    eventType: 0xef,
    data: [0x01, 0xff, 0xff],
    sensor: 'PSU2 Status',
    description: 'Failure detected',
    direction: 'Deasserted',
  },
  {
    timestamp: Date.UTC(2024, 2, 4, 23, 59, 0) / 1000,
    sensorType: 0x05,
    sensorNumber: 0x50,
    eventType: 0x6f,
    data: [0x00, 0xff, 0xff],
    sensor: 'Intrusion',
    description: 'General Chassis intrusion',
    direction: 'Asserted',
  },
  {
    timestamp: Date.UTC(2024, 2, 5, 12, 0, 0) / 1000,
    sensorType: 0x01,
    sensorNumber: 0x04,
    eventType: 0x01,
    data: [0x57, 52, 50],
    sensor: 'Exhaust Temp',
    description: 'Upper Non-critical going high',
    direction: 'Asserted',
  },
];

export interface SimFru {
  chassis: { type: number; partNumber: string; serialNumber: string };
  board: { mfgDate: Date; manufacturer: string; productName: string; serialNumber: string; partNumber: string };
  product: { manufacturer: string; productName: string; partNumber: string; version: string; serialNumber: string; assetTag: string };
}

export const SIM_FRU: SimFru = {
  chassis: { type: 0x17, partNumber: 'CH-2U-0042', serialNumber: 'CSN0042001' },
  board: {
    mfgDate: new Date(Date.UTC(2023, 5, 15, 12, 0, 0)),
    manufacturer: 'Contoso',
    productName: 'S2600 Mainboard',
    serialNumber: 'BSN0042001',
    partNumber: 'MB-S2600-01',
  },
  product: {
    manufacturer: 'Contoso',
    productName: 'SimServer 2S',
    partNumber: 'SS2S-1000',
    version: 'A01',
    serialNumber: 'SN-42-0001',
    assetTag: 'ASSET-0001',
  },
};

// Get Device ID answer (mc_add line in server.emu).
export const SIM_MC = {
  deviceId: 0x20,
  deviceRevision: 1,
  firmwareRevision: '2.47',
  ipmiVersion: '2.0',
  manufacturerId: 0x1291, // 4753, MontaVista in ipmitool's table
  productId: 0x0b0c,
} as const;

export const SIM_USERS = {
  admin: { username: 'admin', password: 'ADMIN' }, // ADMINISTRATOR
  user: { username: 'monitor', password: 'monitorpass' }, // USER
} as const;
