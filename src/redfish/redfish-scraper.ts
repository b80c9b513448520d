import { SEL_CATEGORIES, SEL_SEVERITIES } from '@bmc-exporter/ipmi';
import {
  INITIAL_CURSOR,
  RedfishAbortedError,
  RedfishAuthenticationError,
  RedfishClient,
  RedfishConnectionError,
  RedfishError,
  RedfishSessionError,
  RedfishTimeoutError,
  RedfishTlsError,
  readChassis,
  readLogEntries,
  type ChassisReadings,
  type LogCursor,
  type LogServiceStructure,
  type RedfishClientOptions,
} from '@bmc-exporter/redfish';
import type { Exposition } from '../metrics/exposition.js';
import { SEL_METRICS } from '../collectors/sel.js';
import { SEL_HEADROOM_ROUND_TRIPS, SEL_MIN_HEADROOM_MS } from '../collectors/sel-pacing.js';
import { SEL_SLOTS, selSlot } from '../collectors/sel-state.js';
import { classifyLogEntry } from './log-events.js';
import { setInfo, setReadings } from './redfish-metrics.js';

/** Chassis read per scrape: a blade enclosure lists a few; a hostile listing must not cost a request each. */
const MAX_CHASSIS = 4;
/** Log entries asked for per request. */
const LOG_PAGE = 200;
/** Pages per log service per scrape at most (10,000 entries), whatever the deadline: a log that claims to grow forever is read over many scrapes. */
const MAX_LOG_PAGES = 50;

/** What the exporter keeps of one log service between scrapes: a cursor and aggregates, never the entries. */
interface LogState {
  cursor: LogCursor;
  counts: number[];
  latest: number[];
  total: number | undefined;
  /** The read reached the newest entry at least once since the last reset. */
  complete: boolean;
}

export interface RedfishScrapeResult {
  /** The service answered an authenticated read this scrape. */
  up: boolean;
  /** Errors in the order met, for the console and logs (no credential in any). */
  errors: string[];
  /** The deadline cut the scrape short. */
  partial: boolean;
  /** HTTP requests this scrape sent (GETs; logins not counted). */
  requests: number;
  /** Error codes of failed reads, for bmc_exporter_redfish_errors_total. */
  codes: string[];
}

/**
 * One BMC over Redfish for the target's life: one client (one keep-alive
 * connection, one session, its structure discovered once per session) and
 * the log cursors. scrape() writes the /bmc families into the scrape's
 * answer; the caller writes bmc_up and the duration.
 */
export class RedfishScraper {
  readonly client: RedfishClient;
  private readonly logs = new Map<string, LogState>();

  constructor(options: RedfishClientOptions) {
    this.client = new RedfishClient(options);
  }

  /**
   * The scrape: every request takes `signal`, and the client ends a request
   * (connection set-up and TLS handshake included) when it fires, so the
   * read ends by the deadline with what it read. The target runs one scrape
   * at a time, so the log cursors are never read by two at once.
   */
  async scrape(signal: AbortSignal, exposition: Exposition, deadline: number, clock: () => number = () => performance.now()): Promise<RedfishScrapeResult> {
    const requestsBefore = this.client.stats.requests;
    const out: RedfishScrapeResult = { up: false, errors: [], partial: false, requests: 0, codes: [] };
    const failed = (what: string, err: unknown) => {
      out.errors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      if (err instanceof RedfishError) out.codes.push(err.code);
      if (err instanceof RedfishTimeoutError || err instanceof RedfishAbortedError || signal.aborted) out.partial = true;
    };
    try {
      const structure = await this.client.discover(signal);
      out.up = true;
      setInfo(exposition, structure, this.client.authMode ?? '');
      for (const p of structure.problems) failed('discovery', p);
      const chassis: ChassisReadings[] = [];
      try {
        for (const c of structure.chassis.slice(0, MAX_CHASSIS)) {
          const r = await readChassis(this.client, c, signal);
          chassis.push(r);
          for (const e of r.errors) failed(`chassis ${c.id}`, e);
        }
      } catch (err) {
        failed('chassis', err);
        // A BMC that stopped answering or refused us again was not up for this scrape.
        if (isServiceDown(err)) out.up = false;
      }
      setReadings(exposition, chassis);
      if (out.up && !signal.aborted) await this.readLogs(structure.logServices, signal, exposition, deadline, clock, failed);
    } catch (err) {
      failed('session', err);
      if (signal.aborted) out.partial = true;
    }
    out.requests = this.client.stats.requests - requestsBefore;
    return out;
  }

  /**
   * Every log service's entries newer than the last read, a page at a time,
   * stopping a few request times before the deadline (as the IPMI SEL read
   * is paced); the rest is read at the next scrape. The SEL families are
   * written from what was counted, also when the read stopped early.
   */
  private async readLogs(
    services: readonly LogServiceStructure[],
    signal: AbortSignal,
    exposition: Exposition,
    deadline: number,
    clock: () => number,
    failed: (what: string, err: unknown) => void,
  ): Promise<void> {
    let requestMs = 0;
    const nowSeconds = Date.now() / 1000;
    try {
      for (const svc of services) {
        let log = this.logs.get(svc.path);
        if (!log) {
          log = {
            cursor: INITIAL_CURSOR,
            counts: new Array<number>(SEL_SLOTS).fill(0),
            latest: new Array<number>(SEL_SLOTS).fill(Number.NaN),
            total: undefined,
            complete: false,
          };
          this.logs.set(svc.path, log);
        }
        for (let page = 0; page < MAX_LOG_PAGES; page++) {
          if (deadline - clock() < Math.max(SEL_MIN_HEADROOM_MS, SEL_HEADROOM_ROUND_TRIPS * requestMs)) return;
          const started = clock();
          const r = await readLogEntries(this.client, svc, log.cursor, signal, { pageSize: LOG_PAGE, maxPages: 1 });
          requestMs = Math.max(requestMs, clock() - started);
          if (r.reset) {
            log.counts.fill(0);
            log.latest.fill(Number.NaN);
            log.complete = false;
          }
          for (const e of r.entries) {
            const { category, severity } = classifyLogEntry(e);
            const slot = selSlot(category, severity);
            log.counts[slot]!++;
            const at = e.createdMs !== undefined ? e.createdMs / 1000 : undefined;
            // An entry dated more than a day ahead (a BMC clock far off) does not move the latest time.
            if (at !== undefined && at <= nowSeconds + 86_400 && !(at <= log.latest[slot]!)) log.latest[slot] = at;
          }
          log.cursor = r.cursor;
          log.total = r.total;
          if (!r.more) {
            log.complete = true;
            break;
          }
        }
      }
    } catch (err) {
      failed('log entries', err);
    } finally {
      this.setLogGauges(exposition, services);
    }
  }

  private setLogGauges(out: Exposition, services: readonly LogServiceStructure[]): void {
    const states = services.map((s) => this.logs.get(s.path)).filter((s) => s !== undefined);
    if (states.length === 0) return;
    const m = SEL_METRICS;
    const totals = states.map((s) => s.total);
    if (totals.every((t) => t !== undefined))
      out.set(
        m.entries,
        totals.reduce((a, b) => a + b, 0),
      );
    for (const category of SEL_CATEGORIES) {
      for (const severity of SEL_SEVERITIES) {
        const slot = selSlot(category, severity);
        out.set(
          m.events,
          states.reduce((sum, s) => sum + s.counts[slot]!, 0),
          { category, severity },
        );
        const latest = Math.max(...states.map((s) => (Number.isNaN(s.latest[slot]!) ? -Infinity : s.latest[slot]!)));
        if (latest !== -Infinity) out.set(m.latest, latest, { category, severity });
      }
    }
    out.set(m.complete, states.every((s) => s.complete) ? 1 : 0);
  }

  /** DELETE the session and close the connection (bounded). */
  close(): Promise<void> {
    return this.client.close();
  }
}

/** Failures that mean the service is not usable now (as opposed to one resource being broken). */
function isServiceDown(err: unknown): boolean {
  return (
    err instanceof RedfishAuthenticationError || err instanceof RedfishSessionError || err instanceof RedfishConnectionError || err instanceof RedfishTlsError
  );
}

/**
 * How long `auto`'s probe of the service root may take at most, and never
 * more than half the time the scrape has left: a port that accepts
 * connections and never completes the TLS handshake (or never answers)
 * is decided IPMI in the first scrape, with time left to read it over IPMI.
 */
export const REDFISH_PROBE_MS = 2_000;
/** A probe that timed out with less time than this (a scrape that began late) decides nothing: the next scrape probes again. */
export const REDFISH_PROBE_MIN_MS = 500;

export interface ProbeResult {
  redfish: boolean;
  /** Why, for the log (no credential: the service root is read without one). */
  reason: string;
  /** False when the scrape's own deadline ended the probe, or the probe had too little time to judge: that decides nothing. */
  decided: boolean;
}

/**
 * `auto`: read the unauthenticated service root once. A JSON object there
 * means the BMC speaks Redfish; anything else (refused, TLS failure, 404,
 * not JSON, no answer within the probe's limit) means IPMI.
 */
export async function probeRedfish(
  client: RedfishClient,
  signal: AbortSignal,
  deadline: number,
  clock: () => number = () => performance.now(),
): Promise<ProbeResult> {
  const limitMs = Math.max(0, Math.min(REDFISH_PROBE_MS, (deadline - clock()) / 2));
  const probe = new AbortController();
  const onScrapeAbort = () => probe.abort(signal.reason);
  if (signal.aborted) onScrapeAbort();
  else signal.addEventListener('abort', onScrapeAbort, { once: true });
  const limit = setTimeout(() => probe.abort(new RedfishTimeoutError(`GET /redfish/v1/: no answer within the probe's ${Math.round(limitMs)} ms`)), limitMs);
  try {
    await client.serviceRoot(probe.signal);
    return { redfish: true, reason: 'the service root /redfish/v1/ answered', decided: true };
  } catch (err) {
    const timedOut = probe.signal.aborted && !signal.aborted;
    return {
      redfish: false,
      reason: err instanceof Error ? err.message : String(err),
      decided: !signal.aborted && !(timedOut && limitMs < REDFISH_PROBE_MIN_MS),
    };
  } finally {
    clearTimeout(limit);
    signal.removeEventListener('abort', onScrapeAbort);
  }
}
