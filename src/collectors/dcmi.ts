import type { Collector } from './collector.js';

/** DCMI v1.5 §6.6.1 Get Power Reading, system power statistics mode. */
export const DCMI_POWER_METRICS = {
  current: { name: 'dcmi_power_current_watts', help: 'The whole system power draw now, from DCMI Get Power Reading.' },
  minimum: { name: 'dcmi_power_minimum_watts', help: 'The lowest system power draw over the sampling period, from DCMI Get Power Reading.' },
  maximum: { name: 'dcmi_power_maximum_watts', help: 'The highest system power draw over the sampling period, from DCMI Get Power Reading.' },
  average: { name: 'dcmi_power_average_watts', help: 'The average system power draw over the sampling period, from DCMI Get Power Reading.' },
  period: { name: 'dcmi_power_sampling_period_seconds', help: 'The sampling period the DCMI minimum, maximum and average cover.' },
} as const;

/**
 * The five DCMI power gauges when the BMC supports DCMI power management and
 * says the measurement is active. Support is asked once per session (Get DCMI
 * Capabilities); a BMC without it, or one that ignores DCMI (one timeout,
 * then remembered), gets no DCMI request for the rest of the session. The
 * reading is shared with power_draw's DCMI fallback: one per scrape.
 */
export const dcmiCollector: Collector = {
  name: 'dcmi',
  async collect(ctx) {
    const p = await ctx.dcmiPowerReading();
    if (!p?.powerMeasurementActive) return;
    const m = DCMI_POWER_METRICS;
    ctx.out.set(m.current, p.currentWatts);
    ctx.out.set(m.minimum, p.minimumWatts);
    ctx.out.set(m.maximum, p.maximumWatts);
    ctx.out.set(m.average, p.averageWatts);
    ctx.out.set(m.period, p.statisticsReportingPeriodSeconds);
  },
};
