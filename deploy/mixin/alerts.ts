// Alert and recording rules, from the thresholds in config.ts. Metric names
// are the exporter's (README: "Metrics at /bmc", "Beyond bmc_exporter", "The
// exporter's own metrics"). Every alert has summary and description
// annotations naming the BMC (or the exporter instance) and a runbook_url
// into the README's runbook.
import { seconds, type MixinConfig } from './config.js';

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'critical' | 'warning' };
  annotations: { summary: string; description: string; runbook_url: string };
}

export interface RecordingRule {
  record: string;
  expr: string;
}

export interface RuleGroup<R> {
  name: string;
  rules: R[];
}

/** `metric{matchers, selector}`: the config's selector joins every selector. */
export function selectorFor(c: MixinConfig): (metric: string, matchers?: string) => string {
  return (metric, matchers = '') => {
    const all = [matchers, c.selector].filter((m) => m !== '').join(',');
    return all === '' ? metric : `${metric}{${all}}`;
  };
}

/** The README's runbook anchor of an alert: its name in lower case (GitHub's heading ids). */
export const runbookAnchor = (alert: string): string => alert.toLowerCase();

export function alertGroups(c: MixinConfig): Array<RuleGroup<AlertRule>> {
  const m = selectorFor(c);
  const t = c.thresholds;
  const rule = (alert: string, severity: 'critical' | 'warning', forDuration: string, expr: string, summary: string, description: string): AlertRule => ({
    alert,
    expr,
    for: forDuration,
    labels: { severity },
    annotations: { summary, description, runbook_url: `${c.runbookUrl}#${runbookAnchor(alert)}` },
  });
  const bmc = 'BMC {{ $labels.instance }}';

  const availability = [
    rule(
      'BmcDown',
      'critical',
      c.for.bmcDown,
      // Absent-safe: also when the scrape through the exporter fails outright
      // (exporter gone, scrape timeout), so bmc_up itself is missing.
      `${m('bmc_up')} == 0\nor on (job, instance)\n(${m('up')} == 0 and on (job, instance) present_over_time(${m('bmc_up')}[1h]))`,
      `${bmc} is down`,
      `The exporter could not open an IPMI session to ${bmc} (job {{ $labels.job }}), or Prometheus could not scrape it through the exporter, for ${c.for.bmcDown}.`,
    ),
    rule(
      'BmcExporterDown',
      'critical',
      c.for.exporterDown,
      `${m('up')} == 0 and on (job, instance) present_over_time(${m('bmc_exporter_build_info')}[1h])`,
      'bmc-exporter {{ $labels.instance }} is down',
      'Prometheus cannot scrape the /metrics page of bmc-exporter {{ $labels.instance }} (job {{ $labels.job }}); the BMCs it serves are not being read through it.',
    ),
    rule(
      'BmcExporterUnhealthy',
      'warning',
      c.for.exporterUnhealthy,
      `${m('bmc_exporter_healthy')} == 0`,
      'bmc-exporter {{ $labels.instance }} is unhealthy',
      `bmc-exporter {{ $labels.instance }} reports bmc_exporter_healthy 0 for ${c.for.exporterUnhealthy}: its UDP transport could not start, or the most recent collection of some BMC failed (timeout, BMC error).`,
    ),
  ];

  const sensors = [
    rule(
      'BmcSensorCritical',
      'warning',
      c.for.sensorCritical,
      // Fans have their own alert (BmcFanFailure).
      `${m('sensor_threshold_state', 'type!="fan"')} == 2`,
      `Sensor {{ $labels.sensor }} on ${bmc} is critical`,
      `The {{ $labels.type }} sensor {{ $labels.sensor }} on ${bmc} is past a critical threshold set by the BMC's vendor.`,
    ),
    rule(
      'BmcSensorNonRecoverable',
      'critical',
      c.for.sensorNonRecoverable,
      `${m('sensor_threshold_state')} == 3`,
      `Sensor {{ $labels.sensor }} on ${bmc} is non-recoverable`,
      `The {{ $labels.type }} sensor {{ $labels.sensor }} on ${bmc} is past its non-recoverable threshold: the hardware may already be damaged or shutting down.`,
    ),
    rule(
      'BmcCpuTemperatureHigh',
      'warning',
      c.for.cpuTemperature,
      `${m('processor_temperature_celsius')} > ${t.cpuTemperatureCelsius}`,
      `CPU {{ $labels.cpu }} of ${bmc} is above ${t.cpuTemperatureCelsius} °C`,
      `CPU {{ $labels.cpu }} of ${bmc} has been at {{ $value }} °C (above ${t.cpuTemperatureCelsius} °C) for ${c.for.cpuTemperature}.`,
    ),
    rule(
      'BmcIntakeTemperatureHigh',
      'warning',
      c.for.intakeTemperature,
      `${m('chassis_intake_temperature_celsius')} > ${t.intakeTemperatureCelsius}`,
      `Air intake of ${bmc} is above ${t.intakeTemperatureCelsius} °C`,
      `Air enters the chassis of ${bmc} at {{ $value }} °C (above ${t.intakeTemperatureCelsius} °C) for ${c.for.intakeTemperature}: check the room's cooling and the rack's airflow.`,
    ),
    rule(
      'BmcFanFailure',
      'critical',
      c.for.fanFailure,
      `${m('sensor_threshold_state', 'type="fan"')} >= 2`,
      `Fan {{ $labels.sensor }} of ${bmc} has failed`,
      `Fan {{ $labels.sensor }} of ${bmc} is below its critical threshold (stopped or failing) for ${c.for.fanFailure}.`,
    ),
  ];

  const latest = (category: string) => `time() - ${m('sel_latest_event_timestamp_seconds', `category=~"${category}",severity="critical"`)}`;
  const power = [
    rule(
      'BmcPowerSupplyFailed',
      'critical',
      c.for.psuFailed,
      `${m('power_supply_failed')} == 1`,
      `PSU {{ $labels.psu }} of ${bmc} has failed`,
      `Power supply {{ $labels.psu }} of ${bmc} reports "failure detected"; the server may be running without redundancy.`,
    ),
    rule(
      'BmcPowerSupplyInputLost',
      'critical',
      c.for.psuInputLost,
      `${m('power_supply_input_lost')} == 1`,
      `PSU {{ $labels.psu }} of ${bmc} has lost its input`,
      `Power supply {{ $labels.psu }} of ${bmc} reports its AC/DC input lost or out of range: check the feed, PDU and cable.`,
    ),
    rule(
      'BmcPowerSupplyFailureLogged',
      'warning',
      c.for.selEvent,
      // Also catches a PSU that failed and recovered between two scrapes.
      `${latest('psu-failure|ac-lost')} < ${seconds(t.selEventWindow)}`,
      `${bmc} logged a {{ $labels.category }} event`,
      `The SEL of ${bmc} holds a critical {{ $labels.category }} event from the last ${t.selEventWindow}, even if the power supply has recovered since.`,
    ),
    rule(
      'BmcPowerFault',
      'critical',
      c.for.powerFault,
      `${m('chassis_power_fault')} == 1`,
      `${bmc} reports a power fault`,
      `Get Chassis Status of ${bmc} reports a main power fault (the power subsystem shut the server down or failed to power it on).`,
    ),
  ];

  const sel = [
    rule(
      'BmcUncorrectableECC',
      'critical',
      c.for.selEvent,
      `${latest('memory-ecc-uncorrectable')} < ${seconds(t.selEventWindow)}`,
      `${bmc} logged an uncorrectable memory error`,
      `The SEL of ${bmc} holds an uncorrectable ECC (or parity, scrub failure, disabled DIMM) event from the last ${t.selEventWindow}: plan to replace the DIMM.`,
    ),
    rule(
      'BmcCorrectableECCStorm',
      'warning',
      c.for.selEvent,
      // sel_events drops when the SEL is cleared: increase() takes that as a
      // counter reset and counts only what was logged since.
      `sum without (severity) (increase(${m('sel_events', 'category="memory-ecc-correctable",severity!="info"')}[${t.correctableEccWindow}])) >= ${t.correctableEccEvents}`,
      `${bmc} logs many correctable memory errors`,
      `${bmc} logged {{ $value | printf "%.0f" }} correctable ECC events in ${t.correctableEccWindow} (threshold ${t.correctableEccEvents}): a DIMM is likely degrading.`,
    ),
    rule(
      'BmcSelNearlyFull',
      'warning',
      c.for.selNearlyFull,
      `${m('sel_entries')} * 16 / (${m('sel_entries')} * 16 + ${m('sel_free_bytes')}) > ${t.selUsedRatio}`,
      `The SEL of ${bmc} is nearly full`,
      `The System Event Log of ${bmc} is {{ $value | humanizePercentage }} full; once full, new hardware events are lost. Save and clear it.`,
    ),
    rule(
      'BmcSelOverflow',
      'warning',
      c.for.selOverflow,
      `${m('sel_overflow')} == 1`,
      `The SEL of ${bmc} overflowed`,
      `${bmc} dropped events because its System Event Log is full. Save and clear it.`,
    ),
    rule(
      'BmcChassisIntrusion',
      'warning',
      c.for.chassisIntrusion,
      `${m('chassis_intrusion')} == 1`,
      `Chassis of ${bmc} is open`,
      `The chassis intrusion switch of ${bmc} is active: the case is (or was) open.`,
    ),
  ];

  const scrapes = [
    rule(
      'BmcExporterScrapesPartial',
      'warning',
      c.for.scrapesPartial,
      `increase(${m('bmc_collector_partial_collections_total')}[${t.partialWindow}])\n/ increase(${m('bmc_collector_collect_duration_seconds_count')}[${t.partialWindow}]) > ${t.partialRatio}`,
      'bmc-exporter {{ $labels.instance }} ends many collections early',
      `{{ $value | humanizePercentage }} of the collections of bmc-exporter {{ $labels.instance }} in ${t.partialWindow} hit the scrape deadline and returned partial data: slow BMCs or a scrape_timeout too short.`,
    ),
    rule(
      'BmcExporterScrapesAbandoned',
      'warning',
      c.for.scrapesPartial,
      `increase(${m('bmc_target_abandoned_requests_total')}[${t.partialWindow}]) > ${t.abandonedScrapes}`,
      'bmc-exporter {{ $labels.instance }} abandons scrapes',
      `bmc-exporter {{ $labels.instance }} abandoned {{ $value | printf "%.0f" }} scrapes in ${t.partialWindow} before they reached a BMC: the scrape interval or timeout is too short for the BMCs.`,
    ),
    rule(
      'BmcScrapeSlow',
      'warning',
      c.for.scrapeSlow,
      `${m('bmc_scrape_duration_seconds')} > ${t.scrapeDurationSeconds}`,
      `Scrapes of ${bmc} are slow`,
      `Collecting ${bmc} takes {{ $value | humanizeDuration }} (above ${t.scrapeDurationSeconds} s) for ${c.for.scrapeSlow}: the BMC is slow or losing packets.`,
    ),
  ];

  return [
    { name: 'bmc-exporter.availability', rules: availability },
    { name: 'bmc-exporter.sensors', rules: sensors },
    { name: 'bmc-exporter.power', rules: power },
    { name: 'bmc-exporter.sel', rules: sel },
    { name: 'bmc-exporter.scrapes', rules: scrapes },
  ];
}

export function recordingGroups(c: MixinConfig): Array<RuleGroup<RecordingRule>> {
  const m = selectorFor(c);
  return [
    {
      name: 'bmc-exporter.rules',
      rules: [
        { record: 'instance:bmc_power_draw_watts:sum', expr: `sum without (psu) (${m('power_draw_watts')})` },
        { record: 'job:bmc_power_draw_watts:sum', expr: `sum by (job) (${m('power_draw_watts')})` },
        { record: 'job:bmc_up:sum', expr: `sum by (job) (${m('bmc_up')})` },
        { record: 'job:bmc_up:count', expr: `count by (job) (${m('bmc_up')})` },
        {
          record: 'instance:bmc_chassis_temperature_rise_celsius:diff',
          expr: `${m('chassis_exhaust_temperature_celsius')} - ${m('chassis_intake_temperature_celsius')}`,
        },
        {
          record: 'instance:bmc_sel_used:ratio',
          expr: `${m('sel_entries')} * 16 / (${m('sel_entries')} * 16 + ${m('sel_free_bytes')})`,
        },
        {
          record: 'instance:bmc_sensors_not_ok:count',
          expr: `count without (sensor, type) (${m('sensor_threshold_state')} > 0)`,
        },
      ],
    },
  ];
}
