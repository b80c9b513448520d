import type { SensorDescriptor } from '@bmc-exporter/ipmi';
import { labelText } from '../metrics/exposition.js';
import { perSensorList, withLabelText, type Collector } from './collector.js';
import { onePerInstance, readEach } from './sensor-selection.js';

/** gebn/bmc_exporter bmc/subcollector/power_draw.go. */
export const POWER_DRAW = {
  name: 'power_draw_watts',
  help: 'The instantaneous amount of electricity being used by the machine, broken down by PSU where possible.',
  labelNames: ['psu'],
} as const;

/** Table 43-13 entity 0x0A power supply. */
const POWER_SUPPLY_ENTITY = 0x0a;

/**
 * PSU wattage sensors: entity 0x0A with unit watts, whatever the sensor type —
 * vendors type them "Other Units-based" (0x0B), "Current" (0x03) or power supply (0x08).
 */
export function powerSupplyWattageSensors(sensors: readonly SensorDescriptor[]): Map<string, SensorDescriptor> {
  return onePerInstance(sensors.filter((s) => s.entityId === POWER_SUPPLY_ENTITY && s.unit === 'watts'));
}

const powerSupplyWattageSeriesOf = perSensorList((sensors) => withLabelText(powerSupplyWattageSensors(sensors), 'psu'));
/** The whole machine's draw (DCMI), when no PSU reports its own. */
const NO_PSU = labelText({ psu: '' });

/**
 * power_draw_watts{psu} per PSU sensor; when the SDR has none, DCMI Get Power
 * Reading (DCMI v1.5 §6.6.1) as psu="" — only if the BMC said it supports DCMI
 * power management, and only while the measurement is active.
 */
export const powerDrawCollector: Collector = {
  name: 'power_draw',
  async collect(ctx) {
    const chosen = powerSupplyWattageSeriesOf(await ctx.target.sensors(ctx.signal));
    if (chosen.length > 0) {
      await readEach(ctx, chosen, (labels, value) => ctx.out.setLabelled(POWER_DRAW, labels, value));
      return;
    }
    // Shared with the dcmi collector: one Get Power Reading per scrape at most.
    const p = await ctx.dcmiPowerReading();
    if (p?.powerMeasurementActive) ctx.out.setLabelled(POWER_DRAW, NO_PSU, p.currentWatts);
  },
};
