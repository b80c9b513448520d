import { UdpTransport } from '@bmc-exporter/ipmi';
import { Gauge, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ALL_COLLECTORS } from '../collectors/index.js';
import { parseTargetAddress } from '../targets/target-address.js';
import { Target } from '../targets/target.js';
import { SIM_USER, startSimTarget, type SimTarget } from '../testing/sim-target.js';
import { ExporterMetrics } from './exporter-metrics.js';
import { EXPOSITION_CONTENT_TYPE, Exposition, labelText, type GaugeSpec } from './exposition.js';
import { HealthTracker } from './health.js';

const TEMP: GaugeSpec<'id' | 'name'> = { name: 'ipmi_temperature_celsius', help: 'Temperature reading in degree Celsius.', labelNames: ['id', 'name'] };
const UP: GaugeSpec<'collector'> = { name: 'ipmi_up', help: "'1' if a scrape of the IPMI device was successful, '0' otherwise.", labelNames: ['collector'] };
const PLAIN: GaugeSpec = { name: 'ipmi_sel_logs_count', help: 'Current number of log entries in \\ the SEL.\nSecond line.' };

type Step = [GaugeSpec<string>, number, Record<string, string>?];

/** One sample set the prom-client way: the gauge made in the registry on first use, then set. */
function promSet(registry: Registry, [spec, value, labels]: Step): void {
  let g = registry.getSingleMetric(spec.name) as Gauge<string> | undefined;
  if (!g) g = new Gauge({ name: spec.name, help: spec.help, labelNames: spec.labelNames ?? [], registers: [registry] });
  if (labels) g.set(labels, value);
  else g.set(value);
}

/** The same gauges through prom-client's registry and through Exposition. */
async function both(steps: Step[], nan: 'NaN' | 'Nan' = 'NaN'): Promise<{ prom: string; ours: string }> {
  const registry = new Registry();
  const out = new Exposition(nan);
  for (const step of steps) {
    promSet(registry, step);
    out.set(step[0], step[1], step[2]);
  }
  return { prom: await registry.metrics(), ours: out.text() };
}

const MIXED: Step[] = [
  [TEMP, 45, { id: '2', name: 'CPU1 Temp' }],
  [PLAIN, 6],
  [TEMP, Number.NaN, { id: '3', name: 'odd "name" with \\ and\nnewline' }],
  [UP, 1, { collector: 'ipmi' }],
  [UP, 0, { collector: 'dcmi' }],
  // Set again: the value is replaced, the sample keeps its place.
  [TEMP, 46.5, { id: '2', name: 'CPU1 Temp' }],
  [PLAIN, Infinity],
  [UP, -Infinity, { collector: 'sel' }],
  [{ name: 'ipmi_scrape_duration_seconds', help: 'Returns how long the scrape took to complete in seconds.' }, 0.028332905999999866],
  [UP, 1e-7, { collector: 'tiny' }],
  [UP, 1.5e21, { collector: 'huge' }],
];

/** Records every sample a scrape sets, so the same scrape can be replayed into prom-client. */
class Recording extends Exposition {
  readonly steps: Step[] = [];
  override set<L extends string>(spec: GaugeSpec<L>, value: number, labels?: Record<L, string>): void {
    this.steps.push([spec as GaugeSpec<string>, value, labels]);
    super.set(spec, value, labels);
  }
  override setLabelled(spec: GaugeSpec<string>, labels: string, value: number): void {
    this.steps.push([spec, value, labels === '' ? undefined : parseLabels(labels)]);
    super.setLabelled(spec, labels, value);
  }
  override setFamily(spec: GaugeSpec<string>, labels: readonly string[], values: readonly number[], omitNaN = false): void {
    labels.forEach((l, i) => {
      if (!(omitNaN && Number.isNaN(values[i]!))) this.steps.push([spec, values[i]!, l === '' ? undefined : parseLabels(l)]);
    });
    super.setFamily(spec, labels, values, omitNaN);
  }
}

/** Label text back into labels, in order: `{a="x\\"y"}` → { a: 'x"y' }. */
function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, name, value] of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
    out[name!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return out;
}

let sim: SimTarget | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('Exposition', () => {
  it("writes what prom-client's registry writes for the same gauges, with NaN spelled as Go spells it", async () => {
    const { prom, ours } = await both(MIXED);
    expect(prom).toContain(' Nan\n');
    expect(ours).toBe(prom.replace(/ Nan$/gm, ' NaN'));
    expect(ours).toContain('ipmi_temperature_celsius{id="3",name="odd \\"name\\" with \\\\ and\\nnewline"} NaN\n');
    expect(ours).toContain('ipmi_temperature_celsius{id="2",name="CPU1 Temp"} 46.5\n');
    expect(ours).toContain('# HELP ipmi_sel_logs_count Current number of log entries in \\\\ the SEL.\\nSecond line.\n');
    expect(EXPOSITION_CONTENT_TYPE).toBe(new Registry().contentType);
  });

  it("with prom-client's NaN spelling (/bmc), writes prom-client's bytes exactly", async () => {
    const { prom, ours } = await both(MIXED, 'Nan');
    expect(ours).toBe(prom);
  });

  it('replaces a value set again in a family of many samples (indexed) as in a small one (scanned), interleaved with other families', async () => {
    const steps: Step[] = [];
    for (let i = 0; i < 30; i++) {
      steps.push([TEMP, i, { id: String(i), name: `T${i}` }]);
      if (i % 7 === 0) steps.push([UP, i, { collector: `c${i % 3}` }]);
    }
    for (const i of [0, 5, 8, 9, 29]) steps.push([TEMP, 100 + i, { id: String(i), name: `T${i}` }]);
    steps.push([UP, -1, { collector: 'c0' }]);
    const { prom, ours } = await both(steps, 'Nan');
    expect(ours).toBe(prom);
    const out = new Exposition();
    for (const [spec, value, labels] of steps) out.set(spec, value, labels);
    expect(out.value(TEMP.name, labelText({ id: '9', name: 'T9' }))).toBe(109);
    expect(out.value(TEMP.name, labelText({ id: '10', name: 'T10' }))).toBe(10);
    expect(out.value(UP.name, labelText({ collector: 'c0' }))).toBe(-1);
    expect([...out.samples().get(TEMP.name)!.keys()]).toHaveLength(30);
  });

  it('sets a whole family (setFamily) as sample-by-sample sets would: NaN left out when asked, a family already set updated in place', () => {
    const labels = Array.from({ length: 20 }, (_, i) => labelText({ id: String(i), name: `T${i}` }));
    const values = labels.map((_, i) => (i % 4 === 1 ? Number.NaN : i * 1.5));
    const one = new Exposition();
    const whole = new Exposition();
    one.set(PLAIN, 1);
    whole.set(PLAIN, 1);
    labels.forEach((l, i) => {
      if (!Number.isNaN(values[i]!)) one.setLabelled(TEMP, l, values[i]!);
    });
    whole.setFamily(TEMP, labels, values, true);
    labels.forEach((l, i) => one.setLabelled(UP, l, values[i]!));
    whole.setFamily(UP, labels, values);
    expect(whole.text()).toBe(one.text());
    expect(whole.text()).toContain('ipmi_up{id="1",name="T1"} NaN\n');
    expect(whole.text()).not.toContain('ipmi_temperature_celsius{id="1",name="T1"}');
    // Set again in the same scrape: values replaced in place, new labels appended, never a second family or sample.
    const again = values.map((v) => v + 100);
    whole.setFamily(TEMP, [...labels, labelText({ id: '20', name: 'T20' })], [...again, 7], true);
    labels.forEach((l, i) => {
      if (!Number.isNaN(again[i]!)) one.setLabelled(TEMP, l, again[i]!);
    });
    one.setLabelled(TEMP, labelText({ id: '20', name: 'T20' }), 7);
    expect(whole.text()).toBe(one.text());
    expect(whole.value(TEMP.name, labels[2])).toBe(103);
    expect([...whole.samples().get(TEMP.name)!.keys()]).toHaveLength(16);
  });

  it('answers an empty body as prom-client does when nothing was set', async () => {
    const { prom, ours } = await both([]);
    expect(ours).toBe(prom);
  });

  it('takes prebuilt label text (setLabelled) as the same samples as labels, and reads values back', () => {
    const a = new Exposition();
    const b = new Exposition();
    a.set(TEMP, 45, { id: '2', name: 'x"y' });
    b.setLabelled(TEMP, labelText({ id: '2', name: 'x"y' }), 45);
    expect(b.text()).toBe(a.text());
    expect(labelText({})).toBe('');
    expect(parseLabels(labelText({ id: '2', name: 'odd "name" with \\ and\nnewline' }))).toEqual({ id: '2', name: 'odd "name" with \\ and\nnewline' });
    expect(a.value(TEMP.name, '{id="2",name="x\\"y"}')).toBe(45);
    expect(a.value(TEMP.name)).toBeUndefined();
    expect(a.value('absent')).toBeUndefined();
  });

  it("a whole /bmc scrape (every collector, opt-in ones too, of a simulated BMC) reads as prom-client's registry would write it", async () => {
    sim = await startSimTarget('gpu-server');
    const transport = new UdpTransport();
    const target = new Target({
      address: parseTargetAddress(sim.target),
      credentials: { ...SIM_USER },
      transport,
      metrics: new ExporterMetrics({ version: 'v', commit: 'c', health: new HealthTracker(), processMetrics: false }),
      health: new HealthTracker(),
      collectors: ALL_COLLECTORS,
    });
    const scrapes: Recording[] = [];
    try {
      // The cold scrape walks the SDR, the warm one reads from the caches: both answers are compared.
      for (let i = 0; i < 2; i++) {
        const out = new Recording('Nan');
        await target.scrape(AbortSignal.timeout(20_000), out);
        scrapes.push(out);
      }
    } finally {
      await target.close();
      await transport.close();
    }
    for (const out of scrapes) {
      expect(out.value('bmc_up')).toBe(1);
      // Every family of the default set and of the opt-in sensors collector, labelled ones among them.
      const families = [...out.samples().keys()];
      for (const name of ['bmc_info', 'chassis_powered_on', 'fan_speed_rpm', 'sensor_threshold_state', 'sensor_value', 'sel_events', 'bmc_up']) {
        expect(families).toContain(name);
      }
      const registry = new Registry();
      for (const step of out.steps) promSet(registry, step);
      expect(out.text()).toBe(await registry.metrics());
    }
  });
});
