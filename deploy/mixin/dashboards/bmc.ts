// (b) One BMC: the `instance` variable picks it.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { MixinConfig } from '../config.js';
import { booleanMappings, Ids, instanceVariable, jobVariable, newDashboard, row, statPanel, tablePanel, timeSeries } from './common.js';

export const BMC_UID = 'bmc-exporter-bmc';

export function bmcDashboard(_c: MixinConfig): dashboard.Dashboard {
  const ids = new Ids();
  const s = 'job=~"$job",instance="$instance"';
  const flag = (title: string, metric: string, zero: string, one: string, oneIsBad: boolean, description: string) =>
    statPanel(ids, title, description, 'short', [{ expr: `${metric}{${s}}` }]).mappings(booleanMappings(zero, one, oneIsBad));
  return newDashboard(
    'BMC',
    BMC_UID,
    'One BMC read through bmc-exporter: identity, chassis, power, temperatures, fans, voltage rails, threshold states and its System Event Log.',
  )
    .withVariable(jobVariable('bmc_up'))
    .withVariable(instanceVariable('bmc_up', false))
    .withRow(row(ids, 'Identity and chassis'))
    .withPanel(flag('Session', 'bmc_up', 'Down', 'Up', false, 'bmc_up: 1 when the exporter could open (or keep) a session and collect.'))
    .withPanel(flag('Power', 'chassis_powered_on', 'Off', 'On', false, 'chassis_powered_on, from Get Chassis Status.'))
    .withPanel(flag('Intrusion', 'chassis_intrusion', 'Closed', 'Open', true, 'chassis_intrusion: the case is or was open.'))
    .withPanel(flag('Power fault', 'chassis_power_fault', 'OK', 'Fault', true, 'chassis_power_fault, from Get Chassis Status.'))
    .withPanel(flag('Cooling fault', 'chassis_cooling_fault', 'OK', 'Fault', true, 'chassis_cooling_fault, from Get Chassis Status.'))
    .withPanel(flag('Drive fault', 'chassis_drive_fault', 'OK', 'Fault', true, 'chassis_drive_fault, from Get Chassis Status.'))
    .withPanel(
      tablePanel(ids, 'bmc_info', "The BMC's GUID, firmware and the IPMI version the exporter speaks with it.", { expr: `bmc_info{${s}}` }, 24, 4, ['Value']),
    )
    .withRow(row(ids, 'Power'))
    .withPanel(
      timeSeries(ids, 'Power per PSU', 'power_draw_watts per power supply (psu "" is DCMI, when the BMC has no PSU wattage sensor).', 'watt', [
        { expr: `power_draw_watts{${s}}`, legend: 'PSU {{psu}}' },
      ]),
    )
    .withPanel(
      timeSeries(ids, 'DCMI power reading', "DCMI Get Power Reading: current, and minimum, maximum and average over the BMC's sampling period.", 'watt', [
        { expr: `dcmi_power_current_watts{${s}}`, legend: 'current' },
        { expr: `dcmi_power_average_watts{${s}}`, legend: 'average' },
        { expr: `dcmi_power_minimum_watts{${s}}`, legend: 'minimum' },
        { expr: `dcmi_power_maximum_watts{${s}}`, legend: 'maximum' },
      ]),
    )
    .withPanel(
      tablePanel(
        ids,
        'Power supplies',
        "Each PSU's status sensor: present, failed, predictive failure, input lost (0/1).",
        {
          expr: `{__name__=~"power_supply_(present|failed|predictive_failure|input_lost)",${s}}`,
        },
        24,
        6,
      ),
    )
    .withRow(row(ids, 'Temperatures and fans'))
    .withPanel(
      timeSeries(ids, 'Temperatures', 'CPU sockets, air intake and exhaust.', 'celsius', [
        { expr: `processor_temperature_celsius{${s}}`, legend: 'CPU {{cpu}}' },
        { expr: `chassis_intake_temperature_celsius{${s}}`, legend: 'intake' },
        { expr: `chassis_exhaust_temperature_celsius{${s}}`, legend: 'exhaust' },
      ]),
    )
    .withPanel(
      timeSeries(ids, 'Fans', 'fan_speed_rpm per fan sensor (fans reading a duty cycle: fan_speed_ratio as percent).', 'rotrpm', [
        { expr: `fan_speed_rpm{${s}}`, legend: '{{fan}}' },
        { expr: `fan_speed_ratio{${s}} * 100`, legend: '{{fan}} %' },
      ]),
    )
    .withRow(row(ids, 'Voltages and threshold states'))
    .withPanel(timeSeries(ids, 'Voltage rails', 'voltage_volts per rail.', 'volt', [{ expr: `voltage_volts{${s}}`, legend: '{{rail}}' }]))
    .withPanel(
      timeSeries(ids, 'Sensors not OK', "sensor_threshold_state above 0: 1 non-critical, 2 critical, 3 non-recoverable (the BMC's own thresholds).", 'short', [
        { expr: `sensor_threshold_state{${s}} > 0`, legend: '{{type}} {{sensor}}' },
      ]),
    )
    .withPanel(
      tablePanel(
        ids,
        'Threshold states',
        'Every threshold sensor with its state now (0 ok, 1 non-critical, 2 critical, 3 non-recoverable), worst first.',
        {
          expr: `sort_desc(sensor_threshold_state{${s}})`,
        },
        24,
        8,
      ),
    )
    .withRow(row(ids, 'System Event Log'))
    .withPanel(statPanel(ids, 'SEL entries', 'sel_entries, from Get SEL Info.', 'short', [{ expr: `sel_entries{${s}}` }]))
    .withPanel(
      statPanel(
        ids,
        'SEL used',
        'Fraction of the SEL in use (16 bytes per entry).',
        'percentunit',
        [{ expr: `sel_entries{${s}} * 16 / (sel_entries{${s}} * 16 + sel_free_bytes{${s}})` }],
        [
          { value: null, color: 'green' },
          { value: 0.75, color: 'orange' },
          { value: 0.9, color: 'red' },
        ],
      ),
    )
    .withPanel(flag('SEL overflow', 'sel_overflow', 'No', 'Events lost', true, 'sel_overflow: the BMC dropped events because the SEL was full.'))
    .withPanel(
      flag(
        'SEL read',
        'sel_read_complete',
        'In progress',
        'Complete',
        false,
        'sel_read_complete: 0 while a large SEL is still being read over several scrapes.',
      ),
    )
    .withPanel(
      statPanel(
        ids,
        'SEL last addition',
        'sel_last_addition_timestamp_seconds.',
        'dateTimeFromNow',
        [{ expr: `sel_last_addition_timestamp_seconds{${s}} * 1000` }],
        undefined,
        8,
      ),
    )
    .withPanel(
      timeSeries(ids, 'SEL events', 'Events in the SEL by category and severity (deassertions are info).', 'short', [
        { expr: `sel_events{${s}} > 0`, legend: '{{category}} {{severity}}' },
      ]),
    )
    .withPanel(
      tablePanel(ids, 'Latest SEL event per category', 'When the latest event of each category and severity happened (ms since the epoch).', {
        expr: `sel_latest_event_timestamp_seconds{${s}} * 1000`,
      }),
    )
    .withRow(row(ids, 'Scrape'))
    .withPanel(
      timeSeries(
        ids,
        'Scrape duration',
        "The exporter's collection time (bmc_scrape_duration_seconds) and Prometheus' whole scrape.",
        's',
        [
          { expr: `bmc_scrape_duration_seconds{${s}}`, legend: 'collection' },
          { expr: `scrape_duration_seconds{${s}}`, legend: 'Prometheus scrape' },
        ],
        24,
      ),
    )
    .build();
}
