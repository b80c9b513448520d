import { getChassisStatus } from '@bmc-exporter/ipmi';
import type { Collector } from './collector.js';

/** gebn/bmc_exporter bmc/subcollector/chassis_status.go: names and help texts. */
export const CHASSIS_METRICS = {
  poweredOn: {
    name: 'chassis_powered_on',
    help: 'Whether the system is currently turned on, according to Get Chassis Status. If 0, the system could be in S4/S5, or mechanical off.',
  },
  intrusion: { name: 'chassis_intrusion', help: 'Whether the system cover is open, according to Get Chassis Status.' },
  powerFault: {
    name: 'chassis_power_fault',
    help: 'Whether a fault has been detected in the main power subsystem, according to Get Chassis Status.',
  },
  coolingFault: { name: 'chassis_cooling_fault', help: 'Whether a cooling or fan fault has been detected, according to Get Chassis Status.' },
  driveFault: { name: 'chassis_drive_fault', help: 'Whether a disk drive in the system is faulty, according to Get Chassis Status.' },
} as const;

/** One Get Chassis Status (IPMI v2.0 §28.2) per scrape, five gauges. */
export const chassisCollector: Collector = {
  name: 'chassis',
  async collect({ execute, signal, out }) {
    const s = await execute(getChassisStatus, undefined, { signal });
    for (const key of ['poweredOn', 'intrusion', 'powerFault', 'coolingFault', 'driveFault'] as const) {
      out.set(CHASSIS_METRICS[key], s[key] ? 1 : 0);
    }
  },
};
