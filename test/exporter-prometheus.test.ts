// End to end with a real Prometheus server (Debian package "prometheus"):
// started with THE README's scrape_config and relabelling (only the
// exporter's address and the targets swapped in), scraping the exporter (the
// CLI) for four simulated BMCs. Prometheus' HTTP API must show bmc_up 1 per
// instance, instance = the target, and the power and CPU temperature values
// the BMCs hold. A missing prometheus/promtool fails the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, tempDir, type CliProcess, type TempDir } from './exporter/cli.js';
import { expectedServer2s, startTestFleet, type TestFleet } from './exporter/fleet.js';
import {
  jobFor,
  promtoolCheck,
  readmeScrapeConfig,
  startPrometheus,
  writePrometheusConfig,
  type PrometheusServer,
  type ScrapeConfig,
} from './exporter/prometheus.js';

const COUNT = 4;
let fleet: TestFleet;
let dir: TempDir;
let exporter: CliProcess;
let prom: PrometheusServer | undefined;
let job: ScrapeConfig;

beforeAll(async () => {
  fleet = await startTestFleet({ count: COUNT, profile: 'server-2s', baseAddress: '127.6.1.1', seed: 61 });
  dir = await tempDir('bmc-exporter-e2e-');
  const secrets = await dir.write('secrets.yml', fleet.fleet.secrets());
  exporter = await startCli(['--web.listen-address', '127.0.0.1:0', '--secrets.static', secrets]);
});

afterAll(async () => {
  if (prom) expect(await prom.stop()).toBe(0);
  await exporter?.stop();
  await fleet?.close();
  await dir?.remove();
});

describe('the README scrape_config', () => {
  it('is the bmc_exporter one: metrics_path /bmc, __address__ → target param → instance, exporter at localhost:9622', () => {
    const { job: readme } = readmeScrapeConfig();
    expect(readme.metrics_path).toBe('/bmc');
    const rules = readme.relabel_configs ?? [];
    expect(rules).toContainEqual(expect.objectContaining({ source_labels: ['__address__'], target_label: '__param_target' }));
    expect(rules).toContainEqual(expect.objectContaining({ source_labels: ['__param_target'], target_label: 'instance' }));
    expect(rules).toContainEqual(expect.objectContaining({ target_label: '__address__', replacement: 'localhost:9622' }));
    // Order matters: the target is copied out of __address__ before __address__ is overwritten.
    const i = rules.findIndex((r) => r['target_label'] === '__param_target');
    const j = rules.findIndex((r) => r['target_label'] === '__address__');
    expect(i).toBeLessThan(j);
  });

  it('passes promtool check config, as written and with our exporter and targets', async () => {
    const { job: readme } = readmeScrapeConfig();
    const asWritten = promtoolCheck(await writePrometheusConfig(dir, readme));
    expect(asWritten.status, asWritten.output).toBe(0);
    job = jobFor(readme, new URL(exporter.url).host, fleet.targets);
    const ours = promtoolCheck(await writePrometheusConfig(dir, job));
    expect(ours.status, ours.output).toBe(0);
    expect(ours.output).toMatch(/SUCCESS/);
  });
});

describe('Prometheus scraping the exporter', () => {
  it('has bmc_up 1 per instance (= target) and the power and CPU temperatures the BMCs hold', async () => {
    job ??= jobFor(readmeScrapeConfig().job, new URL(exporter.url).host, fleet.targets);
    prom = await startPrometheus(job);
    const t0 = performance.now();
    // Wait until every target has been scraped with everything in it.
    let up: Awaited<ReturnType<PrometheusServer['query']>> = [];
    for (;;) {
      up = await prom.query('bmc_up == 1');
      const power = await prom.query('power_draw_watts');
      const temps = await prom.query('processor_temperature_celsius');
      if (up.length === COUNT && power.length === 2 * COUNT && temps.length === 2 * COUNT) break;
      if (performance.now() - t0 > 20_000) {
        throw new Error(
          `after 20 s: up=${JSON.stringify(up)} power=${power.length} temps=${temps.length}\nprometheus log:\n${prom.log()}\nexporter log:\n${exporter.stderr()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(up.map((s) => s.metric['instance']).sort()).toEqual([...fleet.targets].sort());
    for (const s of up) expect(s.metric['job']).toBe('bmc');

    // Prometheus' own view of the scrape: every target healthy.
    const targets = (await (await fetch(`${prom.url}/api/v1/targets`)).json()) as {
      data: { activeTargets: Array<{ health: string; labels: Record<string, string>; scrapeUrl: string }> };
    };
    expect(targets.data.activeTargets).toHaveLength(COUNT);
    for (const t of targets.data.activeTargets) {
      expect(t.health).toBe('up');
      expect(t.scrapeUrl).toBe(`${exporter.url}/bmc?target=${encodeURIComponent(t.labels['instance']!)}`);
    }

    // The values: per instance and label, what the BMC's model answers with.
    const values = new Set<number>();
    for (const [i, target] of fleet.targets.entries()) {
      const expected = expectedServer2s(fleet.fleet.bmcs[i]!.model);
      for (const [psu, watts] of Object.entries(expected.psu)) {
        const r = await prom.query(`power_draw_watts{instance="${target}",psu="${psu}"}`);
        expect(r, `${target} psu ${psu}`).toHaveLength(1);
        expect(Number(r[0]!.value[1])).toBeCloseTo(watts, 6);
        values.add(watts);
      }
      for (const [cpu, celsius] of Object.entries(expected.cpu)) {
        const r = await prom.query(`processor_temperature_celsius{instance="${target}",cpu="${cpu}"}`);
        expect(r, `${target} cpu ${cpu}`).toHaveLength(1);
        expect(Number(r[0]!.value[1])).toBeCloseTo(celsius, 6);
        values.add(celsius);
      }
      expect((await prom.query(`bmc_info{instance="${target}"}`))[0]?.metric['ipmi']).toBe('2.0');
    }
    // The fleet varies its BMCs: the comparison is not one value four times over.
    expect(values.size).toBeGreaterThan(4);

    // A changed reading reaches Prometheus on a later scrape.
    const target = fleet.targets[2]!;
    await fleet.fleet.setSensor(2, 'CPU1 Temp', 77);
    const t1 = performance.now();
    for (;;) {
      const r = await prom.query(`processor_temperature_celsius{instance="${target}",cpu="1"}`);
      if (Number(r[0]?.value[1]) === 77) break;
      if (performance.now() - t1 > 10_000) throw new Error(`CPU1 Temp 77 not seen by Prometheus within 10 s: ${JSON.stringify(r)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  });
});
