import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { setGauge, type GaugeSpec } from '../collectors/collector.js';
import { EXPOSITION_CONTENT_TYPE, Exposition, labelText } from './exposition.js';

const TEMP: GaugeSpec<'id' | 'name'> = { name: 'ipmi_temperature_celsius', help: 'Temperature reading in degree Celsius.', labelNames: ['id', 'name'] };
const UP: GaugeSpec<'collector'> = { name: 'ipmi_up', help: "'1' if a scrape of the IPMI device was successful, '0' otherwise.", labelNames: ['collector'] };
const PLAIN: GaugeSpec = { name: 'ipmi_sel_logs_count', help: 'Current number of log entries in \\ the SEL.\nSecond line.' };

type Step = [GaugeSpec<string>, number, Record<string, string>?];

/** The same gauges through prom-client's registry (what /ipmi answered with before) and through Exposition. */
async function both(steps: Step[]): Promise<{ prom: string; ours: string }> {
  const registry = new Registry();
  const out = new Exposition();
  for (const [spec, value, labels] of steps) {
    setGauge(registry, spec, value, labels);
    out.set(spec, value, labels);
  }
  return { prom: await registry.metrics(), ours: out.text() };
}

describe('Exposition', () => {
  it("writes what prom-client's registry writes for the same gauges, with NaN spelled as Go spells it", async () => {
    const { prom, ours } = await both([
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
    ]);
    expect(prom).toContain(' Nan\n');
    expect(ours).toBe(prom.replace(/ Nan$/gm, ' NaN'));
    expect(ours).toContain('ipmi_temperature_celsius{id="3",name="odd \\"name\\" with \\\\ and\\nnewline"} NaN\n');
    expect(ours).toContain('ipmi_temperature_celsius{id="2",name="CPU1 Temp"} 46.5\n');
    expect(ours).toContain('# HELP ipmi_sel_logs_count Current number of log entries in \\\\ the SEL.\\nSecond line.\n');
    expect(EXPOSITION_CONTENT_TYPE).toBe(new Registry().contentType);
  });

  it('answers an empty body as prom-client does when nothing was set', async () => {
    const { prom, ours } = await both([]);
    expect(ours).toBe(prom);
  });

  it('takes prebuilt label text (setLabelled) as the same samples as labels', () => {
    const a = new Exposition();
    const b = new Exposition();
    a.set(TEMP, 45, { id: '2', name: 'x"y' });
    b.setLabelled(TEMP, labelText({ id: '2', name: 'x"y' }), 45);
    expect(b.text()).toBe(a.text());
    expect(labelText({})).toBe('');
  });
});
