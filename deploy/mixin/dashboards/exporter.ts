// (c) The exporter itself: its /metrics page.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { MixinConfig } from '../config.js';
import { booleanMappings, Ids, instanceVariable, jobVariable, newDashboard, row, statPanel, tablePanel, timeSeries } from './common.js';

export const EXPORTER_UID = 'bmc-exporter-self';

export function exporterDashboard(_c: MixinConfig): dashboard.Dashboard {
  const ids = new Ids();
  const s = 'job=~"$job",instance=~"$instance"';
  const rate = (metric: string, by: string) => `sum by (${by}) (rate(${metric}{${s}}[$__rate_interval]))`;
  return newDashboard(
    'bmc-exporter',
    EXPORTER_UID,
    "The exporter's own metrics: health, sessions, packets, IPMI command latency and failures, collections and reloads.",
  )
    .withVariable(jobVariable('bmc_exporter_build_info'))
    .withVariable(instanceVariable('bmc_exporter_build_info', true))
    .withRow(row(ids, 'Health'))
    .withPanel(
      statPanel(ids, 'Healthy', 'bmc_exporter_healthy: 0 when the UDP transport could not start or the latest collection of some BMC failed.', 'short', [
        { expr: `min(bmc_exporter_healthy{${s}})` },
      ]).mappings(booleanMappings('Unhealthy', 'Healthy', false)),
    )
    .withPanel(statPanel(ids, 'Targets', "BMCs in the exporters' pools.", 'short', [{ expr: `sum(bmc_exporter_targets{${s}})` }]))
    .withPanel(statPanel(ids, 'Sessions open', 'IPMI sessions established with BMCs.', 'short', [{ expr: `sum(bmc_exporter_sessions_open{${s}})` }]))
    .withPanel(statPanel(ids, 'Sockets open', 'UDP sockets of the shared transport.', 'short', [{ expr: `sum(bmc_exporter_sockets_open{${s}})` }]))
    .withPanel(
      tablePanel(ids, 'Build', 'bmc_exporter_build_info: version and commit per instance.', { expr: `bmc_exporter_build_info{${s}}` }, 8, 4, ['Value']),
    )
    .withPanel(
      timeSeries(ids, 'Health over time', 'bmc_exporter_healthy per instance.', 'short', [{ expr: `bmc_exporter_healthy{${s}}`, legend: '{{instance}}' }]),
    )
    .withPanel(
      timeSeries(ids, 'Sessions and targets', 'Sessions open, targets in the pool, and targets evicted (idle or credentials changed).', 'short', [
        { expr: `bmc_exporter_sessions_open{${s}}`, legend: '{{instance}} sessions' },
        { expr: `bmc_exporter_targets{${s}}`, legend: '{{instance}} targets' },
        { expr: `increase(bmc_exporter_target_evictions_total{${s}}[$__rate_interval])`, legend: '{{instance}} evicted' },
      ]),
    )
    .withRow(row(ids, 'Packets and commands'))
    .withPanel(
      timeSeries(ids, 'Packets', 'IPMI datagrams sent to BMCs and accepted from them.', 'pps', [
        { expr: rate('bmc_exporter_packets_sent_total', 'instance'), legend: '{{instance}} sent' },
        { expr: rate('bmc_exporter_packets_received_total', 'instance'), legend: '{{instance}} received' },
      ]),
    )
    .withPanel(
      timeSeries(ids, 'Packets dropped by reason', 'Datagrams thrown away: no-match, bad-integrity, stale-sequence, malformed, unknown-peer.', 'pps', [
        { expr: rate('bmc_exporter_packets_dropped_total', 'reason'), legend: '{{reason}}' },
      ]),
    )
    .withPanel(
      timeSeries(ids, 'Command latency (p50, p99)', 'bmc_exporter_command_duration_seconds by IPMI command, retries included.', 's', [
        {
          expr: `histogram_quantile(0.99, sum by (le, command) (rate(bmc_exporter_command_duration_seconds_bucket{${s}}[$__rate_interval])))`,
          legend: '{{command}} p99',
        },
        { expr: `histogram_quantile(0.5, sum by (le) (rate(bmc_exporter_command_duration_seconds_bucket{${s}}[$__rate_interval])))`, legend: 'all p50' },
      ]),
    )
    .withPanel(
      timeSeries(ids, 'Commands', 'IPMI commands completed per second, by command.', 'ops', [
        { expr: rate('bmc_exporter_command_duration_seconds_count', 'command'), legend: '{{command}}' },
      ]),
    )
    .withPanel(
      timeSeries(
        ids,
        'Command failures, retries and abandoned requests',
        'Failures by command and outcome (completion-code, timeout, error), retries by step, requests whose caller gave up.',
        'ops',
        [
          { expr: rate('bmc_exporter_command_failures_total', 'command, outcome'), legend: '{{command}} {{outcome}}' },
          { expr: rate('bmc_exporter_command_retries_total', 'step'), legend: 'retry {{step}}' },
          { expr: rate('bmc_exporter_ipmi_requests_abandoned_total', 'instance'), legend: '{{instance}} abandoned IPMI requests' },
        ],
        24,
      ),
    )
    .withRow(row(ids, 'Collections and scrapes'))
    .withPanel(
      timeSeries(ids, 'Collection duration (p50, p90)', 'bmc_collector_collect_duration_seconds: one BMC collection.', 's', [
        { expr: `histogram_quantile(0.5, sum by (le) (rate(bmc_collector_collect_duration_seconds_bucket{${s}}[$__rate_interval])))`, legend: 'p50' },
        { expr: `histogram_quantile(0.9, sum by (le) (rate(bmc_collector_collect_duration_seconds_bucket{${s}}[$__rate_interval])))`, legend: 'p90' },
      ]),
    )
    .withPanel(
      timeSeries(
        ids,
        'Partial, abandoned and failed collections',
        'Collections ended at the deadline (partial), scrapes abandoned in the queue, sessions that expired, initialisations that timed out, collector read failures.',
        'ops',
        [
          { expr: rate('bmc_collector_partial_collections_total', 'instance'), legend: '{{instance}} partial' },
          { expr: rate('bmc_target_abandoned_requests_total', 'instance'), legend: '{{instance}} abandoned' },
          { expr: rate('bmc_collector_session_expiries_total', 'instance'), legend: '{{instance}} session expiries' },
          { expr: rate('bmc_collector_initialise_timeouts_total', 'instance'), legend: '{{instance}} initialise timeouts' },
          { expr: rate('bmc_exporter_collector_errors_total', 'collector'), legend: 'errors {{collector}}' },
        ],
      ),
    )
    .withPanel(
      timeSeries(
        ids,
        'HTTP request duration (p99)',
        'bmc_exporter_request_duration_seconds by path, and the wait for the event loop to pick a scrape up.',
        's',
        [
          {
            expr: `histogram_quantile(0.99, sum by (le, path) (rate(bmc_exporter_request_duration_seconds_bucket{${s}}[$__rate_interval])))`,
            legend: '{{path}}',
          },
          {
            expr: `histogram_quantile(0.99, sum by (le) (rate(bmc_target_scrape_dispatch_latency_seconds_bucket{${s}}[$__rate_interval])))`,
            legend: 'dispatch latency',
          },
        ],
      ),
    )
    .withPanel(
      timeSeries(ids, 'Credentials and target cache', 'Credential lookups that failed or found nothing; target mapper queries and hits.', 'ops', [
        { expr: rate('bmc_provider_credential_failures_total', 'instance'), legend: '{{instance}} credential failures' },
        { expr: rate('bmc_provider_credentials_missing_total', 'instance'), legend: '{{instance}} credentials missing' },
        { expr: rate('bmc_target_mapper_queries_total', 'instance'), legend: '{{instance}} mapper queries' },
        { expr: rate('bmc_target_mapper_hits_total', 'instance'), legend: '{{instance}} mapper hits' },
      ]),
    )
    .withRow(row(ids, 'Reloads and process'))
    .withPanel(
      timeSeries(ids, 'Secrets reloads', 'Reloads of the secrets file by result (a failed reload keeps the old secrets).', 'short', [
        { expr: `sum by (result) (increase(bmc_exporter_secrets_reloads_total{${s}}[$__rate_interval]))`, legend: '{{result}}' },
      ]),
    )
    .withPanel(
      timeSeries(ids, 'Process', 'Resident memory and CPU of each exporter process.', 'bytes', [
        { expr: `process_resident_memory_bytes{${s}}`, legend: '{{instance}} RSS' },
        { expr: `nodejs_heap_size_used_bytes{${s}}`, legend: '{{instance}} heap used' },
      ]),
    )
    .withPanel(
      timeSeries(
        ids,
        'CPU',
        'CPU seconds per second of each exporter process.',
        'percentunit',
        [{ expr: `rate(process_cpu_seconds_total{${s}}[$__rate_interval])`, legend: '{{instance}}' }],
        24,
      ),
    )
    .build();
}
