/** The Prometheus text format's content type, as prom-client and ipmi_exporter answer it. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

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

class Family {
  /** Label text → value; a second set of the same labels replaces the value and keeps its place. */
  readonly samples = new Map<string, number>();
  constructor(readonly help: string) {}
}

/**
 * One scrape's gauges, written straight to the text format: the bytes
 * prom-client's registry writes for the same gauges (families in the order
 * first set, `# HELP`/`# TYPE` each, samples in the order first set, labels
 * in the order given, a blank line between families), NaN spelled as the
 * endpoint spells it. A scrape sets tens of samples; a registry with gauge
 * objects and label hashes built per scrape costs more than the IPMI answers
 * they carry. Values are kept as numbers until text() (the probe reads them).
 */
export class Exposition {
  private readonly families = new Map<string, Family>();

  constructor(private readonly nan: NanSpelling = 'NaN') {}

  /** Set one sample; `labels` in the spec's label names' order. */
  set<L extends string>(spec: GaugeSpec<L>, value: number, labels?: Record<L, string>): void {
    this.setLabelled(spec, labels ? labelText(labels) : '', value);
  }

  /** Set one sample whose label text (labelText()) is already built. */
  setLabelled(spec: GaugeSpec<string>, labels: string, value: number): void {
    let family = this.families.get(spec.name);
    if (!family) this.families.set(spec.name, (family = new Family(spec.help)));
    family.samples.set(labels, value);
  }

  /** A sample's value (label text as labelText() writes it; '' for an unlabelled gauge), undefined when not set. */
  value(name: string, labels = ''): number | undefined {
    return this.families.get(name)?.samples.get(labels);
  }

  /** The families set so far, in order: name → (label text → value). */
  samples(): ReadonlyMap<string, ReadonlyMap<string, number>> {
    const out = new Map<string, ReadonlyMap<string, number>>();
    for (const [name, family] of this.families) out.set(name, family.samples);
    return out;
  }

  /** The answer's body. */
  text(): string {
    let out = '';
    for (const [name, family] of this.families) {
      if (out !== '') out += '\n';
      out += `# HELP ${name} ${helpText(family.help)}\n# TYPE ${name} gauge\n`;
      for (const [labels, value] of family.samples) out += `${name}${labels} ${this.valueText(value)}\n`;
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
