// The one place for every threshold and duration of the mixin. alerts.yml,
// rules.yml and the dashboards are rendered from it (npm run mixin); change a
// value here and re-render, never edit the generated files by hand. Tests
// render the rules again with overrides (e.g. every `for` at 0s) instead of
// keeping a second copy.

export interface MixinConfig {
  /**
   * Label matchers added to every selector of the alerts and recording rules,
   * e.g. 'job=~"bmc|bmc-.*"' to scope them; empty matches every job.
   * Dashboards choose the job with their `job` variable instead.
   */
  selector: string;
  /** Where the runbook lives; each alert's runbook_url is this plus "#" and the alert's anchor. */
  runbookUrl: string;
  /** How long each condition must hold before the alert fires (Prometheus `for`). */
  for: {
    bmcDown: string;
    exporterDown: string;
    exporterUnhealthy: string;
    sensorCritical: string;
    sensorNonRecoverable: string;
    cpuTemperature: string;
    intakeTemperature: string;
    fanFailure: string;
    psuFailed: string;
    psuInputLost: string;
    /** The SEL-event alerts (PSU failure logged, uncorrectable ECC, correctable-ECC storm): the window is their duration. */
    selEvent: string;
    selNearlyFull: string;
    selOverflow: string;
    chassisIntrusion: string;
    powerFault: string;
    scrapesPartial: string;
    scrapeSlow: string;
  };
  thresholds: {
    /** processor_temperature_celsius above this (°C). Most server CPUs throttle near 95-100 °C. */
    cpuTemperatureCelsius: number;
    /** chassis_intake_temperature_celsius above this (°C): ASHRAE class A2's allowable maximum is 35 °C. */
    intakeTemperatureCelsius: number;
    /** The window in which a logged event (uncorrectable ECC, PSU failure, AC lost) still alerts. */
    selEventWindow: string;
    /** New correctable-ECC events in the SEL within `correctableEccWindow` that make a storm. */
    correctableEccEvents: number;
    correctableEccWindow: string;
    /** Fraction of the SEL used (16 bytes per entry) above which it is nearly full. */
    selUsedRatio: number;
    /** Fraction of the exporter's collections ended early (partial) within `partialWindow`. */
    partialRatio: number;
    partialWindow: string;
    /** Scrapes Prometheus gave up on before their turn (bmc_target_abandoned_requests_total) within `partialWindow`. */
    abandonedScrapes: number;
    /** bmc_scrape_duration_seconds above this (s); keep it under the job's scrape_timeout (10 s recommended). */
    scrapeDurationSeconds: number;
  };
  /** How many BMCs the fleet dashboard's top-N panels show. */
  topN: number;
}

export const defaultConfig: MixinConfig = {
  selector: '',
  runbookUrl: 'README.md',
  for: {
    bmcDown: '5m',
    exporterDown: '5m',
    exporterUnhealthy: '10m',
    sensorCritical: '5m',
    sensorNonRecoverable: '1m',
    cpuTemperature: '5m',
    intakeTemperature: '10m',
    fanFailure: '2m',
    psuFailed: '1m',
    psuInputLost: '1m',
    selEvent: '0s',
    selNearlyFull: '30m',
    selOverflow: '0s',
    chassisIntrusion: '0s',
    powerFault: '1m',
    scrapesPartial: '15m',
    scrapeSlow: '15m',
  },
  thresholds: {
    cpuTemperatureCelsius: 90,
    intakeTemperatureCelsius: 35,
    selEventWindow: '1h',
    correctableEccEvents: 10,
    correctableEccWindow: '1h',
    selUsedRatio: 0.9,
    partialRatio: 0.1,
    partialWindow: '15m',
    abandonedScrapes: 5,
    scrapeDurationSeconds: 8,
  },
  topN: 10,
};

export type ConfigOverrides = {
  selector?: string;
  runbookUrl?: string;
  for?: Partial<MixinConfig['for']>;
  thresholds?: Partial<MixinConfig['thresholds']>;
  topN?: number;
};

/** The defaults with some values replaced (tests: short `for`, a lower threshold). */
export function withOverrides(o: ConfigOverrides, base: MixinConfig = defaultConfig): MixinConfig {
  return {
    selector: o.selector ?? base.selector,
    runbookUrl: o.runbookUrl ?? base.runbookUrl,
    for: { ...base.for, ...o.for },
    thresholds: { ...base.thresholds, ...o.thresholds },
    topN: o.topN ?? base.topN,
  };
}

/** Every `for` set to one duration (e.g. '0s' for the end-to-end test). */
export function allFor(duration: string, base: MixinConfig = defaultConfig): MixinConfig {
  const f = Object.fromEntries(Object.keys(base.for).map((k) => [k, duration])) as MixinConfig['for'];
  return { ...base, for: f };
}

/** Seconds in a Prometheus duration like "1h", "90s", "1h30m". */
export function seconds(duration: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  const re = /(\d+)(ms|s|m|h|d|w|y)/g;
  let total = 0;
  let consumed = 0;
  for (const m of duration.matchAll(re)) {
    total += Number(m[1]) * units[m[2]!]!;
    consumed += m[0].length;
  }
  if (consumed !== duration.length || duration.length === 0) throw new Error(`not a Prometheus duration: ${JSON.stringify(duration)}`);
  return total;
}
