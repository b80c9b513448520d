import type { Metric, Registry } from 'prom-client';

/** One line's worth of what prom-client's registry renders. */
interface Sample {
  labels: Record<string, string | number>;
  sharedLabels?: Readonly<Record<string, string>>;
  value: number;
  metricName: string;
  /** Buckets only: prom-client's field for OpenMetrics exemplars, always null here. */
  exemplar?: null;
}

/** A family as prom-client's registry reads it (getForPromString(), get()). */
interface FamilyData {
  name: string;
  help: string;
  type: 'histogram';
  values: Sample[];
  aggregator: 'sum';
}

/** prom-client's default buckets, for a histogram that names none. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One label set's buckets, sum and count; observe() allocates nothing. */
export class HistogramSeries {
  /** Observations per bucket (not cumulative), one slot per upper bound. */
  private readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    /** The label set as given first (prom-client writes its keys in this order). */
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        this.counts[i]!++;
        break;
      }
    }
    this.sum += value;
    this.count += 1;
  }

  /** Cumulative count at bucket `i`. */
  cumulative(i: number): number {
    let n = 0;
    for (let j = 0; j <= i; j++) n += this.counts[j]!;
    return n;
  }
}

/**
 * A histogram in a prom-client Registry whose hot path is ours: series(labels)
 * binds one label set once (the client hooks keep one per command name), and
 * its observe() is a bucket search and three additions, where prom-client's
 * observe(labels, v) validates and hashes the labels and allocates on every
 * call. The registry writes it exactly as it writes a prom-client Histogram
 * of the same name, help, labels and buckets (same series order, `le` first,
 * same sums): exporter-metrics.test.ts and histogram.test.ts compare.
 */
export class LabelledHistogram<L extends string = string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly upperBounds: readonly number[];
  private readonly byKey = new Map<string, HistogramSeries>();
  /** The one series of a histogram without labels. */
  private unlabelled: HistogramSeries | undefined;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
    buckets: readonly number[] = DEFAULT_BUCKETS,
    registry?: Registry,
  ) {
    this.upperBounds = [...buckets];
    // Without labels the one series exists from the start, as prom-client's does.
    if (labelNames.length === 0) this.unlabelled = this.series({} as Record<L, string>);
    registry?.registerMetric(this as unknown as Metric);
  }

  /** The series of `labels`, made on first use; keep it to observe without a lookup. */
  series(labels: Record<L, string>): HistogramSeries {
    const key = this.keyOf(labels);
    let s = this.byKey.get(key);
    if (!s) this.byKey.set(key, (s = new HistogramSeries(labels, this.upperBounds)));
    return s;
  }

  observe(value: number): void;
  observe(labels: Record<L, string>, value: number): void;
  observe(labelsOrValue: Record<L, string> | number, value?: number): void {
    if (typeof labelsOrValue === 'number') (this.unlabelled ??= this.series({} as Record<L, string>)).observe(labelsOrValue);
    else this.series(labelsOrValue).observe(value!);
  }

  /** A series at zero (replacing any counts it had), so rate() has a first sample. */
  zero(labels: Record<L, string>): void {
    const key = this.keyOf(labels);
    const s = new HistogramSeries(labels, this.upperBounds);
    this.byKey.set(key, s);
    if (this.labelNames.length === 0) this.unlabelled = s;
  }

  reset(): void {
    this.byKey.clear();
    this.unlabelled = undefined;
  }

  /** What prom-client's registry renders: buckets (`le` in labels, the series' labels shared), +Inf, _sum, _count per series. */
  getForPromString(): FamilyData {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.byKey.values()) {
      for (let i = 0; i < this.upperBounds.length; i++) {
        values.push({ labels: { le: this.upperBounds[i]! }, sharedLabels: s.labels, value: s.cumulative(i), metricName: bucket, exemplar: null });
      }
      values.push({ labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: bucket, exemplar: null });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** The JSON form (getMetricsAsJSON): each value's labels with the series' labels merged in. */
  get(): FamilyData {
    const data = this.getForPromString();
    data.values = data.values.map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } }));
    return data;
  }

  /** The label values in label-name order; an absent label is not an empty one. */
  private keyOf(labels: Record<L, string>): string {
    let key = '';
    for (const n of this.labelNames) key += labels[n] === undefined ? '\u0001' : `${labels[n]}\u0000`;
    return key;
  }
}
