import { describe, expect, it } from 'vitest';
import type { TargetStatus } from '../targets/target.js';
import { errorGroup, fleetState, parseFleetQuery, summarizeFleet as summarize, type FleetEntry, type FleetFacts, type FleetQuery } from './fleet-summary.js';

const T0 = Date.UTC(2026, 0, 1);

function status(o: Partial<TargetStatus> & { at: number }): TargetStatus {
  const { at, ...rest } = o;
  return {
    lastScrapeAt: new Date(at),
    up: true,
    durationSeconds: 0.1,
    lastError: null,
    partial: false,
    commands: 10,
    errors: null,
    worstSensorLevel: 0,
    ...rest,
  };
}

interface Entry extends FleetEntry {
  labels: Record<string, string> | undefined;
  newSelEvents: number;
}
const facts: FleetFacts<Entry> = { labels: (e) => e.labels, newSelEvents: (e) => e.newSelEvents };
const summarizeFleet = (entries: Entry[], query: FleetQuery) => summarize(entries, query, facts);

const fleet: Entry[] = [
  { key: '127.0.0.1:623', status: status({ at: T0 + 1000, durationSeconds: 0.2 }), labels: { rack: 'r12', room: 'a' }, newSelEvents: 0 },
  {
    key: '127.0.0.2:623',
    status: status({ at: T0 + 3000, up: false, lastError: 'session: no answer from 127.0.0.2:623', durationSeconds: 3 }),
    labels: undefined,
    newSelEvents: 0,
  },
  {
    key: '127.0.0.3:623',
    status: status({ at: T0 + 2000, up: false, lastError: 'session: no answer from 127.0.0.3:623', durationSeconds: 2.5 }),
    labels: { rack: 'r13' },
    newSelEvents: 0,
  },
  {
    key: '127.0.0.4:623',
    status: status({ at: T0 + 4000, partial: true, lastError: 'sel: timeout', worstSensorLevel: 2 }),
    labels: undefined,
    newSelEvents: 3,
  },
  { key: '127.0.0.5:623', status: undefined, labels: { rack: 'r12' }, newSelEvents: 0 },
  { key: '[::1]:623', status: status({ at: T0 + 500, up: false, lastError: 'session: wrong password for ::1' }), labels: undefined, newSelEvents: 0 },
];

const q = (o: Partial<FleetQuery> = {}): FleetQuery => ({ ...parseFleetQuery(new URLSearchParams()), ...o });
const keys = (e: FleetEntry[]) => e.map((x) => x.key);

describe('summarizeFleet', () => {
  it('counts every state over the whole fleet, whatever the filter', () => {
    const s = summarizeFleet(fleet, q({ state: 'up' }));
    expect(s.counts).toEqual({ up: 1, partial: 1, down: 3, never: 1 });
    expect(s.total).toBe(6);
    expect(keys(s.rows)).toEqual(['127.0.0.1:623']);
  });

  it('groups errors with the target address taken out, most common first', () => {
    expect(summarizeFleet(fleet, q()).errors).toEqual([
      { error: 'session: no answer from <target>', count: 2 },
      { error: 'sel: timeout', count: 1 },
      { error: 'session: wrong password for <target>', count: 1 },
    ]);
    expect(keys(summarizeFleet(fleet, q({ error: 'session: no answer from <target>' })).rows)).toEqual(['127.0.0.2:623', '127.0.0.3:623']);
  });

  it('searches the address and "name=value" labels, case-insensitively', () => {
    expect(keys(summarizeFleet(fleet, q({ search: 'RACK=R12' })).rows).sort()).toEqual(['127.0.0.1:623', '127.0.0.5:623']);
    expect(keys(summarizeFleet(fleet, q({ search: '0.0.3' })).rows)).toEqual(['127.0.0.3:623']);
    expect(keys(summarizeFleet(fleet, q({ search: 'room=' })).rows)).toEqual(['127.0.0.1:623']);
    expect(summarizeFleet(fleet, q({ search: 'nowhere' })).matched).toBe(0);
  });

  it('filters by critical sensor and new SEL events', () => {
    expect(keys(summarizeFleet(fleet, q({ critical: true })).rows)).toEqual(['127.0.0.4:623']);
    expect(keys(summarizeFleet(fleet, q({ newSel: true })).rows)).toEqual(['127.0.0.4:623']);
  });

  it('sorts by last scrape (newest first, never last), duration (slowest first), error (none last), target', () => {
    expect(keys(summarizeFleet(fleet, q()).rows)).toEqual(['127.0.0.4:623', '127.0.0.2:623', '127.0.0.3:623', '127.0.0.1:623', '[::1]:623', '127.0.0.5:623']);
    expect(keys(summarizeFleet(fleet, q({ sort: 'duration' })).rows).slice(0, 3)).toEqual(['127.0.0.2:623', '127.0.0.3:623', '127.0.0.1:623']);
    expect(keys(summarizeFleet(fleet, q({ sort: 'error' })).rows)).toEqual([
      '127.0.0.4:623',
      '127.0.0.2:623',
      '127.0.0.3:623',
      '[::1]:623',
      '127.0.0.1:623',
      '127.0.0.5:623',
    ]);
    // IPv4 in numeric order, then other spellings as text.
    expect(keys(summarizeFleet(fleet, q({ sort: 'target' })).rows)).toEqual([
      '127.0.0.1:623',
      '127.0.0.2:623',
      '127.0.0.3:623',
      '127.0.0.4:623',
      '127.0.0.5:623',
      '[::1]:623',
    ]);
  });

  it('pages: a fixed page size, the last page partly filled, a page past the end shows the last', () => {
    const many: Entry[] = Array.from({ length: 25 }, (_, i) => ({ key: `127.0.1.${i + 1}:623`, status: undefined, labels: undefined, newSelEvents: 0 }));
    const p1 = summarizeFleet(many, q({ size: 10, sort: 'target' }));
    expect([p1.page, p1.pages, p1.rows.length, p1.matched]).toEqual([1, 3, 10, 25]);
    // Addresses in numeric order, not as text (.9 before .10).
    expect(keys(p1.rows).slice(7, 10)).toEqual(['127.0.1.8:623', '127.0.1.9:623', '127.0.1.10:623']);
    const p3 = summarizeFleet(many, q({ size: 10, page: 3 }));
    expect([p3.page, p3.rows.length]).toEqual([3, 5]);
    expect(summarizeFleet(many, q({ size: 10, page: 99 })).page).toBe(3);
    expect(summarizeFleet([], q()).pages).toBe(1);
  });
});

describe('parseFleetQuery', () => {
  it('falls back to defaults on anything odd and bounds page size and search length', () => {
    const p = parseFleetQuery(new URLSearchParams({ state: '<x>', sort: 'constructor', page: '-3', size: '100000', q: `  ${'a'.repeat(500)} ` }));
    expect(p).toMatchObject({ state: '', sort: 'last', page: 1, size: 500, critical: false, newSel: false });
    expect(p.search).toHaveLength(200);
    expect(parseFleetQuery(new URLSearchParams({ size: '1', page: '2.5' }))).toMatchObject({ size: 10, page: 1 });
    expect(parseFleetQuery(new URLSearchParams({ state: 'down', critical: '1', newsel: '1', sort: 'duration', page: '4' }))).toMatchObject({
      state: 'down',
      critical: true,
      newSel: true,
      sort: 'duration',
      page: 4,
    });
  });
});

describe('fleetState and errorGroup', () => {
  it('tells never scraped, down, partial and up apart', () => {
    expect(fleetState(undefined)).toBe('never');
    expect(fleetState(status({ at: T0, up: false }))).toBe('down');
    expect(fleetState(status({ at: T0, partial: true }))).toBe('partial');
    expect(fleetState(status({ at: T0 }))).toBe('up');
  });

  it('takes the address out, with or without the port, IPv6 included', () => {
    expect(errorGroup('127.9.2.3:623', 'no answer from 127.9.2.3:623 (127.9.2.3)')).toBe('no answer from <target> (<target>)');
    expect(errorGroup('[::1]:624', 'refused by ::1')).toBe('refused by <target>');
  });
});
