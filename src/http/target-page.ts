import { parseTargetAddress, type TargetAddress } from '../targets/target-address.js';
import { ScrapeAbandonedError } from '../targets/target.js';
import { ago, badge, page, seconds } from './console-layout.js';
import { html, query, type Html } from './html.js';
import { whileInFlight } from './in-flight.js';
import { ScrapeSignal } from './scrape-signal.js';
import { targetView, type TargetView } from './target-view.js';
import { sendText, type Handler, type HttpDeps } from './types.js';
import { Exposition } from '../metrics/exposition.js';

/** SEL events per page of the console (the exporter keeps RECENT_SEL_CAPACITY of them). */
export const SEL_PAGE_SIZE = 10;

const num = (v: number | null, digits = 2) => (v === null ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(digits));
const yesNo = (v: boolean | null) => (v === null ? '–' : v ? 'yes' : 'no');

function facts(rows: Array<[string, string | number | Html | null]>): Html {
  return html`<dl class="facts">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v ?? '–'}</dd>`)}</dl>`;
}

function thresholdsText(t: Record<string, number | null> | null): string {
  if (!t) return '';
  return Object.entries(t)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k} ${num(v)}`)
    .join(', ');
}

/** One BMC's page. Every value from the view is escaped by `html` (sensor names, firmware, SEL text and errors come from the BMC). */
export function renderTargetPage(v: TargetView, selPage: number, now = Date.now()): string {
  const self = (extra: Record<string, string | number> = {}) => query('target', { target: v.target, ...extra });
  const ls = v.lastScrape;
  const stateText = { up: 'up', partial: 'partial', down: 'down', never: 'never scraped' }[ls.state];
  const selPages = Math.max(1, Math.ceil(v.sel.events.length / SEL_PAGE_SIZE));
  const sp = Math.min(Math.max(1, selPage), selPages);
  const events = v.sel.events.slice((sp - 1) * SEL_PAGE_SIZE, sp * SEL_PAGE_SIZE);
  const body = html`<p><a href="./">← Fleet</a></p>
<h1>BMC <span id="target-name">${v.target}</span></h1>
${
  v.labels
    ? html`<p class="labels">${Object.entries(v.labels)
        .map(([k, val]) => `${k}=${val}`)
        .join(' ')}</p>`
    : ''
}
<form id="scrape-now" method="post" action="${self()}"><button type="submit">Scrape now</button>
<span class="muted">Everything below is what the exporter kept from earlier scrapes; this asks the BMC again.</span></form>
<p>Same data elsewhere: <a href="${query('bmc', { target: v.target })}">Prometheus text</a> (a new scrape) ·
<a href="${self({ format: 'json' })}">JSON</a> (this page's data, no scrape)</p>

<h2 id="last-scrape">Last scrape</h2>
${facts([
  ['State', badge(ls.state, stateText)],
  ['When', ago(ls.at ? Date.parse(ls.at) : null, now)],
  ['Duration', seconds(ls.durationSeconds)],
  ['Transport', ls.transport === 'redfish' ? 'Redfish (HTTPS)' : ls.transport === 'ipmi' ? 'IPMI' : null],
  [ls.transport === 'redfish' ? 'HTTP requests sent' : 'Commands sent', ls.at ? ls.commands : null],
  ['Errors', ls.errors.length ? html`<ul id="errors">${ls.errors.map((e) => html`<li class="error">${e}</li>`)}</ul>` : 'none'],
])}

<h2 id="bmc-info">BMC</h2>
${
  v.bmcInfo
    ? facts([
        ['Firmware', v.bmcInfo.firmware],
        ['GUID', v.bmcInfo.guid || '–'],
        ['IPMI version (device)', v.bmcInfo.ipmiVersion],
        ['Manufacturer id', v.bmcInfo.manufacturerId],
        ['Product id', v.bmcInfo.productId],
        ['Device id, revision', `${v.bmcInfo.deviceId}, ${v.bmcInfo.deviceRevision}`],
      ])
    : html`<p class="muted">Not read yet.</p>`
}

<h2 id="session">Session</h2>
${
  v.session
    ? facts([
        ['IPMI version', v.session.ipmiVersion],
        ['Cipher suite', v.session.cipherSuite ?? '–'],
        ['Authentication (IPMI 1.5)', v.session.authType ?? '–'],
        ['Privilege', v.session.privilege],
        ['Open since', ago(v.session.openedAt ? Date.parse(v.session.openedAt) : null, now)],
      ])
    : html`<p class="muted">No session open.</p>`
}

<h2 id="sensors-heading">Sensors</h2>
<p class="muted">Readings from the scrapes${v.sensorsReadAt ? html`, last read ${ago(Date.parse(v.sensorsReadAt), now)}` : ''}.</p>
${
  v.sensors.length
    ? html`<table id="sensors" aria-labelledby="sensors-heading"><thead><tr><th scope="col">Sensor</th><th scope="col">Type</th><th scope="col" class="num">Reading</th><th scope="col">Unit</th><th scope="col">State</th><th scope="col">Thresholds</th></tr></thead><tbody>
${v.sensors.map(
  (s) =>
    html`<tr><td>${s.name}</td><td>${s.type}</td><td class="num">${num(s.value)}</td><td>${s.unit}</td><td>${badge(s.state)}${s.asserted?.length ? html` <span class="muted">states ${s.asserted.join(', ')}</span>` : ''}</td><td class="muted">${thresholdsText(s.thresholds)}</td></tr>\n`,
)}</tbody></table>`
    : html`<p class="muted">No sensors read yet.</p>`
}

<h2 id="psus-heading">Power supplies</h2>
${
  v.powerSupplies.length
    ? html`<table id="psus" aria-labelledby="psus-heading"><thead><tr><th scope="col">PSU</th><th scope="col">Sensor</th><th scope="col">Present</th><th scope="col">Failed</th><th scope="col">Predictive failure</th><th scope="col">Input lost</th><th scope="col" class="num">Watts</th></tr></thead><tbody>
${v.powerSupplies.map((p) => html`<tr><td>${p.psu}</td><td>${p.sensor}</td><td>${yesNo(p.present)}</td><td>${p.failed ? badge('critical', 'yes') : yesNo(p.failed)}</td><td>${p.predictiveFailure ? badge('non-critical', 'yes') : yesNo(p.predictiveFailure)}</td><td>${p.inputLost ? badge('critical', 'yes') : yesNo(p.inputLost)}</td><td class="num">${num(p.watts)}</td></tr>\n`)}</tbody></table>`
    : html`<p class="muted">None found in the SDR.</p>`
}

<h2 id="fans-heading">Fans</h2>
${
  v.fans.length
    ? html`<table id="fans" aria-labelledby="fans-heading"><thead><tr><th scope="col">Fan</th><th scope="col" class="num">Speed</th><th scope="col">Unit</th><th scope="col">State</th></tr></thead><tbody>
${v.fans.map((f) => html`<tr><td>${f.fan}</td><td class="num">${num(f.value, 0)}</td><td>${f.unit}</td><td>${badge(f.state)}</td></tr>\n`)}</tbody></table>`
    : html`<p class="muted">None found in the SDR.</p>`
}

<h2 id="dcmi">DCMI power</h2>
${
  v.dcmiPower
    ? facts([
        ['Now', `${num(v.dcmiPower.currentWatts)} W`],
        ['Minimum', `${num(v.dcmiPower.minimumWatts)} W`],
        ['Maximum', `${num(v.dcmiPower.maximumWatts)} W`],
        ['Average', `${num(v.dcmiPower.averageWatts)} W`],
        ['Over', `${num(v.dcmiPower.periodSeconds)} s`],
      ])
    : html`<p class="muted">No active DCMI power reading.</p>`
}

<h2 id="sel-heading">System Event Log</h2>
<p class="muted">${v.sel.supported ? `The newest ${v.sel.events.length} records the exporter keeps, newest first; ${v.sel.newEvents} logged while it watched.` : 'This BMC has no SEL.'}</p>
${
  events.length
    ? html`<table id="sel" aria-labelledby="sel-heading"><thead><tr><th scope="col" class="num">Record</th><th scope="col">Time</th><th scope="col">Category</th><th scope="col">Severity</th><th scope="col">Description</th></tr></thead><tbody>
${events.map(
  (e) =>
    html`<tr><td class="num">${e.recordId}</td><td>${e.time ?? html`<span class="muted">BMC clock not set</span>`}${e.fresh ? html` <strong>new</strong>` : ''}</td><td>${e.category}</td><td class="sev-${e.severity}">${e.severity}</td><td>${e.description}</td></tr>\n`,
)}</tbody></table>
${
  selPages > 1
    ? html`<nav class="pager" aria-label="SEL pages">${sp > 1 ? html`<a href="${self({ selpage: sp - 1 })}#sel-heading" rel="prev">Newer</a>` : ''}<span id="sel-page-info">SEL page ${sp} of ${selPages}</span>${sp < selPages ? html`<a href="${self({ selpage: sp + 1 })}#sel-heading" rel="next">Older</a>` : ''}</nav>`
    : ''
}`
    : ''
}`;
  return page(`BMC ${v.target} – BMC Exporter`, body);
}

/** A page for a target the exporter holds nothing about (not scraped since start, or evicted as idle). */
function renderUnknown(key: string): string {
  return page(
    `BMC ${key} – BMC Exporter`,
    html`<p><a href="./">← Fleet</a></p><h1>BMC <span id="target-name">${key}</span></h1>
<p>The exporter holds nothing about this target: it was not scraped since the exporter started, or it was idle long enough to be forgotten.</p>
<form id="scrape-now" method="post" action="${query('target', { target: key })}"><button type="submit">Scrape now</button></form>`,
  );
}

/**
 * GET /target?target=X: one BMC as the exporter knows it, no command sent
 * (format=json: the same as JSON; selpage=N pages the SEL). POST: scrape it
 * now (same credentials check and timeout as /bmc), then 303 back to the
 * page, so it works as a plain form without JavaScript.
 */
export function targetPageHandler(deps: HttpDeps, inFlight: Set<Promise<void>>): Handler {
  return async (req, res, url) => {
    const values = url.searchParams.getAll('target');
    const raw = values[0]?.trim() ?? '';
    if (values.length !== 1 || raw === '') return sendText(res, 400, "give exactly one 'target' parameter, e.g. /target?target=192.0.2.1:623");
    let address: TargetAddress;
    try {
      address = parseTargetAddress(raw);
    } catch (err) {
      return sendText(res, 400, `bad 'target' parameter: ${(err as Error).message}`);
    }
    if (req.method === 'POST') return scrapeNow(deps, inFlight, address, raw, res);
    const target = deps.pool.peek(address.key);
    if (url.searchParams.get('format') === 'json') {
      if (!target) return sendText(res, 404, `the exporter holds nothing about ${address.key}`);
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      return void res.end(`${JSON.stringify(targetView(target, deps.labelsOf?.(address.key)), null, 1)}\n`);
    }
    const selPage = Number(url.searchParams.get('selpage') ?? '1');
    res.writeHead(target ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(target ? renderTargetPage(targetView(target, deps.labelsOf?.(address.key)), Number.isInteger(selPage) ? selPage : 1) : renderUnknown(address.key));
  };
}

async function scrapeNow(deps: HttpDeps, inFlight: Set<Promise<void>>, address: TargetAddress, raw: string, res: Parameters<Handler>[1]): Promise<void> {
  const acquired = deps.pool.acquire(address, raw);
  if ('missing' in acquired) return sendText(res, 403, `no credentials for target "${address.key}" in the secrets file; nothing was sent to it`);
  const deadlineMs = deps.scrapeTimeoutMs;
  const scrapeSignal = new ScrapeSignal(res, deadlineMs);
  try {
    await whileInFlight(inFlight, acquired.target.scrape(scrapeSignal.signal, new Exposition(), performance.now() + deadlineMs));
  } catch (err) {
    if (err instanceof ScrapeAbandonedError) return sendText(res, 503, err.message);
    throw err;
  } finally {
    scrapeSignal.dispose();
  }
  if (res.headersSent || res.destroyed) return;
  res.writeHead(303, { Location: query('target', { target: address.key }), 'Cache-Control': 'no-store' });
  res.end();
}
