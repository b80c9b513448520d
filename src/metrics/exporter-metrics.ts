import { DROP_REASONS, type ClientHooks, type UdpTransport } from '@bmc-exporter/ipmi';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { SENSOR_FAULT_REASONS } from '../targets/scrape-context.js';
import type { HealthTracker } from './health.js';
import { DEFAULT_BUCKETS, type HistogramSeries, LabelledHistogram } from './histogram.js';

/** Paths whose request duration is observed (bmc_exporter pre-creates "/", "/bmc", "/metrics"). */
export const INSTRUMENTED_PATHS = ['/', '/bmc', '/metrics', '/-/healthy', '/-/ready', '/-/reload'] as const;

export interface ExporterMetricsOptions {
  version: string;
  commit: string;
  health: HealthTracker;
  /** Read at scrape time: sockets of the shared transport. */
  transport?: () => UdpTransport | undefined;
  /** Read at scrape time: targets in the pool. */
  targetCount?: () => number;
  /** Read at scrape time: targets leaving their BMC alone after it refused a session. */
  targetsBackingOff?: () => number;
  /** Node.js process metrics (off in unit tests that count series). */
  processMetrics?: boolean;
}

/**
 * One metric family of /metrics: its contract (name, help, type, labels,
 * buckets) and how its series come to exist.
 */
interface FamilySpec<K extends 'counter' | 'gauge' | 'histogram', L extends string> {
  kind: K;
  name: string;
  help: string;
  labelNames?: readonly L[];
  /** Histograms only: bucket upper bounds (prom-client's defaults when absent). */
  buckets?: readonly number[];
  /** Label sets whose series exist from the start at 0 (counters, histograms), so rate() has a first sample. */
  zeroed?: () => readonly Record<L, string>[];
  /** Gauges only: the value, read at every scrape of /metrics. */
  read?: (options: ExporterMetricsOptions) => number;
  /** Gauges only: an info metric, constant 1 with these labels. */
  info?: (options: ExporterMetricsOptions) => Record<L, string>;
}

const counter = <L extends string = never>(spec: Omit<FamilySpec<'counter', L>, 'kind' | 'read' | 'info' | 'buckets'>): FamilySpec<'counter', L> => ({
  kind: 'counter',
  ...spec,
});
const gauge = <L extends string = never>(spec: Omit<FamilySpec<'gauge', L>, 'kind' | 'zeroed' | 'buckets'>): FamilySpec<'gauge', L> => ({
  kind: 'gauge',
  ...spec,
});
const histogram = <L extends string = never>(spec: Omit<FamilySpec<'histogram', L>, 'kind' | 'read' | 'info'>): FamilySpec<'histogram', L> => ({
  kind: 'histogram',
  ...spec,
});

/** Every family of the exporter's own /metrics, in exposition order; each becomes the property of ExporterMetrics with its key. */
const FAMILIES = {
  buildInfo: gauge({
    name: 'bmc_exporter_build_info',
    help: 'The version and commit of the running exporter. Constant 1.',
    labelNames: ['version', 'commit'],
    info: (options) => ({ version: options.version, commit: options.commit }),
  }),

  // gebn/bmc_exporter bmc_exporter.go
  requestDuration: histogram({
    name: 'bmc_exporter_request_duration_seconds',
    help: 'The time taken to execute the handlers of web server endpoints.',
    labelNames: ['path'],
    zeroed: () => INSTRUMENTED_PATHS.map((path) => ({ path })),
  }),

  // gebn/bmc_exporter bmc/collector/collector.go
  collectDuration: histogram({ name: 'bmc_collector_collect_duration_seconds', help: 'Observes the time taken by each BMC collection.' }),
  initialiseTimeouts: counter({
    name: 'bmc_collector_initialise_timeouts_total',
    help: 'The number of times we established a session, but failed to retrieve the SDR repo and initialise all subcollectors before we timed out.',
  }),
  sessionExpiries: counter({ name: 'bmc_collector_session_expiries_total', help: 'The number of sessions that have stopped working.' }),
  partialCollections: counter({
    name: 'bmc_collector_partial_collections_total',
    help: 'The number of collections we ended prematurely to ensure Prometheus received at least some data.',
  }),

  // gebn/bmc_exporter bmc/target/target.go, mapper.go
  scrapeDispatchLatency: histogram({
    name: 'bmc_target_scrape_dispatch_latency_seconds',
    help: 'Observes the duration spent waiting for the event loop to pick up scrape requests.',
    buckets: [0.001, 0.01, 0.1, 0.18, 0.324, 0.583, 1.05, 1.89, 3.4, 6.12, 11.02, 19.84],
  }),
  abandonedRequests: counter({
    name: 'bmc_target_abandoned_requests_total',
    help: "The number of scrapes we have abandoned before the client's request got to the front of the queue for the BMC, either because they gave up or one of our timeouts fired. This indicates an overly short scrape timeout and/or interval.",
  }),
  mapperQueries: counter({ name: 'bmc_target_mapper_queries_total', help: 'The number of times a handler has been requested from the mapper.' }),
  mapperHits: counter({ name: 'bmc_target_mapper_hits_total', help: 'The number of times a previously created handler was returned.' }),

  // gebn/bmc_exporter session/credentials_provider.go
  credentialFailures: counter({
    name: 'bmc_provider_credential_failures_total',
    help: 'The number of times a credentials provider failed to produce the requested credential, for any reason.',
  }),
  credentialsMissing: counter({
    name: 'bmc_provider_credentials_missing_total',
    help: 'The number of times a credentials provider has indicated the credential for the target is unknown. Less than or equal to the total number of credential provider failures.',
  }),

  // ours
  sessionsOpen: gauge({ name: 'bmc_exporter_sessions_open', help: 'IPMI sessions currently established with BMCs.' }),
  socketsOpen: gauge({
    name: 'bmc_exporter_sockets_open',
    help: 'UDP sockets of the shared transport (a handful whatever the number of BMCs).',
    read: (options) => options.transport?.()?.socketCount ?? 0,
  }),
  targets: gauge({
    name: 'bmc_exporter_targets',
    help: 'Targets in the pool (scraped within --target.idle-timeout).',
    read: (options) => options.targetCount?.() ?? 0,
  }),
  targetsBackingOff: gauge({
    name: 'bmc_exporter_targets_backing_off',
    help: 'Targets whose BMC refused a session recently: nothing is sent to them until their back-off ends, and their scrapes answer at once with bmc_up 0.',
    read: (options) => options.targetsBackingOff?.() ?? 0,
  }),
  sessionRefusals: counter({
    name: 'bmc_exporter_session_refusals_total',
    help: "Sessions a BMC refused (no free slot, credentials, privilege or algorithms: an Open Session/RAKP status or Activate Session code); each starts or lengthens that BMC's back-off.",
  }),
  targetEvictions: counter({
    name: 'bmc_exporter_target_evictions_total',
    help: 'Targets removed from the pool (idle, credentials changed or removed); their sessions were closed.',
  }),
  packetsSent: counter({ name: 'bmc_exporter_packets_sent_total', help: 'IPMI datagrams sent to BMCs.' }),
  packetsReceived: counter({ name: 'bmc_exporter_packets_received_total', help: 'IPMI datagrams received and accepted as answers.' }),
  packetsDropped: counter({
    name: 'bmc_exporter_packets_dropped_total',
    help: 'Datagrams received and thrown away, by reason (no-match, bad-integrity, stale-sequence, malformed, unknown-peer).',
    labelNames: ['reason'],
    zeroed: () => [...DROP_REASONS, 'unknown-peer'].map((reason) => ({ reason })),
  }),
  ipmiRequestsAbandoned: counter({
    name: 'bmc_exporter_ipmi_requests_abandoned_total',
    help: 'IPMI requests already sent whose caller gave up (scrape deadline) before the answer came.',
  }),
  retries: counter({
    name: 'bmc_exporter_command_retries_total',
    help: 'IPMI requests sent again after no matching answer, by command or handshake step.',
    labelNames: ['step'],
  }),
  commandDuration: histogram({
    name: 'bmc_exporter_command_duration_seconds',
    help: 'Time from sending an IPMI command to its answer, retries included, by command.',
    labelNames: ['command'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  }),
  commandFailures: counter({
    name: 'bmc_exporter_command_failures_total',
    help: 'IPMI commands that did not succeed, by command and outcome (completion-code, timeout, error).',
    labelNames: ['command', 'outcome'],
  }),
  secretsReloads: counter({
    name: 'bmc_exporter_secrets_reloads_total',
    help: 'Reloads of the secrets file by result (success, failure; a failed reload keeps the old secrets).',
    labelNames: ['result'],
    zeroed: () => [{ result: 'success' }, { result: 'failure' }],
  }),
  collectorErrors: counter({
    name: 'bmc_exporter_collector_errors_total',
    help: 'Collector runs that ended in a read failure (not counting sensors the BMC reports absent), by collector.',
    labelNames: ['collector'],
  }),
  sensorReadErrors: counter({
    name: 'bmc_exporter_sensor_read_errors_total',
    help: 'Sensor readings that could not be used, by reason (malformed: a short or undecodable answer; completion-code: refused other than "not present"; error: could not be converted). Counted once per sensor per scrape; the other sensors are still read.',
    labelNames: ['reason'],
    zeroed: () => SENSOR_FAULT_REASONS.map((reason) => ({ reason })),
  }),
  sdrIncomplete: counter({
    name: 'bmc_exporter_sdr_incomplete_total',
    help: 'SDR walks stopped before the last record, by reason (cycle: the links loop; record-limit: more records than --sdr.max-records or than the BMC reported; byte-limit: more than --sdr.max-bytes). The sensors read before are exported.',
    labelNames: ['reason'],
    zeroed: () => ['cycle', 'record-limit', 'byte-limit'].map((reason) => ({ reason })),
  }),
  redfishRequests: counter({
    name: 'bmc_exporter_redfish_requests_total',
    help: 'HTTP GET requests sent to Redfish services by scrapes (session logins and logouts not counted).',
  }),
  redfishErrors: counter({
    name: 'bmc_exporter_redfish_errors_total',
    help: 'Redfish reads that failed, by the client error code (REDFISH_TIMEOUT, REDFISH_TLS, REDFISH_AUTH_FAILED, REDFISH_HTTP_STATUS, REDFISH_MALFORMED, ...).',
    labelNames: ['code'],
  }),
  healthy: gauge({
    name: 'bmc_exporter_healthy',
    help: "1 before any scrape, while first collections run, and when the most recent collection of every active target had no read failure; 0 when the UDP transport could not start or some target's most recent collection failed (timeout, BMC error).",
    read: (options) => (options.health.healthy ? 1 : 0),
  }),
};

type Families = typeof FAMILIES;
/** The prom-client metric each row of FAMILIES becomes. */
type MetricOf<S> =
  S extends FamilySpec<'counter', infer L>
    ? Counter<L>
    : S extends FamilySpec<'gauge', infer L>
      ? Gauge<L>
      : S extends FamilySpec<'histogram', infer L>
        ? LabelledHistogram<L>
        : never;
type FamilyMetrics = { readonly [K in keyof Families]: MetricOf<Families[K]> };

/** Registers one family in `registry` and creates the series it starts with. */
function register(spec: Families[keyof Families], registry: Registry, options: ExporterMetricsOptions): Counter<string> | Gauge<string> | LabelledHistogram {
  // The table's label types are checked where it is written; here every row is one shape.
  const row = spec as FamilySpec<'counter' | 'gauge' | 'histogram', string>;
  const common = { name: row.name, help: row.help, labelNames: row.labelNames ?? [], registers: [registry] };
  if (row.kind === 'counter') {
    const metric = new Counter(common);
    for (const labels of row.zeroed?.() ?? []) metric.inc(labels, 0);
    return metric;
  }
  if (row.kind === 'histogram') {
    const metric = new LabelledHistogram(row.name, row.help, row.labelNames ?? [], row.buckets ?? DEFAULT_BUCKETS, registry);
    for (const labels of row.zeroed?.() ?? []) metric.zero(labels);
    return metric;
  }
  const read = row.read;
  const metric = new Gauge({
    ...common,
    ...(read
      ? {
          collect(this: Gauge<string>) {
            this.set(read(options));
          },
        }
      : {}),
  });
  if (row.info) metric.set(row.info(options), 1);
  return metric;
}

/**
 * The exporter's own registry for /metrics, one property per row of
 * FAMILIES. The names in namespace "bmc" with subsystems
 * exporter/collector/target/provider are gebn/bmc_exporter's, with its help
 * texts, so its dashboards keep working; the rest ("bmc_exporter_*" without an
 * upstream counterpart) are ours. Never the global default registry: several
 * exporters may share one process (tests).
 */
// The interface gives the class the typed properties the constructor assigns from FAMILIES.
export interface ExporterMetrics extends FamilyMetrics {}
export class ExporterMetrics {
  readonly registry = new Registry();

  /** Hooks every BmcClient shares (per-target extras are layered on top). */
  readonly clientHooks: Required<
    Pick<
      ClientHooks,
      | 'packetSent'
      | 'packetReceived'
      | 'packetDropped'
      | 'requestAbandoned'
      | 'retry'
      | 'commandCompleted'
      | 'sessionOpened'
      | 'sessionClosed'
      | 'sessionRefused'
    >
  >;

  constructor(options: ExporterMetricsOptions) {
    for (const [key, spec] of Object.entries(FAMILIES)) {
      Object.defineProperty(this, key, { value: register(spec, this.registry, options), enumerable: true });
    }
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });

    // Command names are the library's (a fixed set, never text from a BMC): one bound series each.
    const durationByCommand = new Map<string, HistogramSeries>();

    this.clientHooks = {
      packetSent: () => this.packetsSent.inc(),
      packetReceived: () => this.packetsReceived.inc(),
      packetDropped: (reason) => this.packetsDropped.inc({ reason }),
      requestAbandoned: () => this.ipmiRequestsAbandoned.inc(),
      retry: (step) => this.retries.inc({ step }),
      commandCompleted: (command, seconds, outcome) => {
        let duration = durationByCommand.get(command);
        if (!duration) durationByCommand.set(command, (duration = this.commandDuration.series({ command })));
        duration.observe(seconds);
        if (outcome !== 'ok') this.commandFailures.inc({ command, outcome });
      },
      sessionOpened: () => this.sessionsOpen.inc(),
      sessionRefused: () => this.sessionRefusals.inc(),
      sessionClosed: (reason) => {
        this.sessionsOpen.dec();
        if (reason === 'expired') this.sessionExpiries.inc();
      },
    };
  }
}
