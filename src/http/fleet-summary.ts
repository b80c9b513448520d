import type { TargetStatus } from '../targets/target.js';

/** How a target's last scrape went. */
export type FleetState = 'up' | 'partial' | 'down' | 'never';
export const FLEET_STATES: readonly FleetState[] = ['up', 'partial', 'down', 'never'];

/** One target as the summary sees it (a Target is one: no wrapper object per target per request). */
export interface FleetEntry {
  readonly key: string;
  readonly status: TargetStatus | undefined;
}

/** Facts the summary asks for only when a filter needs them or a row is shown. */
export interface FleetFacts<E extends FleetEntry> {
  /** From the secrets entry, when it has any. */
  labels(e: E): Readonly<Record<string, string>> | undefined;
  /** SEL events logged while the exporter watched. */
  newSelEvents(e: E): number;
}

export const SORTS = {
  last: 'last scrape, newest first',
  duration: 'scrape duration, slowest first',
  error: 'last error, A to Z, targets without one last',
  target: 'address, A to Z',
} as const;
export type SortKey = keyof typeof SORTS;

export interface FleetQuery {
  /** Case-insensitive text in the address or a "name=value" label. */
  search: string;
  state: FleetState | '';
  critical: boolean;
  newSel: boolean;
  /** Only targets whose last error falls in this group (errorGroup's text). */
  error: string;
  sort: SortKey;
  page: number;
  size: number;
}

export const PAGE_SIZE = { default: 50, min: 10, max: 500 } as const;
/** Longer searches are cut: nobody types more, and it bounds the per-target work. */
const MAX_SEARCH = 200;

/** A query from the URL; anything odd falls back to its default rather than failing the page. */
export function parseFleetQuery(p: URLSearchParams): FleetQuery {
  const state = p.get('state') ?? '';
  const sort = p.get('sort') ?? '';
  const int = (v: string | null, dflt: number) => {
    const n = Number(v);
    return v !== null && v !== '' && Number.isInteger(n) ? n : dflt;
  };
  return {
    search: (p.get('q') ?? '').trim().slice(0, MAX_SEARCH),
    state: (FLEET_STATES as readonly string[]).includes(state) ? (state as FleetState) : '',
    critical: p.get('critical') === '1',
    newSel: p.get('newsel') === '1',
    error: (p.get('error') ?? '').slice(0, 400),
    sort: Object.hasOwn(SORTS, sort) ? (sort as SortKey) : 'last',
    page: Math.max(1, int(p.get('page'), 1)),
    size: Math.min(PAGE_SIZE.max, Math.max(PAGE_SIZE.min, int(p.get('size'), PAGE_SIZE.default))),
  };
}

export function fleetState(s: TargetStatus | undefined): FleetState {
  if (!s?.lastScrapeAt || s.up === null) return 'never';
  if (!s.up) return 'down';
  return s.partial ? 'partial' : 'up';
}

/**
 * An error with the target's own address taken out, so "no answer from
 * 10.0.0.1:623" and "no answer from 10.0.0.2:623" count as one cause.
 */
export function errorGroup(key: string, error: string): string {
  const host = key.startsWith('[') ? key.slice(1, key.indexOf(']')) : key.slice(0, key.lastIndexOf(':'));
  // Most errors do not name the target: keep the very string, no copy per target.
  if (!error.includes(host || key)) return error;
  let out = error.split(key).join('<target>');
  if (host) out = out.split(host).join('<target>');
  return out;
}

export interface FleetSummary<E extends FleetEntry = FleetEntry> {
  total: number;
  counts: Record<FleetState, number>;
  /** Most common last errors first (at most `groups`). */
  errors: Array<{ error: string; count: number }>;
  /** Targets the filters let through. */
  matched: number;
  page: number;
  pages: number;
  rows: E[];
}

/** Sort keys: numbers (descending) or strings (ascending, null last), taken once per entry rather than per comparison. */
const SORT_VALUE: Record<SortKey, (e: FleetEntry) => number | string | null> = {
  last: (e) => e.status?.lastScrapeAt?.getTime() ?? -1,
  duration: (e) => e.status?.durationSeconds ?? -1,
  error: (e) => e.status?.lastError ?? null,
  target: (e) => addressOrder(e.key),
};

const IPV4_KEY = /^(\d+)\.(\d+)\.(\d+)\.(\d+):(\d+)$/;

/**
 * Addresses in numeric order (127.0.0.9 before 127.0.0.10): an IPv4 key as
 * one number (address × 65536 + port, exact in a double), anything else as
 * text with its numbers padded. Numbers compare fast, which matters at 50,000.
 */
function addressOrder(key: string): number | string {
  const m = IPV4_KEY.exec(key);
  if (m) return (((Number(m[1]) * 256 + Number(m[2])) * 256 + Number(m[3])) * 256 + Number(m[4])) * 65536 + Number(m[5]);
  return key.replace(/\d+/g, (d) => d.padStart(5, '0'));
}

/** IPv4 addresses (numbers) first, in order; then the rest as text. */
function byAddress(a: { v: number | string | null }, b: { v: number | string | null }): number {
  const x = a.v;
  const y = b.v;
  if (typeof x === 'number') return typeof y === 'number' ? x - y : -1;
  if (typeof y === 'number') return 1;
  return byTextAscending(a, b);
}

function byNumberDescending(a: { v: number | string | null }, b: { v: number | string | null }): number {
  return (b.v as number) - (a.v as number);
}

function byTextAscending(a: { v: number | string | null }, b: { v: number | string | null }): number {
  const x = a.v as string | null;
  const y = b.v as string | null;
  if (x === y) return 0;
  if (x === null) return 1;
  if (y === null) return -1;
  return x < y ? -1 : 1;
}

function matchesSearch(key: string, labels: Readonly<Record<string, string>> | undefined, needle: string): boolean {
  if (key.toLowerCase().includes(needle)) return true;
  if (!labels) return false;
  for (const [k, v] of Object.entries(labels)) if (`${k}=${v}`.toLowerCase().includes(needle)) return true;
  return false;
}

/**
 * Counts over the whole fleet, then the filtered, sorted page: one pass to
 * count and filter, one sort of what matched (ties keep the given order),
 * a slice. The page's size never depends on the fleet's; the work is linear
 * in it plus the sort, with nothing allocated per target but the sort's pair.
 */
export function summarizeFleet<E extends FleetEntry>(entries: Iterable<E>, q: FleetQuery, facts: FleetFacts<E>, groups = 8): FleetSummary<E> {
  const counts: Record<FleetState, number> = { up: 0, partial: 0, down: 0, never: 0 };
  const byError = new Map<string, number>();
  const matched: Array<{ e: E; v: number | string | null }> = [];
  const needle = q.search.toLowerCase();
  const sortValue = SORT_VALUE[q.sort];
  let total = 0;
  for (const e of entries) {
    total++;
    const s = e.status;
    const state = fleetState(s);
    counts[state]++;
    const err = s?.lastError;
    const group = err ? errorGroup(e.key, err) : undefined;
    if (group !== undefined) byError.set(group, (byError.get(group) ?? 0) + 1);
    if (q.state && state !== q.state) continue;
    if (q.critical && !((s?.worstSensorLevel ?? -1) >= 2)) continue;
    if (q.error && group !== q.error) continue;
    if (needle && !matchesSearch(e.key, facts.labels(e), needle)) continue;
    if (q.newSel && facts.newSelEvents(e) === 0) continue;
    matched.push({ e, v: sortValue(e) });
  }
  matched.sort(q.sort === 'last' || q.sort === 'duration' ? byNumberDescending : q.sort === 'target' ? byAddress : byTextAscending);
  const pages = Math.max(1, Math.ceil(matched.length / q.size));
  const page = Math.min(q.page, pages);
  const errors = [...byError]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, groups)
    .map(([error, count]) => ({ error, count }));
  return { total, counts, errors, matched: matched.length, page, pages, rows: matched.slice((page - 1) * q.size, page * q.size).map((m) => m.e) };
}
