/** The Prometheus text format's content type, as prom-client and ipmi_exporter answer it. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** The headers of every answer in the text format (/bmc, /ipmi; the benches' stand-ins answer with them too): one object, never written to. */
export const EXPOSITION_HEADERS = Object.freeze({ 'Content-Type': EXPOSITION_CONTENT_TYPE, 'Cache-Control': 'no-store' });

/** One gauge family of a scrape's answer: its name, help text and label names (in the order samples write them). */
export interface GaugeSpec<L extends string = never> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

/**
 * How NaN is written: Go's spelling (ipmi_exporter's answers, /ipmi) or
 * prom-client's "Nan" (/bmc, whose answers prom-client's registry wrote;
 * Prometheus reads either).
 */
export type NanSpelling = 'NaN' | 'Nan';

const NEEDS_ESCAPE = /[\\\n"]/;

/** A label value as the text format writes it: backslash, newline and double quote escaped. */
export function escapeLabelValue(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/**
 * `{a="x",b="y"}` for labels in the order given (the spec's label names'
 * order when built from a spec): computed once per sensor list by the
 * collectors that label many samples alike, and passed to setLabelled().
 */
export function labelText(labels: Readonly<Record<string, string>>): string {
  let out = '';
  for (const name in labels) out += `${out === '' ? '{' : ','}${name}="${escapeLabelValue(labels[name] ?? '')}"`;
  return out === '' ? '' : `${out}}`;
}

function helpText(help: string): string {
  return help.includes('\\') || help.includes('\n') ? help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : help;
}

/** `# HELP` and `# TYPE` of a family, by its spec: written once per spec (specs are module constants), not on every scrape. */
const HEADERS = new WeakMap<GaugeSpec<string>, string>();

function headerOf(spec: GaugeSpec<string>): string {
  let header = HEADERS.get(spec);
  if (header === undefined) HEADERS.set(spec, (header = `# HELP ${spec.name} ${helpText(spec.help)}\n# TYPE ${spec.name} gauge\n`));
  return header;
}

/** Families with more samples than this index their label texts in a Map; smaller ones are scanned. */
const SCAN_LIMIT = 8;

/**
 * One gauge family of a scrape: its samples as two arrays in the order first
 * set. A second set of the same label text replaces the value and keeps its
 * place: found by a scan while the family is small (most are), by an index
 * made when it grows past SCAN_LIMIT. The arrays are made with `new Array`,
 * not `[]`: V8 tracks literals' allocation sites, and one whose objects
 * mostly outlive a scavenge (as a scrape's families do, alive from the
 * first collector to text()) is switched to allocating in the old
 * generation, where they then die as garbage for mark-sweeps to collect
 * (measured with the exporter-layer bench: 0.4 instead of 0.1 mark-sweeps
 * per 1,000 scrapes, and three times the GC time).
 */
class Family {
  readonly labels: string[] = new Array<string>();
  readonly values: number[] = new Array<number>();
  private index: Map<string, number> | undefined;

  constructor(readonly spec: GaugeSpec<string>) {}

  indexOf(labels: string): number {
    if (this.index) return this.index.get(labels) ?? -1;
    const all = this.labels;
    for (let i = 0; i < all.length; i++) if (all[i] === labels) return i;
    return -1;
  }

  set(labels: string, value: number): void {
    const i = this.indexOf(labels);
    if (i >= 0) {
      this.values[i] = value;
      return;
    }
    const n = this.labels.push(labels);
    this.values.push(value);
    if (this.index) this.index.set(labels, n - 1);
    else if (n > SCAN_LIMIT) this.index = new Map(this.labels.map((l, j) => [l, j]));
  }

  /** Appends samples to a family that has none: `labels` distinct, so no lookup; NaN values left out when `omitNaN`. */
  fill(labels: readonly string[], values: readonly number[], omitNaN: boolean): void {
    for (let i = 0; i < labels.length; i++) {
      const v = values[i]!;
      if (omitNaN && Number.isNaN(v)) continue;
      this.labels.push(labels[i]!);
      this.values.push(v);
    }
  }
}

/**
 * One scrape's gauges, written straight to the text format: the bytes
 * prom-client's registry writes for the same gauges (families in the order
 * first set, `# HELP`/`# TYPE` each, samples in the order first set, labels
 * in the order given, a blank line between families), NaN spelled as the
 * endpoint spells it. A scrape sets tens of samples; a registry with gauge
 * objects and label hashes built per scrape costs more than the IPMI answers
 * they carry. Values are kept as numbers until text() (the probe reads them).
 * Families are an array looked up by name (collectors set a family's samples
 * one after the other, so the last family set is tried first): a scrape's
 * few dozen families cost no Map.
 */
export class Exposition {
  private readonly families: Family[] = new Array<Family>();
  private last: Family | undefined;

  constructor(private readonly nan: NanSpelling = 'NaN') {}

  /** Set one sample; `labels` in the spec's label names' order. */
  set<L extends string>(spec: GaugeSpec<L>, value: number, labels?: Record<L, string>): void {
    this.setLabelled(spec, labels ? labelText(labels) : '', value);
  }

  /** Set one sample whose label text (labelText()) is already built. */
  setLabelled(spec: GaugeSpec<string>, labels: string, value: number): void {
    this.put(spec, labels, value);
  }

  private put(spec: GaugeSpec<string>, labels: string, value: number): void {
    let family = this.last;
    if (family === undefined || family.spec.name !== spec.name) {
      family = this.family(spec.name);
      if (family === undefined) this.families.push((family = new Family(spec)));
      this.last = family;
    }
    family.set(labels, value);
  }

  /**
   * A whole family in one step, `labels[i]` set to `values[i]` (NaN values
   * left out when `omitNaN`), for a collector that writes the same many
   * series every scrape: when the scrape has not set the family yet, the
   * samples are appended with no lookup each (so `labels` must not repeat a
   * label text); when it has, they are set one by one as setLabelled does.
   */
  setFamily(spec: GaugeSpec<string>, labels: readonly string[], values: readonly number[], omitNaN = false): void {
    const existing = this.family(spec.name);
    // A family with no sample is not written at all, as when nothing was set.
    if (existing === undefined && labels.length > 0 && (!omitNaN || values.some((v) => !Number.isNaN(v)))) {
      const family = new Family(spec);
      this.families.push(family);
      this.last = family;
      family.fill(labels, values, omitNaN);
      return;
    }
    for (let i = 0; i < labels.length; i++) {
      const v = values[i]!;
      if (!(omitNaN && Number.isNaN(v))) this.put(spec, labels[i]!, v);
    }
  }

  private family(name: string): Family | undefined {
    for (const f of this.families) if (f.spec.name === name) return f;
    return undefined;
  }

  /** A sample's value (label text as labelText() writes it; '' for an unlabelled gauge), undefined when not set. */
  value(name: string, labels = ''): number | undefined {
    const family = this.family(name);
    if (family === undefined) return undefined;
    const i = family.indexOf(labels);
    return i < 0 ? undefined : family.values[i];
  }

  /** The families set so far, in order: name → (label text → value). */
  samples(): ReadonlyMap<string, ReadonlyMap<string, number>> {
    const out = new Map<string, ReadonlyMap<string, number>>();
    for (const f of this.families) out.set(f.spec.name, new Map(f.labels.map((l, i) => [l, f.values[i]!])));
    return out;
  }

  /**
   * The answer's body: per family its cached header, then one line per
   * sample. (Array.join over the pieces measured slower than appending.)
   */
  text(): string {
    let out = '';
    for (const f of this.families) {
      if (out !== '') out += '\n';
      out += headerOf(f.spec);
      const name = f.spec.name;
      const { labels, values } = f;
      for (let i = 0; i < labels.length; i++) out += `${name}${labels[i]} ${this.valueText(values[i]!)}\n`;
    }
    return out === '' ? '\n' : out;
  }

  private valueText(v: number): string {
    if (Number.isNaN(v)) return this.nan;
    if (v === Infinity) return '+Inf';
    if (v === -Infinity) return '-Inf';
    return `${v}`;
  }
}
