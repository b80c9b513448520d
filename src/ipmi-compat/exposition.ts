import type { GaugeSpec } from '../collectors/collector.js';

/** The Prometheus text format's content type, as prom-client and ipmi_exporter answer it. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A label value as the text format writes it: backslash, newline and double quote escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/**
 * `{a="x",b="y"}` for labels in the order given (the spec's label names'
 * order when built from a spec): computed once per sensor list by the
 * collectors that label many samples alike, and passed to setLabelled().
 */
export function labelText(labels: Readonly<Record<string, string>>): string {
  const parts: string[] = [];
  for (const name in labels) parts.push(`${name}="${escapeLabelValue(labels[name] ?? '')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** A sample value as Go's ipmi_exporter writes it (NaN, +Inf, -Inf; prom-client would write "Nan"). */
function valueText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return `${v}`;
}

interface Family {
  help: string;
  /** Label text → value text; a second set of the same labels replaces the value and keeps its place. */
  samples: Map<string, string>;
}

/**
 * One /ipmi answer's gauges, written straight to the text format: the same
 * bytes prom-client's registry would give for these gauges (families in the
 * order first set, `# HELP`/`# TYPE` each, samples in the order first set,
 * a blank line between families), except NaN spelled as ipmi_exporter spells
 * it. A scrape sets a few dozen samples; building gauge objects and their
 * label hashes per scrape costs more than the IPMI answers they carry.
 */
export class Exposition {
  private readonly families = new Map<string, Family>();

  /** Set one sample; `labels` in the spec's label names' order. */
  set<L extends string>(spec: GaugeSpec<L>, value: number, labels?: Record<L, string>): void {
    this.setLabelled(spec, labels ? labelText(labels) : '', value);
  }

  /** Set one sample whose label text (labelText()) is already built. */
  setLabelled(spec: GaugeSpec<string>, labels: string, value: number): void {
    let family = this.families.get(spec.name);
    if (!family) this.families.set(spec.name, (family = { help: spec.help, samples: new Map() }));
    family.samples.set(labels, valueText(value));
  }

  /** The answer's body. */
  text(): string {
    let out = '';
    for (const [name, family] of this.families) {
      if (out !== '') out += '\n';
      out += `# HELP ${name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} gauge\n`;
      for (const [labels, value] of family.samples) out += `${name}${labels} ${value}\n`;
    }
    return out === '' ? '\n' : out;
  }
}
