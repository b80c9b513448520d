import { Target } from '../targets/target.js';
import { ago, badge, page, seconds } from './console-layout.js';
import {
  FLEET_STATES,
  fleetState,
  parseFleetQuery,
  PAGE_SIZE,
  SORTS,
  summarizeFleet,
  type FleetEntry,
  type FleetFacts,
  type FleetQuery,
  type FleetState,
  type FleetSummary,
} from './fleet-summary.js';
import { html, query, type Html } from './html.js';
import type { Handler, HttpDeps } from './types.js';

export { escapeHtml } from './html.js';

/** Fresh SEL events the exporter saw for a target (0 before its SEL was read). */
export function newSelEvents(t: Target): number {
  return t.cache.cachedSelState?.recent.freshCount ?? 0;
}

/** A configured target the pool does not hold (never scraped, or forgotten when idle). */
interface Unscraped extends FleetEntry {
  readonly status: undefined;
}
type HomeEntry = Target | Unscraped;

/** Every target: those in the pool (the Targets themselves, no copy), then configured targets it does not hold. */
export function fleetEntries(deps: Pick<HttpDeps, 'pool' | 'knownTargets'>): HomeEntry[] {
  const out: HomeEntry[] = [];
  deps.pool.forEachTarget((t) => out.push(t));
  for (const key of deps.knownTargets()) if (!deps.pool.peek(key)) out.push({ key, status: undefined });
  return out;
}

export function fleetFacts(deps: Pick<HttpDeps, 'labelsOf'>): FleetFacts<HomeEntry> {
  return {
    labels: (e) => deps.labelsOf?.(e.key),
    newSelEvents: (e) => (e instanceof Target ? newSelEvents(e) : 0),
  };
}

const STATE_TEXT: Record<FleetState, string> = { up: 'up', partial: 'partial', down: 'down', never: 'never scraped' };
const LEVELS = ['ok', 'non-critical', 'critical', 'non-recoverable'] as const;

/** The URL of this summary with some parameters changed (page reset unless given). */
function link(q: FleetQuery, change: Partial<Record<string, string | number>>): string {
  return (
    query('', {
      q: q.search,
      state: q.state,
      critical: q.critical ? 1 : undefined,
      newsel: q.newSel ? 1 : undefined,
      error: q.error,
      sort: q.sort === 'last' ? undefined : q.sort,
      size: q.size === PAGE_SIZE.default ? undefined : q.size,
      ...change,
    }) || '?'
  );
}

function row<E extends FleetEntry>(e: E, facts: FleetFacts<E>, now: number): Html {
  const s = e.status;
  const fromSecrets = facts.labels(e);
  const state = fleetState(s);
  const level = s && s.worstSensorLevel >= 0 ? LEVELS[s.worstSensorLevel]! : undefined;
  const labels = fromSecrets
    ? Object.entries(fromSecrets)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')
    : '';
  // Redfish targets say so: their count is HTTP requests, not IPMI commands.
  const over = s?.transport === 'redfish' ? html`<div class="labels">over Redfish</div>` : '';
  return html`<tr><td><a href="${query('target', { target: e.key })}">${e.key}</a>${labels ? html`<div class="labels">${labels}</div>` : ''}${over}</td>
<td>${badge(state, STATE_TEXT[state])}</td><td>${ago(s?.lastScrapeAt, now)}</td><td class="num">${seconds(s?.durationSeconds)}</td>
<td class="num">${s?.lastScrapeAt ? s.commands : '–'}</td><td>${level ? badge(level) : '–'}</td><td class="num">${facts.newSelEvents(e)}</td><td class="error">${s?.lastError ?? ''}</td></tr>`;
}

/** The fleet summary: counts, common errors, filters, one page of targets. Every dynamic string goes through `html`. */
export function renderHomepage<E extends FleetEntry>(version: string, q: FleetQuery, f: FleetSummary<E>, facts: FleetFacts<E>, now = Date.now()): string {
  const counts = FLEET_STATES.map(
    (state) =>
      html`<li><a href="${query('', { state }) || '?'}" aria-label="${f.counts[state]} ${STATE_TEXT[state]}"><strong>${f.counts[state]}</strong>${badge(state, STATE_TEXT[state])}</a></li>`,
  );
  const errors = f.errors.length
    ? html`<table id="errors"><caption class="muted">Most common last errors</caption><thead><tr><th>Error</th><th class="num">Targets</th></tr></thead><tbody>
${f.errors.map((g) => html`<tr><td><a class="error" href="${query('', { error: g.error })}">${g.error}</a></td><td class="num">${g.count}</td></tr>\n`)}</tbody></table>`
    : html`<p class="muted">No errors in the last scrapes.</p>`;
  const option = (value: string, text: string, selected: boolean) => html`<option value="${value}"${selected ? html` selected` : ''}>${text}</option>`;
  const pager = html`<nav class="pager" aria-label="Pages">
${f.page > 1 ? html`<a href="${link(q, { page: 1 })}">First</a> <a href="${link(q, { page: f.page - 1 })}" rel="prev">Previous</a>` : ''}
<span id="page-info">Page ${f.page} of ${f.pages} (${f.matched} of ${f.total} targets)</span>
${f.page < f.pages ? html`<a href="${link(q, { page: f.page + 1 })}" rel="next">Next</a> <a href="${link(q, { page: f.pages })}">Last</a>` : ''}
</nav>`;
  const body = html`<h1>BMC Exporter</h1>
<p>Prometheus exporter for server BMCs, speaking IPMI natively. Version <span id="version">${version}</span>. <a href="metrics">Exporter metrics</a></p>
<form action="bmc" method="get">
<label for="target">Target</label>
<input type="text" id="target" name="target" placeholder="192.0.2.1:623" required>
<button type="submit">Scrape</button> <span class="muted">answers with the Prometheus text of a new scrape</span>
</form>
<h2>Fleet</h2>
<ul class="counts" id="counts">${counts}<li><a href="?" aria-label="${f.total} targets in all"><strong>${f.total}</strong>all targets</a></li></ul>
${errors}
<h2 id="targets-heading">Targets</h2>
<form class="filters" method="get" action="" role="search" aria-label="Filter targets">
<div class="field"><label for="q">Search address or label</label><input type="search" id="q" name="q" value="${q.search}" placeholder="127.0.0.1 or rack=r12"></div>
<div class="field"><label for="state">Last scrape</label><select id="state" name="state">${option('', 'any', q.state === '')}${FLEET_STATES.map((s) => option(s, STATE_TEXT[s], q.state === s))}</select></div>
<label class="check" for="critical"><input type="checkbox" id="critical" name="critical" value="1"${q.critical ? html` checked` : ''}> has a critical sensor</label>
<label class="check" for="newsel"><input type="checkbox" id="newsel" name="newsel" value="1"${q.newSel ? html` checked` : ''}> has new SEL events</label>
<div class="field"><label for="sort">Sort by</label><select id="sort" name="sort">${Object.entries(SORTS).map(([k, text]) => option(k, text, q.sort === k))}</select></div>
${q.error ? html`<input type="hidden" name="error" value="${q.error}">` : ''}
${q.size !== PAGE_SIZE.default ? html`<input type="hidden" name="size" value="${q.size}">` : ''}
<button type="submit">Apply</button> <a href="?">Clear</a>
</form>
${q.error ? html`<p>Only targets whose last error is <q class="error">${q.error}</q>.</p>` : ''}
${pager}
<table id="targets" aria-labelledby="targets-heading">
<thead><tr><th scope="col">Target</th><th scope="col">State</th><th scope="col">Last scrape</th><th scope="col" class="num">Duration</th><th scope="col" class="num">Commands</th><th scope="col">Worst sensor</th><th scope="col" class="num">New SEL events</th><th scope="col">Last error</th></tr></thead>
<tbody>
${f.rows.length ? f.rows.map((r) => [row(r, facts, now), html`\n`]) : html`<tr><td colspan="8">${f.total ? 'No target matches.' : 'No targets scraped yet.'}</td></tr>`}
</tbody>
</table>
${f.pages > 1 ? pager : ''}`;
  return page('BMC Exporter', body);
}

export function homepageHandler(deps: HttpDeps): Handler {
  return (_req, res, url) => {
    const q = parseFleetQuery(url.searchParams);
    const facts = fleetFacts(deps);
    const body = renderHomepage(deps.version, q, summarizeFleet(fleetEntries(deps), q, facts), facts);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(body);
  };
}
