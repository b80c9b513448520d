// (a) Fleet: every BMC of the chosen jobs at once.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { MixinConfig } from '../config.js';
import { Ids, jobVariable, newDashboard, row, statPanel, tablePanel, timeSeries } from './common.js';

export const FLEET_UID = 'bmc-exporter-fleet';

export function fleetDashboard(c: MixinConfig): dashboard.Dashboard {
  const ids = new Ids();
  const j = 'job=~"$job"';
  const n = c.topN;
  const red = [
    { value: null, color: 'green' },
    { value: 1, color: 'red' },
  ];
  return newDashboard(
    'BMC fleet',
    FLEET_UID,
    'Every BMC scraped through bmc-exporter: availability, power, temperatures, fans, PSUs, SEL events and scrape health.',
  )
    .withVariable(jobVariable('bmc_up'))
    .withRow(row(ids, 'Availability'))
    .withPanel(statPanel(ids, 'BMCs up', 'BMCs whose latest scrape opened a session (bmc_up 1).', 'short', [{ expr: `sum(bmc_up{${j}})` }]))
    .withPanel(
      statPanel(
        ids,
        'BMCs down',
        'BMCs whose latest scrape could not open a session (bmc_up 0).',
        'short',
        [{ expr: `count(bmc_up{${j}} == 0) or vector(0)` }],
        red,
      ),
    )
    .withPanel(
      statPanel(ids, 'Total power', 'Sum of power_draw_watts over every PSU of every BMC (DCMI where a BMC has no PSU sensor).', 'watt', [
        { expr: `sum(power_draw_watts{${j}})` },
      ]),
    )
    .withPanel(
      statPanel(
        ids,
        'Fans below threshold',
        'Fan sensors past any lower threshold (sensor_threshold_state > 0).',
        'short',
        [{ expr: `count(sensor_threshold_state{${j},type="fan"} > 0) or vector(0)` }],
        red,
      ),
    )
    .withPanel(
      statPanel(
        ids,
        'PSUs failed',
        'Power supplies reporting failure detected or input lost.',
        'short',
        [{ expr: `count(power_supply_failed{${j}} == 1 or power_supply_input_lost{${j}} == 1) or vector(0)` }],
        red,
      ),
    )
    .withPanel(
      statPanel(
        ids,
        'Sensors not OK',
        'Threshold sensors outside their normal range (non-critical or worse).',
        'short',
        [{ expr: `count(sensor_threshold_state{${j}} > 0) or vector(0)` }],
        [
          { value: null, color: 'green' },
          { value: 1, color: 'orange' },
        ],
      ),
    )
    .withPanel(
      timeSeries(ids, 'BMCs up and down', 'Per job: BMCs up, and all BMCs scraped.', 'short', [
        { expr: `sum by (job) (bmc_up{${j}})`, legend: '{{job}} up' },
        { expr: `count by (job) (bmc_up{${j}} == 0)`, legend: '{{job}} down' },
        { expr: `count by (job) (bmc_up{${j}})`, legend: '{{job}} total' },
      ]),
    )
    .withPanel(
      timeSeries(ids, 'Total power', 'Sum of power_draw_watts per job.', 'watt', [{ expr: `sum by (job) (power_draw_watts{${j}})`, legend: '{{job}}' }]),
    )
    .withRow(row(ids, 'Power and temperatures'))
    .withPanel(
      timeSeries(ids, `Top ${n} BMCs by power`, 'The BMCs drawing the most power (all their PSUs summed).', 'watt', [
        { expr: `topk(${n}, sum by (instance) (power_draw_watts{${j}}))`, legend: '{{instance}}' },
      ]),
    )
    .withPanel(
      timeSeries(ids, `Hottest ${n} CPUs`, 'processor_temperature_celsius, the hottest sockets of the fleet.', 'celsius', [
        { expr: `topk(${n}, processor_temperature_celsius{${j}})`, legend: '{{instance}} CPU {{cpu}}' },
      ]),
    )
    .withPanel(
      timeSeries(
        ids,
        `Hottest ${n} air intakes`,
        'chassis_intake_temperature_celsius: the air entering the chassis; high values point at the room or the rack.',
        'celsius',
        [{ expr: `topk(${n}, chassis_intake_temperature_celsius{${j}})`, legend: '{{instance}}' }],
      ),
    )
    .withPanel(
      timeSeries(ids, `Exhaust − intake ΔT (top ${n})`, 'How much the server heats its air: exhaust minus intake temperature.', 'celsius', [
        { expr: `topk(${n}, chassis_exhaust_temperature_celsius{${j}} - chassis_intake_temperature_celsius{${j}})`, legend: '{{instance}}' },
      ]),
    )
    .withRow(row(ids, 'Fans and power supplies'))
    .withPanel(
      timeSeries(ids, 'Fans below threshold per BMC', 'Fan sensors past a lower threshold, per BMC (1 non-critical, 2 critical, 3 non-recoverable).', 'short', [
        { expr: `count by (instance) (sensor_threshold_state{${j},type="fan"} > 0)`, legend: '{{instance}}' },
      ]),
    )
    .withPanel(
      tablePanel(ids, 'Fans below threshold', 'Every fan past a lower threshold now, with its state.', {
        expr: `sensor_threshold_state{${j},type="fan"} > 0`,
      }),
    )
    .withPanel(
      tablePanel(ids, 'Failed power supplies', 'Power supplies reporting failure detected or input lost now.', {
        expr: `power_supply_failed{${j}} == 1 or power_supply_input_lost{${j}} == 1`,
      }),
    )
    .withPanel(
      timeSeries(ids, 'Sensors not OK by type', 'Threshold sensors past a threshold, by sensor type.', 'short', [
        { expr: `count by (type) (sensor_threshold_state{${j}} > 0)`, legend: '{{type}}' },
      ]),
    )
    .withRow(row(ids, 'System Event Log'))
    .withPanel(
      timeSeries(ids, 'SEL events by category', 'Warning and critical events in the SEL of every BMC, by category (drops when a SEL is cleared).', 'short', [
        { expr: `sum by (category) (sel_events{${j},severity!="info"}) > 0`, legend: '{{category}}' },
      ]),
    )
    .withPanel(
      timeSeries(ids, 'SEL events by severity', 'Events in the SEL of every BMC, by severity (deassertions are info).', 'short', [
        { expr: `sum by (severity) (sel_events{${j}})`, legend: '{{severity}}' },
      ]),
    )
    .withPanel(
      timeSeries(ids, `SEL usage (top ${n})`, 'Fraction of each SEL in use (16 bytes per entry); a full SEL loses new events.', 'percentunit', [
        { expr: `topk(${n}, sel_entries{${j}} * 16 / (sel_entries{${j}} * 16 + sel_free_bytes{${j}}))`, legend: '{{instance}}' },
      ]),
    )
    .withPanel(
      tablePanel(ids, 'BMCs with critical SEL events', 'Critical events currently in each SEL, by category.', {
        expr: `sel_events{${j},severity="critical"} > 0`,
      }),
    )
    .withRow(row(ids, 'Scrapes'))
    .withPanel(
      timeSeries(ids, `Slowest ${n} scrapes`, 'bmc_scrape_duration_seconds: the time the exporter spent collecting each BMC.', 's', [
        { expr: `topk(${n}, bmc_scrape_duration_seconds{${j}})`, legend: '{{instance}}' },
      ]),
    )
    .withPanel(
      timeSeries(ids, 'Scrape duration', "Per job: the slowest and the average collection, and Prometheus' own measure of the whole scrape.", 's', [
        { expr: `max by (job) (bmc_scrape_duration_seconds{${j}})`, legend: '{{job}} max' },
        { expr: `avg by (job) (bmc_scrape_duration_seconds{${j}})`, legend: '{{job}} avg' },
        { expr: `max by (job) (scrape_duration_seconds{${j}})`, legend: '{{job}} Prometheus max' },
      ]),
    )
    .withPanel(
      timeSeries(
        ids,
        'Partial and abandoned scrapes',
        "From the exporters' /metrics (any job): collections ended at the deadline with partial data, and scrapes abandoned before they reached a BMC.",
        'ops',
        [
          { expr: 'sum by (instance) (rate(bmc_collector_partial_collections_total[$__rate_interval]))', legend: '{{instance}} partial' },
          { expr: 'sum by (instance) (rate(bmc_target_abandoned_requests_total[$__rate_interval]))', legend: '{{instance}} abandoned' },
        ],
        24,
      ),
    )
    .build();
}
