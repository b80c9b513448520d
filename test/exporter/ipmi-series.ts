// Parsing and comparing ipmi_exporter-style exposition text for the
// side-by-side tests: series are keyed by name and full label set (labels
// sorted), values compared with NaN equal to NaN.

export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Every sample line of a text exposition, keyed `name{a="x",b="y"}` with labels in name order. */
export function parseExposition(text: string): Map<string, Series> {
  const out = new Map<string, Series>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const name = m[1]!;
    const value = /^nan$/i.test(m[3]!) ? NaN : Number(m[3]);
    out.set(seriesKey(name, labels), { name, labels, value });
  }
  return out;
}

export function seriesKey(name: string, labels: Record<string, string>): string {
  const ls = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return ls.length ? `${name}{${ls.join(',')}}` : name;
}

export interface Comparison {
  onlyTheirs: string[];
  onlyOurs: string[];
  different: string[];
  equal: string[];
}

/**
 * Compare two scrapes. `ignored` series names are left out on both sides
 * (the documented differences); `tolerance(series)` is how far a value may be
 * off (0: exact).
 */
export function compareSeries(
  theirs: Map<string, Series>,
  ours: Map<string, Series>,
  ignored: ReadonlySet<string>,
  tolerance: (s: Series) => number,
): Comparison {
  const r: Comparison = { onlyTheirs: [], onlyOurs: [], different: [], equal: [] };
  for (const [k, t] of theirs) {
    if (ignored.has(t.name)) continue;
    const o = ours.get(k);
    if (!o) {
      r.onlyTheirs.push(k);
      continue;
    }
    const same = (Number.isNaN(t.value) && Number.isNaN(o.value)) || Math.abs(t.value - o.value) <= tolerance(t);
    (same ? r.equal : r.different).push(same ? k : `${k}: theirs ${t.value}, ours ${o.value}`);
  }
  for (const [k, o] of ours) if (!ignored.has(o.name) && !theirs.has(k)) r.onlyOurs.push(k);
  return r;
}
