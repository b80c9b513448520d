import type { TargetStatus } from '../targets/target.js';

/** How a target's last scrape went. */
export type FleetState = 'up' | 'partial' | 'down' | 'never';
export const FLEET_STATES: readonly FleetState[] = ['up', 'partial', 'down', 'never'];

/** One target as the summary sees it. */
export interface FleetEntry {
  key: string;
  status: TargetStatus | undefined;
  /** From the secrets entry, when it has any. */
  labels: Readonly<Record<string, string>> | undefined;
  /** SEL events logged while the exporter watched this BMC. */
  newSelEvents: number;
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
  let out = error.split(key).join('<target>');
  const host = key.startsWith('[') ? key.slice(1, key.indexOf(']')) : key.slice(0, key.lastIndexOf(':'));
  if (host) out = out.split(host).join('<target>');
  return out;
}

export interface FleetSummary {
  total: number;
  counts: Record<FleetState, number>;
  /** Most common last errors first (at most `groups`). */
  errors: Array<{ error: string; count: number }>;
  /** Targets the filters let through. */
  matched: number;
  page: number;
  pages: number;
  rows: FleetEntry[];
}

const lastMs = (e: FleetEntry) => e.status?.lastScrapeAt?.getTime() ?? -1;
const COMPARE: Record<SortKey, (a: FleetEntry, b: FleetEntry) => number> = {
  last: (a, b) => lastMs(b) - lastMs(a),
  duration: (a, b) => (b.status?.durationSeconds ?? -1) - (a.status?.durationSeconds ?? -1),
  error: (a, b) => {
    const x = a.status?.lastError ?? null;
    const y = b.status?.lastError ?? null;
    if (x === y) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    return x < y ? -1 : 1;
  },
  target: (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
};

function matchesSearch(e: FleetEntry, needle: string): boolean {
  if (e.key.toLowerCase().includes(needle)) return true;
  if (!e.labels) return false;
  for (const [k, v] of Object.entries(e.labels)) if (`${k}=${v}`.toLowerCase().includes(needle)) return true;
  return false;
}

/**
 * Counts over the whole fleet, then the filtered, sorted page: one pass to
 * count and filter, one sort of what matched (ties keep the given order,
 * most recently scraped first), a slice. The page's size never depends on
 * the fleet's.
 */
export function summarizeFleet(entries: Iterable<FleetEntry>, q: FleetQuery, groups = 8): FleetSummary {
  const counts: Record<FleetState, number> = { up: 0, partial: 0, down: 0, never: 0 };
  const byError = new Map<string, number>();
  const matched: FleetEntry[] = [];
  const needle = q.search.toLowerCase();
  let total = 0;
  for (const e of entries) {
    total++;
    const state = fleetState(e.status);
    counts[state]++;
    const err = e.status?.lastError;
    const group = err ? errorGroup(e.key, err) : undefined;
    if (group !== undefined) byError.set(group, (byError.get(group) ?? 0) + 1);
    if (q.state && state !== q.state) continue;
    if (q.critical && !((e.status?.worstSensorLevel ?? -1) >= 2)) continue;
    if (q.newSel && e.newSelEvents === 0) continue;
    if (q.error && group !== q.error) continue;
    if (needle && !matchesSearch(e, needle)) continue;
    matched.push(e);
  }
  matched.sort(COMPARE[q.sort]);
  const pages = Math.max(1, Math.ceil(matched.length / q.size));
  const page = Math.min(q.page, pages);
  const errors = [...byError]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, groups)
    .map(([error, count]) => ({ error, count }));
  return { total, counts, errors, matched: matched.length, page, pages, rows: matched.slice((page - 1) * q.size, page * q.size) };
}
