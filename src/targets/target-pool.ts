import type { ClientLogger, RetryPolicy, Timers, UdpTransport } from '@bmc-exporter/ipmi';
import { LRUCache } from 'lru-cache';
import type { Collector } from '../collectors/collector.js';
import type { ExporterMetrics } from '../metrics/exporter-metrics.js';
import type { HealthTracker } from '../metrics/health.js';
import type { TargetAddress } from './target-address.js';
import type { CredentialsLookup, TargetCredentials } from './target-config.js';
import type { SdrFileCache } from './sdr-file-cache.js';
import type { SdrLimits } from './session-cache.js';
import { Target } from './target.js';

export interface TargetPoolOptions {
  lookup: CredentialsLookup;
  transport: UdpTransport;
  metrics: ExporterMetrics;
  health: HealthTracker;
  /** --target.idle-timeout: a target not scraped for this long is closed (Close Session) and forgotten. */
  idleTimeoutMs: number;
  /** Upper bound on targets held; the least recently scraped is closed beyond it. */
  maxTargets?: number;
  logger?: ClientLogger & { info?(obj: object, msg: string): void };
  retry?: Partial<RetryPolicy>;
  timers?: Timers;
  collectors?: readonly Collector[];
  /** Bounds of each target's SDR walk (--sdr.max-records, --sdr.max-bytes). */
  sdrLimits?: SdrLimits;
  /** SDRs kept on disk across restarts (--sdr.cache-dir). */
  sdrFiles?: SdrFileCache;
}

/** The outcome of looking a target up: the Target, or why there is none (then nothing was sent anywhere). */
export type Acquired = { target: Target } | { missing: true };

/**
 * The targets being scraped, keyed by normalised address. A target is created
 * on its first scrape from the credentials lookup, replaced when a reload
 * changed its credentials/suite/privilege, closed when its credentials are
 * gone, and evicted with Close Session after idleTimeoutMs without a scrape.
 */
export class TargetPool {
  private readonly cache: LRUCache<string, Target>;
  /**
   * The same targets in a plain Map, for walking all of them: lru-cache checks
   * each entry's TTL on iteration, ~1 µs a target (60 ms at 50,000 for the console).
   */
  private readonly all = new Map<string, Target>();
  /** Closes in progress, per key: a replacement waits for them (at most one session per BMC). */
  private readonly closing = new Map<string, Promise<void>>();
  private readonly sweeper: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(private readonly options: TargetPoolOptions) {
    this.cache = new LRUCache<string, Target>({
      // maxSize with a size of 1 each, not `max`: lru-cache preallocates `max`
      // slots up front (1,000,000 of them cost ~43 MB before the first target).
      maxSize: options.maxTargets ?? 1_000_000,
      sizeCalculation: () => 1,
      ttl: options.idleTimeoutMs,
      updateAgeOnGet: true,
      // The clock read at each get (performance.now(), tens of ns) rather than cached
      // behind a 1 ms timer, which under load is set up again on most scrapes.
      ttlResolution: 0,
      // Stale targets are swept on a timer below, not one timer per target.
      ttlAutopurge: false,
      dispose: (target, key, reason) => {
        if (this.all.get(key) === target) this.all.delete(key);
        if (reason === 'set') return; // replaced: the caller closes it
        this.retire(key, target, reason);
      },
    });
    const every = Math.max(50, Math.min(options.idleTimeoutMs / 4, 60_000));
    this.sweeper = setInterval(() => this.cache.purgeStale(), every);
    this.sweeper.unref();
  }

  get size(): number {
    return this.cache.size;
  }

  /** Targets in the pool, most recently scraped first. */
  targets(): Target[] {
    return [...this.cache.values()];
  }

  /** Every target in the pool, in no particular order, without touching recency or TTL bookkeeping. */
  forEachTarget(fn: (target: Target) => void): void {
    for (const t of this.all.values()) fn(t);
  }

  peek(key: string): Target | undefined {
    return this.cache.peek(key);
  }

  /** The target for a scrape, creating or replacing it as its credentials say. `raw` is the query string's spelling. */
  acquire(address: TargetAddress, raw: string): Acquired {
    this.options.metrics.mapperQueries.inc();
    const credentials = this.lookup(address, raw);
    return this.acquireWith(address, credentials);
  }

  /** The credentials the secrets (or demo) lookup holds for a target, if any. */
  lookup(address: TargetAddress, raw: string): TargetCredentials | undefined {
    return this.options.lookup(raw) ?? (raw === address.key ? undefined : this.options.lookup(address.key));
  }

  /**
   * The target for a scrape with credentials chosen by the caller (/ipmi:
   * the secrets entry, else the module's). One Target per address whichever
   * endpoint asks, so a BMC keeps one session; different credentials replace it.
   */
  acquireWith(address: TargetAddress, credentials: TargetCredentials | undefined): Acquired {
    const m = this.options.metrics;
    const existing = this.cache.get(address.key);
    if (!credentials) {
      m.credentialFailures.inc();
      m.credentialsMissing.inc();
      if (existing) this.cache.delete(address.key); // credentials removed by a reload: end its session
      return { missing: true };
    }
    if (existing?.configuredWith(credentials)) {
      m.mapperHits.inc();
      return { target: existing };
    }
    if (this.closed) throw new Error('the exporter is shutting down');
    if (existing) {
      this.cache.delete(address.key);
      this.options.logger?.debug({ target: address.key }, 'credentials changed; replacing the session');
    }
    const target = new Target({
      address,
      credentials,
      transport: this.options.transport,
      metrics: m,
      health: this.options.health,
      ...(this.options.logger ? { logger: this.options.logger } : {}),
      ...(this.options.retry ? { retry: this.options.retry } : {}),
      ...(this.options.timers ? { timers: this.options.timers } : {}),
      ...(this.options.collectors ? { collectors: this.options.collectors } : {}),
      ...(this.options.sdrLimits ? { sdrLimits: this.options.sdrLimits } : {}),
      ...(this.options.sdrFiles ? { sdrFiles: this.options.sdrFiles } : {}),
      ...(this.closing.has(address.key) ? { predecessorClosed: this.closing.get(address.key)! } : {}),
    });
    this.cache.set(address.key, target);
    this.all.set(address.key, target);
    return { target };
  }

  /** Evict everything idle now (tests; the sweeper does this on a timer). */
  purgeStale(): void {
    this.cache.purgeStale();
  }

  /** Close every session (Close Session to each BMC) and stop the sweeper. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    this.cache.clear();
    await Promise.all([...this.closing.values()]);
  }

  private retire(key: string, target: Target, reason: string): void {
    this.options.metrics.targetEvictions.inc();
    this.options.health.forget(key);
    this.options.logger?.debug({ target: key, reason }, 'closing target');
    const done = target
      .close()
      .catch(() => undefined)
      .finally(() => {
        if (this.closing.get(key) === done) this.closing.delete(key);
      });
    this.closing.set(key, done);
  }
}
