import type { Target } from '../targets/target.js';
import type { Handler, HttpDeps } from './types.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escape text for element content and quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

interface Row {
  target: string;
  lastScrape: string;
  up: string;
  duration: string;
  error: string;
}

function rowFor(key: string, t: Target | undefined): Row {
  const s = t?.status;
  return {
    target: key,
    lastScrape: s?.lastScrapeAt ? s.lastScrapeAt.toISOString() : 'never',
    up: s?.up === null || s?.up === undefined ? '–' : s.up ? '1' : '0',
    duration: s?.durationSeconds != null ? `${s.durationSeconds.toFixed(3)} s` : '–',
    error: s?.lastError ?? '',
  };
}

/** The rows: targets in the pool (most recently scraped first), then known targets never scraped. */
export function homepageRows(deps: Pick<HttpDeps, 'pool' | 'knownTargets'>): Row[] {
  const rows = deps.pool.targets().map((t) => rowFor(t.key, t));
  const seen = new Set(rows.map((r) => r.target));
  for (const k of deps.knownTargets()) if (!seen.has(k)) rows.push(rowFor(k, undefined));
  return rows;
}

/** Plain server-rendered HTML; every dynamic string is escaped, no credential is ever in scope here. */
export function renderHomepage(version: string, rows: readonly Row[]): string {
  const e = escapeHtml;
  const body = rows.length
    ? rows
        .map(
          (r) =>
            `<tr><td><a href="bmc?target=${encodeURIComponent(r.target)}">${e(r.target)}</a></td><td>${e(r.lastScrape)}</td>` +
            `<td class="up">${e(r.up)}</td><td>${e(r.duration)}</td><td class="error">${e(r.error)}</td></tr>`,
        )
        .join('\n')
    : '<tr><td colspan="5">No targets scraped yet.</td></tr>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>BMC Exporter</title>
<style>
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
.error { color: #a00; }
</style>
</head>
<body>
<h1>BMC Exporter</h1>
<p>Prometheus exporter for server BMCs, speaking IPMI natively. Version <span id="version">${e(version)}</span>.</p>
<form action="bmc" method="get">
<label for="target">Target</label>
<input type="text" id="target" name="target" placeholder="192.0.2.1:623" required>
<button type="submit">Scrape</button>
</form>
<p><a href="metrics">Exporter metrics</a></p>
<h2>Targets</h2>
<table id="targets">
<thead><tr><th>Target</th><th>Last scrape</th><th>Up</th><th>Duration</th><th>Last error</th></tr></thead>
<tbody>
${body}
</tbody>
</table>
</body>
</html>
`;
}

export function homepageHandler(deps: HttpDeps): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(renderHomepage(deps.version, homepageRows(deps)));
  };
}
