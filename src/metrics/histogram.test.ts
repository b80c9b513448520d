import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LabelledHistogram } from './histogram.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Values on a bound, between bounds, above every bound, zero, and sums that do not add up exactly in binary. */
const VALUES = [0.0005, 0.0003, 0.0011, 0.1, 0.1, 0.2, 7, 0, 0.0024999, 5, 0.30000000000000004, 1e-9];

/** The same observations into a prom-client Histogram and a LabelledHistogram, each in a registry of its own. */
async function both(
  labelNames: string[],
  observe: (h: { observe(...a: unknown[]): void; series?: (l: Record<string, string>) => { observe(v: number): void } }) => void,
  zeroed: Record<string, string>[] = [],
) {
  const theirs = new Registry();
  const ours = new Registry();
  const ph = new Histogram({ name: 'x_seconds', help: 'A help \\ text.', labelNames, buckets: BUCKETS, registers: [theirs] });
  const oh = new LabelledHistogram('x_seconds', 'A help \\ text.', labelNames, BUCKETS, ours);
  for (const z of zeroed) {
    ph.zero(z);
    oh.zero(z);
  }
  observe(ph as never);
  observe(oh as never);
  return { theirs, ours };
}

describe('LabelledHistogram', () => {
  it('renders in the registry exactly as a prom-client Histogram with the same observations (labelled, zeroed series first)', async () => {
    const { theirs, ours } = await both(
      ['command'],
      (h) => {
        VALUES.forEach((v, i) => h.observe({ command: i % 3 === 0 ? 'Get Sensor Reading' : i % 3 === 1 ? 'Get "odd"\nname' : 'Get SEL Info' }, v));
      },
      [{ command: 'Get SEL Info' }],
    );
    expect(await ours.metrics()).toBe(await theirs.metrics());
    const text = await ours.metrics();
    // The zeroed series keeps its first place; label values escaped as prom-client escapes them.
    expect(text.indexOf('command="Get SEL Info"')).toBeLessThan(text.indexOf('command="Get Sensor Reading"'));
    expect(text).toContain('x_seconds_count{command="Get \\"odd\\"\\nname"} 4\n');
    expect(await ours.getMetricsAsJSON()).toEqual(JSON.parse(JSON.stringify(await theirs.getMetricsAsJSON())));
  });

  it('a bound series observes as observe(labels, v) does', async () => {
    const { theirs, ours } = await both(['command'], (h) => {
      const bound = h.series?.({ command: 'Get Device ID' });
      for (const v of VALUES) {
        if (bound) bound.observe(v);
        else h.observe({ command: 'Get Device ID' }, v);
      }
    });
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain('x_seconds_count{command="Get Device ID"} 12');
  });

  it('without labels: the series exists at zero from the start, and observe(v) counts into it', async () => {
    const idle = await both([], () => undefined);
    expect(await idle.ours.metrics()).toBe(await idle.theirs.metrics());
    const { theirs, ours } = await both([], (h) => {
      for (const v of VALUES) h.observe(v);
    });
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('refuses a value that is not a finite number, as prom-client does', () => {
    const h = new LabelledHistogram('y_seconds', 'y', ['command']);
    expect(() => h.observe({ command: 'a' }, Number.NaN)).toThrow(TypeError);
    expect(() => h.series({ command: 'a' }).observe(Infinity)).toThrow(TypeError);
    expect(h.series({ command: 'a' }).count).toBe(0);
  });
});
