import { html, rawHtml, type Html } from './html.js';

/**
 * The console's look: system fonts, colours that keep 4.5:1 contrast or
 * better on their backgrounds (WCAG AA), states written out as well as
 * coloured, a visible focus ring for keyboard users.
 */
const CSS = `
:root { color-scheme: light; --fg: #1f2328; --muted: #57606a; --line: #d0d7de; --link: #0550ae; }
* { box-sizing: border-box; }
body { font-family: system-ui, sans-serif; color: var(--fg); background: #fff; margin: 0; padding: 1rem 2rem 3rem; line-height: 1.4; }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
h1 { font-size: 1.5rem; margin: .5rem 0; } h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
.muted { color: var(--muted); }
table { border-collapse: collapse; margin: .5rem 0; }
caption { text-align: left; padding: .2rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.counts { display: flex; flex-wrap: wrap; gap: .75rem; padding: 0; list-style: none; }
.counts a { display: block; padding: .5rem 1rem; border: 1px solid var(--line); border-radius: 6px; text-decoration: none; color: var(--fg); min-width: 8rem; }
.counts strong { display: block; font-size: 1.4rem; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin: .5rem 0; }
form.filters .field { display: flex; flex-direction: column; font-size: .9rem; }
form.filters label.check { display: flex; align-items: center; gap: .3rem; font-size: .9rem; }
input, select, button { font: inherit; padding: .25rem .4rem; }
button { cursor: pointer; }
.state { display: inline-block; padding: 0 .45rem; border-radius: 4px; font-weight: 600; white-space: nowrap; }
.s-ok, .s-up { background: #dafbe1; color: #0a3622; }
.s-non-critical, .s-partial { background: #fff8c5; color: #4d2d00; }
.s-critical, .s-down { background: #ffebe9; color: #82071e; }
.s-non-recoverable { background: #82071e; color: #fff; }
.s-never, .s-unread, .s-unavailable, .s-discrete { background: #eaeef2; color: #24292f; }
.s-failed { background: #ffebe9; color: #82071e; }
.sev-critical { color: #82071e; font-weight: 600; } .sev-warning { color: #6f4400; font-weight: 600; } .sev-info { color: var(--muted); }
.error { color: #82071e; }
.labels { font-size: .85rem; color: var(--muted); }
nav.pager { display: flex; gap: 1rem; align-items: center; margin: .5rem 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
.skip { position: absolute; left: -9999px; } .skip:focus { left: 1rem; top: .5rem; background: #fff; padding: .3rem; }
`;

/**
 * Progressive enhancement only: the pages work without it. Filters apply
 * as soon as they change, "/" jumps to the search box, and "Scrape now"
 * says it is busy (a scrape can take seconds).
 */
const SCRIPT = `
document.querySelectorAll('form.filters select, form.filters input[type=checkbox]').forEach(function (el) {
  el.addEventListener('change', function () { el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit(); });
});
document.addEventListener('keydown', function (e) {
  var q = document.getElementById('q');
  if (e.key === '/' && q && document.activeElement !== q && !/^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName)) { e.preventDefault(); q.focus(); }
});
var scrape = document.getElementById('scrape-now');
if (scrape) scrape.addEventListener('submit', function () { var b = scrape.querySelector('button'); b.disabled = true; b.textContent = 'Scraping…'; });
`;

/** A whole page around `main`. */
export function page(title: string, main: Html): string {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${rawHtml(CSS)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<main id="main">
${main}
</main>
<script>${rawHtml(SCRIPT)}</script>
</body>
</html>
`.text;
}

/** A state badge: the word and its colour, so colour is never the only cue. */
export function badge(state: string, text: string = state): Html {
  return html`<span class="state s-${state}">${text}</span>`;
}

/** "12 s ago", "3 min ago", ... for a past time; exact time in the title. */
export function ago(at: Date | number | null | undefined, now: number): Html {
  if (!at) return html`<span class="muted">never</span>`;
  const ms = typeof at === 'number' ? at : at.getTime();
  const s = Math.max(0, Math.round((now - ms) / 1000));
  const text =
    s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : s < 172_800 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86_400)} d ago`;
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}" title="${iso}">${text}</time>`;
}

export function seconds(v: number | null | undefined): string {
  return v === null || v === undefined ? '–' : `${v.toFixed(3)} s`;
}
