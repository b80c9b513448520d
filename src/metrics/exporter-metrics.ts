import { DROP_REASONS, type ClientHooks, type UdpTransport } from '@bmc-exporter/ipmi';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SENSOR_FAULT_REASONS } from '../targets/scrape-context.js';
import type { HealthTracker } from './health.js';

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
 * The exporter's own registry for /metrics. The names in namespace "bmc" with
 * subsystems exporter/collector/target/provider are gebn/bmc_exporter's, with
 * its help texts, so its dashboards keep working; the rest ("bmc_exporter_*"
 * without an upstream counterpart) are ours. Never the global default registry:
 * several exporters may share one process (tests).
 */
export class ExporterMetrics {
  readonly registry = new Registry();

  // gebn/bmc_exporter bmc_exporter.go
  readonly requestDuration: Histogram<'path'>;
  // gebn/bmc_exporter bmc/collector/collector.go
  readonly collectDuration: Histogram;
  readonly initialiseTimeouts: Counter;
  readonly sessionExpiries: Counter;
  readonly partialCollections: Counter;
  // gebn/bmc_exporter bmc/target/target.go, mapper.go
  readonly scrapeDispatchLatency: Histogram;
  readonly abandonedRequests: Counter;
  readonly mapperQueries: Counter;
  readonly mapperHits: Counter;
  // gebn/bmc_exporter session/credentials_provider.go
  readonly credentialFailures: Counter;
  readonly credentialsMissing: Counter;

  // ours
  readonly sessionsOpen: Gauge;
  readonly packetsSent: Counter;
  readonly packetsReceived: Counter;
  readonly packetsDropped: Counter<'reason'>;
  readonly ipmiRequestsAbandoned: Counter;
  readonly retries: Counter<'step'>;
  readonly commandDuration: Histogram<'command'>;
  readonly commandFailures: Counter<'command' | 'outcome'>;
  readonly secretsReloads: Counter<'result'>;
  readonly targetEvictions: Counter;
  readonly collectorErrors: Counter<'collector'>;
  readonly sensorReadErrors: Counter<'reason'>;
  readonly sdrIncomplete: Counter<'reason'>;
  readonly sessionRefusals: Counter;
  readonly redfishRequests: Counter;
  readonly redfishErrors: Counter<'code'>;

  /** Hooks every BmcClient shares (per-target extras are layered on top). */
  readonly clientHooks: Required<
    Pick<ClientHooks, 'packetSent' | 'packetReceived' | 'packetDropped' | 'requestAbandoned' | 'retry' | 'commandCompleted' | 'sessionOpened' | 'sessionClosed' | 'sessionRefused'>
  >;

  constructor(o: ExporterMetricsOptions) {
    const registers = [this.registry];
    new Gauge({
      name: 'bmc_exporter_build_info',
      help: 'The version and commit of the running exporter. Constant 1.',
      labelNames: ['version', 'commit'],
      registers,
    }).set({ version: o.version, commit: o.commit }, 1);
    this.requestDuration = new Histogram({
      name: 'bmc_exporter_request_duration_seconds',
      help: 'The time taken to execute the handlers of web server endpoints.',
      labelNames: ['path'],
      registers,
    });
    for (const path of INSTRUMENTED_PATHS) this.requestDuration.zero({ path });
    this.collectDuration = new Histogram({
      name: 'bmc_collector_collect_duration_seconds',
      help: 'Observes the time taken by each BMC collection.',
      registers,
    });
    this.initialiseTimeouts = new Counter({
      name: 'bmc_collector_initialise_timeouts_total',
      help: 'The number of times we established a session, but failed to retrieve the SDR repo and initialise all subcollectors before we timed out.',
      registers,
    });
    this.sessionExpiries = new Counter({
      name: 'bmc_collector_session_expiries_total',
      help: 'The number of sessions that have stopped working.',
      registers,
    });
    this.partialCollections = new Counter({
      name: 'bmc_collector_partial_collections_total',
      help: 'The number of collections we ended prematurely to ensure Prometheus received at least some data.',
      registers,
    });
    this.scrapeDispatchLatency = new Histogram({
      name: 'bmc_target_scrape_dispatch_latency_seconds',
      help: 'Observes the duration spent waiting for the event loop to pick up scrape requests.',
      buckets: [0.001, 0.01, 0.1, 0.18, 0.324, 0.583, 1.05, 1.89, 3.4, 6.12, 11.02, 19.84],
      registers,
    });
    this.abandonedRequests = new Counter({
      name: 'bmc_target_abandoned_requests_total',
      help: "The number of scrapes we have abandoned before the client's request got to the front of the queue for the BMC, either because they gave up or one of our timeouts fired. This indicates an overly short scrape timeout and/or interval.",
      registers,
    });
    this.mapperQueries = new Counter({
      name: 'bmc_target_mapper_queries_total',
      help: 'The number of times a handler has been requested from the mapper.',
      registers,
    });
    this.mapperHits = new Counter({
      name: 'bmc_target_mapper_hits_total',
      help: 'The number of times a previously created handler was returned.',
      registers,
    });
    this.credentialFailures = new Counter({
      name: 'bmc_provider_credential_failures_total',
      help: 'The number of times a credentials provider failed to produce the requested credential, for any reason.',
      registers,
    });
    this.credentialsMissing = new Counter({
      name: 'bmc_provider_credentials_missing_total',
      help: 'The number of times a credentials provider has indicated the credential for the target is unknown. Less than or equal to the total number of credential provider failures.',
      registers,
    });

    this.sessionsOpen = new Gauge({ name: 'bmc_exporter_sessions_open', help: 'IPMI sessions currently established with BMCs.', registers });
    const transport = o.transport;
    new Gauge({
      name: 'bmc_exporter_sockets_open',
      help: 'UDP sockets of the shared transport (a handful whatever the number of BMCs).',
      registers,
      collect() {
        this.set(transport?.()?.socketCount ?? 0);
      },
    });
    const targetCount = o.targetCount;
    new Gauge({
      name: 'bmc_exporter_targets',
      help: 'Targets in the pool (scraped within --target.idle-timeout).',
      registers,
      collect() {
        this.set(targetCount?.() ?? 0);
      },
    });
    const backingOff = o.targetsBackingOff;
    new Gauge({
      name: 'bmc_exporter_targets_backing_off',
      help: 'Targets whose BMC refused a session recently: nothing is sent to them until their back-off ends, and their scrapes answer at once with bmc_up 0.',
      registers,
      collect() {
        this.set(backingOff?.() ?? 0);
      },
    });
    this.sessionRefusals = new Counter({
      name: 'bmc_exporter_session_refusals_total',
      help: 'Sessions a BMC refused (no free slot, credentials, privilege or algorithms: an Open Session/RAKP status or Activate Session code); each starts or lengthens that BMC\'s back-off.',
      registers,
    });
    this.targetEvictions = new Counter({
      name: 'bmc_exporter_target_evictions_total',
      help: 'Targets removed from the pool (idle, credentials changed or removed); their sessions were closed.',
      registers,
    });
    this.packetsSent = new Counter({ name: 'bmc_exporter_packets_sent_total', help: 'IPMI datagrams sent to BMCs.', registers });
    this.packetsReceived = new Counter({ name: 'bmc_exporter_packets_received_total', help: 'IPMI datagrams received and accepted as answers.', registers });
    this.packetsDropped = new Counter({
      name: 'bmc_exporter_packets_dropped_total',
      help: 'Datagrams received and thrown away, by reason (no-match, bad-integrity, stale-sequence, malformed, unknown-peer).',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of [...DROP_REASONS, 'unknown-peer']) this.packetsDropped.inc({ reason }, 0);
    this.ipmiRequestsAbandoned = new Counter({
      name: 'bmc_exporter_ipmi_requests_abandoned_total',
      help: 'IPMI requests already sent whose caller gave up (scrape deadline) before the answer came.',
      registers,
    });
    this.retries = new Counter({
      name: 'bmc_exporter_command_retries_total',
      help: 'IPMI requests sent again after no matching answer, by command or handshake step.',
      labelNames: ['step'],
      registers,
    });
    this.commandDuration = new Histogram({
      name: 'bmc_exporter_command_duration_seconds',
      help: 'Time from sending an IPMI command to its answer, retries included, by command.',
      labelNames: ['command'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.commandFailures = new Counter({
      name: 'bmc_exporter_command_failures_total',
      help: 'IPMI commands that did not succeed, by command and outcome (completion-code, timeout, error).',
      labelNames: ['command', 'outcome'],
      registers,
    });
    this.secretsReloads = new Counter({
      name: 'bmc_exporter_secrets_reloads_total',
      help: 'Reloads of the secrets file by result (success, failure; a failed reload keeps the old secrets).',
      labelNames: ['result'],
      registers,
    });
    for (const result of ['success', 'failure']) this.secretsReloads.inc({ result }, 0);
    this.collectorErrors = new Counter({
      name: 'bmc_exporter_collector_errors_total',
      help: 'Collector runs that ended in a read failure (not counting sensors the BMC reports absent), by collector.',
      labelNames: ['collector'],
      registers,
    });
    this.sensorReadErrors = new Counter({
      name: 'bmc_exporter_sensor_read_errors_total',
      help: 'Sensor readings that could not be used, by reason (malformed: a short or undecodable answer; completion-code: refused other than "not present"; error: could not be converted). Counted once per sensor per scrape; the other sensors are still read.',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of SENSOR_FAULT_REASONS) this.sensorReadErrors.inc({ reason }, 0);
    this.sdrIncomplete = new Counter({
      name: 'bmc_exporter_sdr_incomplete_total',
      help: 'SDR walks stopped before the last record, by reason (cycle: the links loop; record-limit: more records than --sdr.max-records or than the BMC reported; byte-limit: more than --sdr.max-bytes). The sensors read before are exported.',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of ['cycle', 'record-limit', 'byte-limit']) this.sdrIncomplete.inc({ reason }, 0);
    this.redfishRequests = new Counter({ name: 'bmc_exporter_redfish_requests_total', help: 'HTTP GET requests sent to Redfish services by scrapes (session logins and logouts not counted).', registers });
    this.redfishErrors = new Counter({
      name: 'bmc_exporter_redfish_errors_total',
      help: 'Redfish reads that failed, by the client error code (REDFISH_TIMEOUT, REDFISH_TLS, REDFISH_AUTH_FAILED, REDFISH_HTTP_STATUS, REDFISH_MALFORMED, ...).',
      labelNames: ['code'],
      registers,
    });
    const health = o.health;
    new Gauge({
      name: 'bmc_exporter_healthy',
      help: '1 before any scrape, while first collections run, and when the most recent collection of every active target had no read failure; 0 when the UDP transport could not start or some target\'s most recent collection failed (timeout, BMC error).',
      registers,
      collect() {
        this.set(health.healthy ? 1 : 0);
      },
    });
    if (o.processMetrics !== false) collectDefaultMetrics({ register: this.registry });

    this.clientHooks = {
      packetSent: () => this.packetsSent.inc(),
      packetReceived: () => this.packetsReceived.inc(),
      packetDropped: (reason) => this.packetsDropped.inc({ reason }),
      requestAbandoned: () => this.ipmiRequestsAbandoned.inc(),
      retry: (step) => this.retries.inc({ step }),
      commandCompleted: (command, seconds, outcome) => {
        this.commandDuration.observe({ command }, seconds);
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
