import { describe, expect, it } from 'vitest';
import { SEL_CATEGORIES, SEL_CATEGORY_DESCRIPTIONS, SEL_SEVERITIES } from './categories.js';
import { describeEvent, type SelEventDescription } from './events.js';
import { buildOemNonTimestamped, buildOemTimestamped, buildSystemEvent, type SystemEventFields } from './testing/build-sel.js';

const SS = 0x6f; // sensor-specific event type
const TH = 0x01; // threshold event type

// [name, record fields, expected]. Event data 1: [7:6] data 2 meaning, [5:4] data 3 meaning, [3:0] offset.
const cases: Array<[string, SystemEventFields, SelEventDescription]> = [
  [
    'memory correctable ECC on DIMM 3 (data 3 sensor-specific)',
    { sensorType: 0x0c, eventType: SS, eventData: [0x30, 0xff, 3] },
    { description: 'Memory: Correctable ECC (DIMM 3) asserted', category: 'memory-ecc-correctable', severity: 'warning' },
  ],
  [
    'memory uncorrectable ECC',
    { sensorType: 0x0c, eventType: SS, eventData: [0x01] },
    { description: 'Memory: Uncorrectable ECC asserted', category: 'memory-ecc-uncorrectable', severity: 'critical' },
  ],
  [
    'memory correctable ECC logging limit reached',
    { sensorType: 0x0c, eventType: SS, eventData: [0x05] },
    {
      description: 'Memory: Correctable ECC Logging Limit Reached asserted',
      category: 'memory-ecc-correctable',
      severity: 'warning',
    },
  ],
  [
    'memory parity',
    { sensorType: 0x0c, eventType: SS, eventData: [0x02] },
    { description: 'Memory: Parity Error asserted', category: 'memory-ecc-uncorrectable', severity: 'critical' },
  ],
  [
    'memory presence is not an error',
    { sensorType: 0x0c, eventType: SS, eventData: [0x06] },
    { description: 'Memory: Presence Detected asserted', category: 'other', severity: 'info' },
  ],
  [
    'temperature upper critical going high with reading and threshold',
    { sensorType: 0x01, eventType: TH, eventData: [0x59, 95, 90] },
    {
      description: 'Temperature: Upper Critical going high (reading 95, threshold 90) asserted',
      category: 'temperature-threshold',
      severity: 'critical',
    },
  ],
  [
    'temperature upper non-critical',
    { sensorType: 0x01, eventType: TH, eventData: [0x07] },
    { description: 'Temperature: Upper Non-critical going high asserted', category: 'temperature-threshold', severity: 'warning' },
  ],
  [
    'temperature deassertion is info',
    { sensorType: 0x01, eventType: TH, eventData: [0x59, 80, 90], deassertion: true },
    {
      description: 'Temperature: Upper Critical going high (reading 80, threshold 90) deasserted',
      category: 'temperature-threshold',
      severity: 'info',
    },
  ],
  [
    'fan lower critical going low',
    { sensorType: 0x04, eventType: TH, eventData: [0x52, 0x05, 0x0a] },
    { description: 'Fan: Lower Critical going low (reading 5, threshold 10) asserted', category: 'fan-failure', severity: 'critical' },
  ],
  [
    'fan upper threshold is not a failure',
    { sensorType: 0x04, eventType: TH, eventData: [0x09] },
    { description: 'Fan: Upper Critical going high asserted', category: 'other', severity: 'critical' },
  ],
  [
    'fan severity transition to critical (generic 0x07)',
    { sensorType: 0x04, eventType: 0x07, eventData: [0x02] },
    { description: 'Fan: Transition to Critical from less severe asserted', category: 'fan-failure', severity: 'critical' },
  ],
  [
    'fan redundancy lost (generic 0x0B)',
    { sensorType: 0x04, eventType: 0x0b, eventData: [0x01] },
    { description: 'Fan: Redundancy Lost asserted', category: 'fan-failure', severity: 'warning' },
  ],
  [
    'fan absent is raised to warning',
    { sensorType: 0x04, eventType: 0x08, eventData: [0x00] },
    { description: 'Fan: Device Removed / Absent asserted', category: 'fan-failure', severity: 'warning' },
  ],
  [
    'power supply failure detected',
    { sensorType: 0x08, eventType: SS, eventData: [0x01] },
    { description: 'Power Supply: Failure Detected asserted', category: 'psu-failure', severity: 'critical' },
  ],
  [
    'power supply predictive failure',
    { sensorType: 0x08, eventType: SS, eventData: [0x02] },
    { description: 'Power Supply: Predictive Failure asserted', category: 'psu-failure', severity: 'warning' },
  ],
  [
    'power supply input lost',
    { sensorType: 0x08, eventType: SS, eventData: [0x03] },
    { description: 'Power Supply: Input Lost (AC/DC) asserted', category: 'ac-lost', severity: 'critical' },
  ],
  [
    'power supply input restored (deassertion)',
    { sensorType: 0x08, eventType: SS, eventData: [0x03], deassertion: true },
    { description: 'Power Supply: Input Lost (AC/DC) deasserted', category: 'ac-lost', severity: 'info' },
  ],
  [
    'power unit AC lost',
    { sensorType: 0x09, eventType: SS, eventData: [0x04] },
    { description: 'Power Unit: AC Lost / Power Input Lost asserted', category: 'ac-lost', severity: 'critical' },
  ],
  [
    'power unit failure',
    { sensorType: 0x09, eventType: SS, eventData: [0x06] },
    { description: 'Power Unit: Power Unit Failure Detected asserted', category: 'psu-failure', severity: 'critical' },
  ],
  [
    'power supply redundancy degraded (generic 0x0B)',
    { sensorType: 0x08, eventType: 0x0b, eventData: [0x02] },
    { description: 'Power Supply: Redundancy Degraded asserted', category: 'psu-failure', severity: 'warning' },
  ],
  [
    'processor IERR',
    { sensorType: 0x07, eventType: SS, eventData: [0x00] },
    { description: 'Processor: IERR asserted', category: 'processor-error', severity: 'critical' },
  ],
  [
    'processor throttled',
    { sensorType: 0x07, eventType: SS, eventData: [0x0a] },
    { description: 'Processor: Automatically Throttled asserted', category: 'processor-error', severity: 'warning' },
  ],
  [
    'processor presence is not an error',
    { sensorType: 0x07, eventType: SS, eventData: [0x07] },
    { description: 'Processor: Presence Detected asserted', category: 'other', severity: 'info' },
  ],
  [
    'critical interrupt PCI SERR',
    { sensorType: 0x13, eventType: SS, eventData: [0x05] },
    { description: 'Critical Interrupt: PCI SERR asserted', category: 'critical-interrupt', severity: 'critical' },
  ],
  [
    'critical interrupt bus correctable error',
    { sensorType: 0x13, eventType: SS, eventData: [0x07] },
    { description: 'Critical Interrupt: Bus Correctable Error asserted', category: 'critical-interrupt', severity: 'warning' },
  ],
  [
    'watchdog 2 hard reset with timer use in data 2',
    { sensorType: 0x23, eventType: SS, eventData: [0xc1, 0x04] },
    { description: 'Watchdog 2: Hard Reset (timer use SMS/OS) asserted', category: 'watchdog', severity: 'critical' },
  ],
  [
    'watchdog 1 OS watchdog expired',
    { sensorType: 0x11, eventType: SS, eventData: [0x06] },
    { description: 'Watchdog 1: OS Watchdog Expired, Status Only asserted', category: 'watchdog', severity: 'warning' },
  ],
  [
    'drive fault',
    { sensorType: 0x0d, eventType: SS, eventData: [0x01] },
    { description: 'Drive Slot (Bay): Drive Fault asserted', category: 'drive-fault', severity: 'critical' },
  ],
  [
    'drive predictive failure',
    { sensorType: 0x0d, eventType: SS, eventData: [0x02] },
    { description: 'Drive Slot (Bay): Predictive Failure asserted', category: 'drive-fault', severity: 'warning' },
  ],
  [
    'event log cleared',
    { sensorType: 0x10, eventType: SS, eventData: [0x02] },
    { description: 'Event Logging Disabled: Log Area Reset / Cleared asserted', category: 'log-cleared', severity: 'info' },
  ],
  [
    'correctable memory error logging disabled for DIMM 5 counts as correctable ECC',
    { sensorType: 0x10, eventType: SS, eventData: [0xc0, 0x05] },
    {
      description: 'Event Logging Disabled: Correctable Memory Error Logging Disabled (DIMM 5) asserted',
      category: 'memory-ecc-correctable',
      severity: 'warning',
    },
  ],
  [
    'system boot initiated by power up',
    { sensorType: 0x1d, eventType: SS, eventData: [0x00] },
    { description: 'System Boot / Restart Initiated: Initiated by Power Up asserted', category: 'system-restart', severity: 'info' },
  ],
  [
    'OEM system boot event',
    { sensorType: 0x12, eventType: SS, eventData: [0x01] },
    { description: 'System Event: OEM System Boot Event asserted', category: 'system-restart', severity: 'info' },
  ],
  [
    'system reconfigured is not a restart',
    { sensorType: 0x12, eventType: SS, eventData: [0x00] },
    { description: 'System Event: System Reconfigured asserted', category: 'other', severity: 'info' },
  ],
  [
    'firmware progress with progress code',
    { sensorType: 0x0f, eventType: SS, eventData: [0xc2, 0x01] },
    {
      description: 'System Firmware Progress: System Firmware Progress (Memory initialization) asserted',
      category: 'system-restart',
      severity: 'info',
    },
  ],
  [
    'firmware error with error code',
    { sensorType: 0x0f, eventType: SS, eventData: [0xc0, 0x0a] },
    {
      description: 'System Firmware Progress: System Firmware Error (POST Error) (No video device detected) asserted',
      category: 'other',
      severity: 'warning',
    },
  ],
  [
    'chassis intrusion',
    { sensorType: 0x05, eventType: SS, eventData: [0x00] },
    { description: 'Physical Security: General Chassis Intrusion asserted', category: 'other', severity: 'warning' },
  ],
  [
    'voltage threshold',
    { sensorType: 0x02, eventType: TH, eventData: [0x52, 0x10, 0x12] },
    { description: 'Voltage: Lower Critical going low (reading 16, threshold 18) asserted', category: 'other', severity: 'critical' },
  ],
  [
    'unknown offset of a known sensor type',
    { sensorType: 0x0c, eventType: SS, eventData: [0x0e] },
    { description: 'Memory: sensor-specific offset 14 asserted', category: 'other', severity: 'info' },
  ],
  [
    'OEM sensor type and OEM event type',
    { sensorType: 0xc1, eventType: 0x71, eventData: [0x03] },
    { description: 'OEM reserved (0xc1): OEM event type 0x71, offset 3 asserted', category: 'other', severity: 'info' },
  ],
  [
    'unspecified event type',
    { sensorType: 0x02, eventType: 0x00, eventData: [0x00] },
    { description: 'Voltage: event type 0x00, offset 0 asserted', category: 'other', severity: 'info' },
  ],
];

describe('describeEvent', () => {
  it.each(cases)('%s', (_name, fields, expected) => {
    expect(describeEvent(buildSystemEvent(fields))).toEqual(expected);
  });

  it('covers every category', () => {
    const seen = new Set(cases.map(([, f]) => describeEvent(buildSystemEvent(f)).category));
    seen.add(describeEvent(buildOemNonTimestamped(1, Buffer.alloc(13))).category);
    expect([...seen].sort()).toEqual([...SEL_CATEGORIES].sort());
  });

  it('names the sensor and formats readings when the caller has the SDR', () => {
    const rec = buildSystemEvent({ sensorType: 0x01, eventType: TH, eventData: [0x59, 95, 90] });
    const d = describeEvent(rec, { sensorName: 'CPU1 Temp', formatReading: (raw) => `${raw} °C` });
    expect(d.description).toBe('Temperature (CPU1 Temp): Upper Critical going high (reading 95 °C, threshold 90 °C) asserted');
  });

  it('OEM records are other/info with their bytes', () => {
    expect(describeEvent(buildOemTimestamped(7, 674, Buffer.from([1, 2, 3, 4, 5, 6])))).toEqual({
      description: 'OEM record type 0xc0 (manufacturer 674): 01 02 03 04 05 06',
      category: 'other',
      severity: 'info',
    });
    expect(describeEvent(buildOemNonTimestamped(8, Buffer.alloc(13, 0xab)))).toEqual({
      description: `OEM record type 0xe0: ${Array(13).fill('ab').join(' ')}`,
      category: 'other',
      severity: 'info',
    });
  });

  it('every category and severity has a description / is listed', () => {
    for (const c of SEL_CATEGORIES) expect(SEL_CATEGORY_DESCRIPTIONS[c]).toMatch(/\w/);
    expect(SEL_SEVERITIES).toEqual(['info', 'warning', 'critical']);
  });
});
