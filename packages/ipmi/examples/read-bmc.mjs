#!/usr/bin/env node
// Read one BMC with @bmc-exporter/ipmi alone:
//   BMC_PASSWORD=secret node read-bmc.mjs 192.0.2.1[:623] username
// Prints the firmware, the chassis power state and every sensor, as JSON.
import { BmcClient, getChassisStatus, getDeviceId, readSdrRepository, readSensor, sensorsFromSdr } from '@bmc-exporter/ipmi';

const [target, username] = process.argv.slice(2);
if (!target || !username || process.env.BMC_PASSWORD === undefined) {
  console.error('usage: BMC_PASSWORD=... node read-bmc.mjs HOST[:PORT] USERNAME');
  process.exit(2);
}
const [, host, port] = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(target) ?? [];
const bmc = new BmcClient({ host, port: Number(port ?? 623), username, password: process.env.BMC_PASSWORD });
const signal = AbortSignal.timeout(10_000);
try {
  const device = await bmc.execute(getDeviceId, undefined, { signal });
  const chassis = await bmc.execute(getChassisStatus, undefined, { signal });
  const { records } = await readSdrRepository(bmc.execute, { signal });
  const sensors = [];
  for (const s of sensorsFromSdr(records)) {
    const r = await readSensor(bmc.execute, s, { signal });
    sensors.push({ name: s.name, value: r.value, state: r.state });
  }
  console.log(JSON.stringify({ firmware: `${device.firmwareMajor}.${device.firmwareMinor}`, poweredOn: chassis.poweredOn, sensors }));
} finally {
  await bmc.close(); // Close Session
}
