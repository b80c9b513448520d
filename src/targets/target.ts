import { AbortableQueue, BmcClient, type ClientLogger, type RetryPolicy, type Timers, type UdpTransport } from '@bmc-exporter/ipmi';
import type { RedfishClientOptions } from '@bmc-exporter/redfish';
import type { probeRedfish, RedfishScraper } from '../redfish/redfish-scraper.js';
import type { CollectContext, Collector } from '../collectors/collector.js';
import { DEFAULT_COLLECTORS, selectCollectors } from '../collectors/index.js';
import type { ExporterMetrics } from '../metrics/exporter-metrics.js';
import type { Exposition } from '../metrics/exposition.js';
import type { HealthTracker } from '../metrics/health.js';
import { createScrapeContext, type ScrapeObserver, type SensorFaultListener } from './scrape-context.js';
import type { ScrapeTrace } from './scrape-trace.js';
import { SensorSnapshot } from './sensor-snapshot.js';
import type { SdrFileCache } from './sdr-file-cache.js';
import { SessionCache, type SdrLimits } from './session-cache.js';
import type { TargetAddress } from './target-address.js';
import { configFingerprint, type TargetCredentials } from './target-config.js';

/** gebn/bmc_exporter bmc/collector/collector.go "meta" scrape metrics. */
export const BMC_UP = { name: 'bmc_up', help: '1 if the exporter was able to establish a session, 0 otherwise.' } as const;
export const BMC_SCRAPE_DURATION = {
  name: 'bmc_scrape_duration_seconds',
  help: 'The time taken to collect all metrics, measured by the exporter.',
} as const;

/** The scrape's deadline passed while it waited for an earlier scrape of the same BMC (answered 503). */
export class ScrapeAbandonedError extends Error {
  override name = 'ScrapeAbandonedError';
}

/** What the homepage shows per target; no error here ever holds a credential. */
export interface TargetStatus {
  lastScrapeAt: Date | null;
  up: boolean | null;
  durationSeconds: number | null;
  /** The first error of the last scrape. */
  lastError: string | null;
  /** The last scrape had a session but not everything: a collector failed or the deadline cut it short. */
  partial: boolean;
  /** IPMI commands the last scrape sent (session setup not counted). */
  commands: number;
  /** Every error of the last scrape (at most MAX_ERRORS), null when there was none. */
  errors: string[] | null;
  /** Worst threshold level among the sensors read (0 ok … 3 non-recoverable); -1 when none was read. */
  worstSensorLevel: number;
  /** How the last scrape read the BMC; absent before the first scrape. */
  transport?: 'ipmi' | 'redfish';
}

/** Errors kept per scrape for the console: the first few say what went wrong. */
const MAX_ERRORS = 5;

export interface TargetOptions {
  address: TargetAddress;
  credentials: TargetCredentials;
  transport: UdpTransport;
  metrics: ExporterMetrics;
  health: HealthTracker;
  logger?: ClientLogger;
  retry?: Partial<RetryPolicy>;
  timers?: Timers;
  /** The default set (--collectors.default, else the built-in one); a secrets entry's `collectors` replaces it. */
  collectors?: readonly Collector[];
  /** Bounds of the SDR walk (--sdr.max-records, --sdr.max-bytes). */
  sdrLimits?: SdrLimits;
  /** SDRs kept on disk across restarts (--sdr.cache-dir). */
  sdrFiles?: SdrFileCache;
  /** Resolves when the target this one replaces has closed its session (one session per BMC): the first scrape waits for it. */
  predecessorClosed?: Promise<void>;
}

export interface ScrapeOptions {
  /**
   * Collector names for this scrape only (/bmc?collectors=), already
   * validated; they replace the target's own set. Precedence: this, then the
   * secrets entry's `collectors`, then --collectors.default, then the built-in default.
   */
  collectors?: readonly string[];
  /** Log this scrape's commands, retries, drops and session events here (/bmc?debug=true). */
  trace?: ScrapeTrace;
  /** Told each collector that failed, with its error as the console shows it (credentials scrubbed): the probe reports them by name. */
  collectorFailed?: (collector: string, message: string) => void;
}

/**
 * One BMC: its client on the shared transport, its session caches and its
 * last scrape. Scrapes run one at a time; a scrape that is still waiting when
 * its deadline passes is abandoned (503), as in bmc_exporter's target.go.
 */
export class Target {
  readonly key: string;
  readonly fingerprint: string;
  readonly status: TargetStatus = {
    lastScrapeAt: null,
    up: null,
    durationSeconds: null,
    lastError: null,
    partial: false,
    commands: 0,
    errors: null,
    worstSensorLevel: -1,
  };
  /** The last readings, for the console (bounded: one slot pair per SDR sensor). */
  readonly snapshot = new SensorSnapshot();
  /** When the current session was opened (ms since the epoch); 0: none yet. */
  sessionOpenedAt = 0;
  /** Commands completed over the target's life; a scrape's count is the difference. */
  private commandsSent = 0;
  readonly client: BmcClient;
  readonly cache: SessionCache;
  private readonly collectors: readonly Collector[];
  private sessionGeneration = 0;
  /**
   * Scrapes of this BMC, one at a time: a scrape still waiting when its
   * deadline fires is abandoned (503); a running one answers by its deadline
   * with what it collected. The first entry is the replaced target's close.
   */
  private readonly scrapes: AbortableQueue;
  private closing: Promise<void> | undefined;
  /** How to reach the BMC's Redfish service, for transport redfish or auto. */
  private readonly redfishOptions: RedfishClientOptions | undefined;
  /**
   * The Redfish side, loaded and made by the first scrape that needs it: an
   * exporter whose targets all speak IPMI never loads the HTTP client (undici
   * alone is several MiB of resident memory).
   */
  private redfishLoading: Promise<{ scraper: RedfishScraper; probe: typeof probeRedfish }> | undefined;
  /** The scraper once made (close() ends its session). */
  private redfish: RedfishScraper | undefined;
  /** The transport in use: fixed by the entry, or what `auto`'s one probe chose; undefined until it has probed. */
  private transportChoice: 'ipmi' | 'redfish' | undefined;
  /**
   * The trace of the scrape running now, if it asked for one. Scrapes of a
   * target run one at a time and its commands are serialised, so everything
   * the hooks report while it is set belongs to that scrape.
   */
  private trace: ScrapeTrace | undefined;
  /** Whether the first login was given the SDR file's cipher suite (SessionCache.fileCipherSuite): once, or a hint that fails would be retried every scrape. */
  private fileHintOffered = false;

  constructor(private readonly options: TargetOptions) {
    this.key = options.address.key;
    this.fingerprint = configFingerprint(options.credentials);
    this.collectors = selectCollectors(options.credentials.collectors, options.collectors ?? DEFAULT_COLLECTORS);
    this.scrapes = new AbortableQueue({
      detachRunning: false,
      abortReason: () => new ScrapeAbandonedError(`the deadline passed while waiting for an earlier scrape of ${this.key}`),
    });
    const predecessor = options.predecessorClosed;
    // Its outcome does not matter, only that it is over.
    if (predecessor) void this.scrapes.run(() => predecessor.catch(() => undefined));
    const shared = options.metrics.clientHooks;
    const credentials = options.credentials;
    this.client = new BmcClient({
      host: options.address.host,
      port: options.address.port,
      username: credentials.username,
      password: credentials.password,
      ...(credentials.privilege ? { privilege: credentials.privilege } : {}),
      ...(credentials.cipherSuites ? { cipherSuites: credentials.cipherSuites } : {}),
      ...(credentials.ipmiVersion ? { ipmiVersion: credentials.ipmiVersion } : {}),
      transport: options.transport,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.timers ? { timers: options.timers } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      hooks: {
        ...shared,
        sessionOpened: (d) => {
          this.sessionGeneration++;
          this.sessionOpenedAt = Date.now();
          shared.sessionOpened(d);
          this.trace?.sessionOpened(d);
        },
        commandCompleted: (name, seconds, outcome, completionCode) => {
          this.commandsSent++;
          shared.commandCompleted(name, seconds, outcome);
          this.trace?.command(name, seconds, outcome, completionCode);
        },
        sessionStep: (step, seconds, outcome, completionCode) => this.trace?.sessionStep(step, seconds, outcome, completionCode),
        // The rest reach the trace too; with no trace, one property read more per event.
        retry: (what) => {
          shared.retry(what);
          this.trace?.retry(what);
        },
        packetDropped: (reason) => {
          shared.packetDropped(reason);
          this.trace?.packetDropped(reason);
        },
        sessionRefused: (err, backoffMs) => {
          shared.sessionRefused(err, backoffMs);
          this.trace?.sessionRefused(backoffMs);
        },
        sessionClosed: (reason) => {
          shared.sessionClosed(reason);
          this.trace?.sessionClosed(reason);
        },
      },
    });
    const transport = credentials.transport ?? 'ipmi';
    if (transport !== 'auto') this.transportChoice = transport;
    if (transport !== 'ipmi') {
      const host = options.address.host.includes(':') ? `[${options.address.host}]` : options.address.host;
      this.redfishOptions = {
        origin: `https://${host}:${credentials.redfishPort ?? 443}`,
        username: credentials.username,
        password: credentials.password,
        tls: { ...(credentials.ca !== undefined ? { ca: credentials.ca } : {}), ...(credentials.insecureSkipVerify ? { insecureSkipVerify: true } : {}) },
      };
    }
    this.cache = new SessionCache(this.client.execute, () => options.metrics.initialiseTimeouts.inc(), {
      ...(options.sdrLimits ? { sdrLimits: options.sdrLimits } : {}),
      ...(options.sdrFiles ? { sdrFiles: { cache: options.sdrFiles, target: this.key } } : {}),
      onSdrIncomplete: (err) => {
        options.metrics.sdrIncomplete.inc({ reason: err.reason });
        options.logger?.warn({ target: this.key, reason: err.reason, err: err.message }, 'SDR walk stopped early; exporting the sensors read before');
      },
    });
  }

  /**
   * Collect into `out` before `signal` fires (at `deadline`, in
   * performance.now() ms, when the caller knows it). Always sets bmc_up and
   * bmc_scrape_duration_seconds; throws ScrapeAbandonedError only when the
   * deadline passed before this scrape reached the front of the queue.
   */
  async scrape(signal: AbortSignal, out: Exposition, deadline = Infinity, scrapeOptions: ScrapeOptions = {}): Promise<void> {
    await this.exclusive(signal, deadline, async () => {
      const collectors = scrapeOptions.collectors ? selectCollectors(scrapeOptions.collectors, this.options.collectors ?? DEFAULT_COLLECTORS) : this.collectors;
      this.trace = scrapeOptions.trace;
      try {
        await this.collect(signal, out, deadline, collectors, scrapeOptions.collectorFailed);
      } finally {
        this.trace = undefined;
        // The scrape's commands are over: no abort listener of the client stays on its signal.
        this.client.releaseSignal(signal);
      }
    });
  }

  /**
   * Other endpoints' collection (/ipmi) on this target's session and queue:
   * `work` runs once a session is open, with a scrape context on this
   * target's caches. Resolves with whether the session could be opened and
   * the session error if not (password scrubbed); throws ScrapeAbandonedError
   * like scrape().
   */
  async withSession(
    signal: AbortSignal,
    out: Exposition,
    deadline: number,
    work: (ctx: CollectContext) => Promise<{ failed: boolean }>,
  ): Promise<{ up: boolean; error: string | null }> {
    return await this.exclusive(signal, deadline, async () => {
      const started = performance.now();
      this.status.lastScrapeAt = new Date();
      let up = false;
      let failed = true;
      let error: string | null = null;
      try {
        const session = await this.client.open({ signal });
        up = true;
        this.cache.startScrape(this.sessionGeneration, session.ipmiVersion);
        ({ failed } = await work(createScrapeContext(this.cache, this.client.execute, signal, out, deadline)));
      } catch (err) {
        error = `session: ${this.describe(err)}`;
      }
      this.client.releaseSignal(signal);
      const seconds = (performance.now() - started) / 1000;
      this.options.metrics.collectDuration.observe(seconds);
      this.options.health.recordCollection(this.key, failed);
      Object.assign(this.status, { up, durationSeconds: seconds, lastError: error });
      return { up, error };
    });
  }

  /** Run `body` when every earlier scrape of this BMC is done; abandon (ScrapeAbandonedError) if `signal` fires first. */
  private async exclusive<T>(signal: AbortSignal, deadline: number, body: () => Promise<T>): Promise<T> {
    const queuedAt = performance.now();
    try {
      return await this.scrapes.run(() => {
        // The clock as well as the signal: a busy process runs due timers late, one after the
        // other, and the scrape ahead can end (on its own timer) and let this one through before
        // this one's timer has run. Past its deadline, it must not start collecting.
        if (performance.now() >= deadline) {
          return Promise.reject(new ScrapeAbandonedError(`the deadline passed while waiting for an earlier scrape of ${this.key}`));
        }
        this.options.metrics.scrapeDispatchLatency.observe((performance.now() - queuedAt) / 1000);
        return body();
      }, signal);
    } catch (err) {
      if (err instanceof ScrapeAbandonedError) this.options.metrics.abandonedRequests.inc();
      throw err;
    }
  }

  /**
   * Whether `credentials` configure this target as it is: the very entry it
   * was made from (a lookup returns the same object until a reload), else the
   * same fingerprint (no JSON and SHA-256 per scrape).
   */
  configuredWith(credentials: TargetCredentials): boolean {
    return credentials === this.options.credentials || configFingerprint(credentials) === this.fingerprint;
  }

  /** Close Session and release the transport channel; a scrape in flight finishes first (bounded by its deadline). */
  close(): Promise<void> {
    return (this.closing ??= this.scrapes
      .onIdle()
      .then(() => Promise.all([this.client.close(), this.redfish?.close()]))
      .then(() => undefined));
  }

  /**
   * `auto` probes the Redfish service root once, within a limit of its own
   * well inside the scrape's deadline (REDFISH_PROBE_MS), and keeps the
   * answer for the target's life: a port that never answers is IPMI from
   * the first scrape on.
   */
  private async chooseTransport(signal: AbortSignal, deadline: number): Promise<'ipmi' | 'redfish'> {
    if (this.transportChoice) return this.transportChoice;
    const { scraper, probe } = await this.loadRedfish();
    const { redfish, reason, decided } = await probe(scraper.client, signal, deadline);
    // A probe the scrape's own deadline cut short decides nothing: the next scrape probes again.
    if (!decided) return 'ipmi';
    this.transportChoice = redfish ? 'redfish' : 'ipmi';
    // The fallback is logged as a warning: a Redfish service with an untrusted certificate lands here too.
    const log = { target: this.key, transport: this.transportChoice, reason: this.describe(reason) };
    if (redfish) this.options.logger?.debug(log, 'transport auto: the BMC serves Redfish');
    else this.options.logger?.warn(log, 'transport auto: no usable Redfish service root; using IPMI');
    if (!redfish) void scraper.close();
    return this.transportChoice;
  }

  private loadRedfish(): Promise<{ scraper: RedfishScraper; probe: typeof probeRedfish }> {
    this.redfishLoading ??= import('../redfish/redfish-scraper.js').then((mod) => {
      this.redfish = new mod.RedfishScraper(this.redfishOptions!);
      return { scraper: this.redfish, probe: mod.probeRedfish };
    });
    return this.redfishLoading;
  }

  /** A scrape over Redfish: the same families into the answer, the same status and self-metrics as an IPMI scrape. */
  private async collectRedfish(signal: AbortSignal, out: Exposition, deadline: number, started: number): Promise<void> {
    let r: Awaited<ReturnType<RedfishScraper['scrape']>>;
    try {
      r = await (await this.loadRedfish()).scraper.scrape(signal, out, deadline);
    } catch (err) {
      r = { up: false, errors: [`session: ${err instanceof Error ? err.message : String(err)}`], partial: signal.aborted, requests: 0, codes: [] };
    }
    const m = this.options.metrics;
    m.redfishRequests.inc(r.requests);
    for (const code of r.codes) m.redfishErrors.inc({ code });
    const errors = r.errors.map((e) => this.describe(e)).slice(0, MAX_ERRORS);
    if (r.partial) m.partialCollections.inc();
    const failed = errors.length > 0 || !r.up;
    const seconds = (performance.now() - started) / 1000;
    m.collectDuration.observe(seconds);
    this.options.health.recordCollection(this.key, failed);
    out.set(BMC_UP, r.up ? 1 : 0);
    out.set(BMC_SCRAPE_DURATION, seconds);
    // Logged when the outcome changes, not on every scrape of a BMC that stays broken.
    if ((errors[0] ?? null) !== this.status.lastError && errors[0] !== undefined) {
      this.options.logger?.warn(
        { target: this.key, transport: 'redfish', up: r.up, error: errors[0] },
        r.up ? 'Redfish scrape incomplete' : 'Redfish scrape failed',
      );
    }
    Object.assign(this.status, {
      up: r.up,
      durationSeconds: seconds,
      lastError: errors[0] ?? null,
      partial: r.up && failed,
      commands: r.requests,
      errors: errors.length > 0 ? errors : null,
      transport: 'redfish',
    });
  }

  private async collect(
    signal: AbortSignal,
    out: Exposition,
    deadline: number,
    collectors: readonly Collector[],
    collectorFailed?: (collector: string, message: string) => void,
  ): Promise<void> {
    const started = performance.now();
    this.status.lastScrapeAt = new Date();
    if (this.redfishOptions && (await this.chooseTransport(signal, deadline)) === 'redfish') return this.collectRedfish(signal, out, deadline, started);
    this.status.transport = 'ipmi';
    let up = false;
    let failed = false;
    let partial = false;
    const errors: string[] = [];
    const commandsBefore = this.commandsSent;
    /** Errors for the console; the first is the one logs and the homepage show. */
    const fail = (text: string, first = false) => {
      if (first) errors.unshift(text);
      else errors.push(text);
      if (errors.length > MAX_ERRORS) errors.length = MAX_ERRORS;
    };
    // One sensor's unusable answer: counted and reported, the other sensors still read.
    const faulty: string[] = [];
    const onSensorFault: SensorFaultListener = (sensor, reason, err) => {
      this.options.metrics.sensorReadErrors.inc({ reason });
      // The name is the BMC's: scrubbed like any other text from it.
      const name = sensor.name || `0x${sensor.number.toString(16)}`;
      faulty.push(faulty.length === 0 ? this.describe(`sensor "${name}": ${err instanceof Error ? err.message : String(err)}`) : name);
    };
    try {
      const generation = this.sessionGeneration;
      if (!this.fileHintOffered) {
        // The first login (after a restart): the suite the SDR file says this BMC took needs no
        // discovery. Offered once: a login that fails with it discovers, and so do later ones.
        this.fileHintOffered = true;
        const suite = await this.cache.fileCipherSuite(signal);
        if (suite !== undefined) this.client.setCipherSuiteHint(suite);
      }
      const session = await this.client.open({ signal });
      if (generation === this.sessionGeneration) this.trace?.sessionReused(session);
      up = true;
      this.cache.startScrape(this.sessionGeneration, session.ipmiVersion, session.cipherSuite);
      const ctx = createScrapeContext(this.cache, this.client.execute, signal, out, deadline, onSensorFault, this.observer);
      for (const collector of collectors) {
        if (signal.aborted) {
          partial = true;
          fail(`deadline reached before ${collector.name}`);
          break;
        }
        try {
          await collector.collect(ctx);
        } catch (err) {
          failed = true;
          const message = this.describe(err);
          fail(`${collector.name}: ${message}`);
          collectorFailed?.(collector.name, message);
          this.options.metrics.collectorErrors.inc({ collector: collector.name });
          if (signal.aborted) {
            partial = true;
            break;
          }
        }
      }
    } catch (err) {
      failed = true;
      fail(`session: ${this.describe(err)}`, true);
      partial = signal.aborted;
    }
    // A session that stopped answering and could not be re-established (refused, backing
    // off, silent) means the BMC was not up for this scrape, whatever was read before.
    if (up && this.client.session === undefined) {
      up = false;
      failed = true;
      fail('session: lost during the scrape and not re-established');
    }
    // Sensors of a walk cut short by a cycle or a cap are exported; the walk's problem is reported.
    const sdrProblem = up ? this.cache.sdrIncomplete : undefined;
    if (sdrProblem) {
      failed = true;
      fail(`SDR: ${sdrProblem.message}`);
    }
    // A walk the deadline cut short: the next scrape continues it (the scrape is already partial or failed).
    const walked = up && failed ? this.cache.sdrWalkProgress : undefined;
    if (walked !== undefined) fail(`SDR: walk cut short after ${walked} records; the next scrape continues it`);
    if (faulty.length > 0) {
      failed = true;
      const more = faulty.length > 1 ? ` (and ${faulty.length - 1} more sensor${faulty.length > 2 ? 's' : ''})` : '';
      fail(`${faulty[0]}${more}`);
    }
    if (partial) {
      failed = true;
      this.options.metrics.partialCollections.inc();
    }
    const seconds = (performance.now() - started) / 1000;
    this.options.metrics.collectDuration.observe(seconds);
    this.options.health.recordCollection(this.key, failed);
    out.set(BMC_UP, up ? 1 : 0);
    out.set(BMC_SCRAPE_DURATION, seconds);
    Object.assign(this.status, {
      up,
      durationSeconds: seconds,
      lastError: errors[0] ?? null,
      partial: up && failed,
      commands: this.commandsSent - commandsBefore,
      errors: errors.length > 0 ? errors : null,
      worstSensorLevel: this.snapshot.worstLevel(),
    });
  }

  /** Feeds the console's snapshot from what collectors read anyway: no command of its own. */
  private readonly observer: ScrapeObserver = {
    sensorRead: (descriptor, reading) => {
      const list = this.cache.cachedSensors;
      if (list) this.snapshot.record(list, descriptor, reading, Date.now());
    },
    powerRead: (reading) => this.snapshot.power(reading),
  };

  /**
   * `text` with the user name and the password replaced, for the debug view,
   * which treats both as secrets (the library puts neither in a message; this
   * holds should any layer or BMC ever echo one).
   */
  redact(text: string): string {
    for (const secret of [this.options.credentials.password, this.options.credentials.username]) {
      if (secret) text = text.split(secret).join('<redacted>');
    }
    return text;
  }

  /** An error as one line for the homepage and logs, with the password scrubbed should any layer ever echo it. */
  describe(err: unknown): string {
    let text = err instanceof Error ? err.message : String(err);
    const { password } = this.options.credentials;
    if (password) text = text.split(password).join('<redacted>');
    return text.replace(/\s+/g, ' ').slice(0, 300);
  }
}
