// A real Prometheus (Debian package "prometheus") scrapes the real
// prometheus-ipmi-exporter and bmc-exporter's /ipmi, both with the README's
// copy of ipmi_exporter's documented scrape config (only the exporter's
// address swapped in), for one ipmi_sim BMC (127.0.0.30:623) with a sensor
// past its critical threshold. Alert expressions of the kind people write
// over ipmi_* series must evaluate to the same result for both jobs. A
// missing peer (prometheus, promtool, prometheus-ipmi-exporter, ipmi_sim)
// fails the test.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startCli, tempDir, type CliProcess, type TempDir } from './exporter/cli.js';
import { promtoolCheck, README, startPrometheus, writePrometheusConfig, type PrometheusServer, type ScrapeConfig } from './exporter/prometheus.js';
import { startIpmiExporter, type IpmiExporterHandle } from './peers/ipmi-exporter.js';
import { startIpmiSim, type IpmiSimHandle } from './peers/ipmi-sim.js';

const SIM_ADDRESS = '127.0.0.30';

/** Alert expressions over ipmi_* (community rule sets: sensor states, temperatures, fans, SEL, power, scrape health). */
const ALERTS = [
  'ipmi_up == 0',
  'ipmi_temperature_state > 0',
  'ipmi_fan_speed_state > 0 or ipmi_voltage_state > 0 or ipmi_power_state > 0 or ipmi_current_state > 0',
  'ipmi_sensor_state > 1',
  'ipmi_temperature_celsius > 50',
  'ipmi_fan_speed_rpm < 5500',
  'ipmi_sel_logs_count > 5',
  'ipmi_sel_free_space_bytes < 16000',
  'ipmi_chassis_power_state == 0',
  'count by (name) (ipmi_temperature_celsius)',
  'sum by (instance) (ipmi_power_watts)',
  'absent(ipmi_dcmi_power_consumption_watts)',
];

let sim: IpmiSimHandle;
let dir: TempDir;
let theirs: IpmiExporterHandle;
let ours: CliProcess;
let prom: PrometheusServer | undefined;

function readmeIpmiJob(): ScrapeConfig {
  const text = readFileSync(README, 'utf8');
  const block = /<!-- ipmi-scrape-config -->\s*```yaml\n([\s\S]*?)```\s*<!-- \/ipmi-scrape-config -->/.exec(text);
  if (!block) throw new Error('README has no <!-- ipmi-scrape-config --> block');
  const jobs = parse(block[1]!) as ScrapeConfig[];
  expect(jobs).toHaveLength(1);
  return jobs[0]!;
}

/** The README job pointed at one exporter and the simulated BMC, under its own job name. */
function jobFor(name: string, exporterUrl: string): ScrapeConfig {
  const job = structuredClone(readmeIpmiJob());
  job.job_name = name;
  job['scrape_interval'] = '1s';
  job['scrape_timeout'] = '1s';
  job['static_configs'] = [{ targets: [SIM_ADDRESS] }];
  const rules = job.relabel_configs as Array<Record<string, unknown>>;
  const address = rules.find((r) => r['target_label'] === '__address__')!;
  address['replacement'] = new URL(exporterUrl).host;
  return job;
}

beforeAll(async () => {
  sim = await startIpmiSim({ address: SIM_ADDRESS });
  // Exhaust Temp 61 C, past its upper critical threshold (60): a critical state for the alerts to find.
  expect(await sim.console('sensor_set_value 0x20 0 0x04 61 0')).not.toMatch(/\*\*/);
  dir = await tempDir('bmc-exporter-ipmi-prom-');
  const { admin } = sim.users;
  const file = await dir.write(
    'ipmi.yml',
    `modules:\n  default:\n    user: "${admin.username}"\n    pass: "${admin.password}"\n    driver: "LAN_2_0"\n    privilege: "admin"\n    workaround_flags: [opensesspriv]\n    collectors: [ipmi, dcmi, bmc, chassis, sel]\n`,
  );
  theirs = await startIpmiExporter(file);
  ours = await startCli(['--config.file', file, '--web.listen-address', '127.0.0.1:0']);
});

afterAll(async () => {
  if (prom) expect(await prom.stop()).toBe(0);
  await ours?.stop();
  await theirs?.stop();
  await sim?.stop();
  await dir?.remove();
});

/** A query's result per job, each series keyed by its labels without `job`. */
async function byJob(expr: string): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = { theirs: {}, ours: {} };
  for (const job of ['theirs', 'ours']) {
    // Evaluate the expression over one job's series only, as an alert scoped to that job would.
    const scoped = expr.replace(/\b(ipmi_[a-z_]+)\b(?!\s*\()/g, `$1{job="${job}"}`);
    for (const r of await prom!.query(scoped)) {
      const { job: _j, ...labels } = r.metric;
      out[job]![JSON.stringify(Object.entries(labels).sort())] = r.value[1];
    }
  }
  return out;
}

describe("ipmi_exporter's scrape config, one Prometheus, both exporters", () => {
  it('the README block passes promtool check config', async () => {
    const check = promtoolCheck(await writePrometheusConfig(dir, readmeIpmiJob()));
    expect(check.status, check.output).toBe(0);
  });

  it('the same alert expressions give the same result for both jobs', async () => {
    prom = await startPrometheus([jobFor('theirs', theirs.url), jobFor('ours', ours.url)]);
    // Both jobs scraped, with every collector's ipmi_up in and the sensors read: then both have a full scrape stored.
    // (A first scrape may reach its deadline before the SDR is read, for either exporter on a busy machine: ours is
    // the 1 s timeout less the 500 ms --scrape.timeout-offset. The next one completes it. What is compared is the steady state.)
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await prom.query('count by (job) (ipmi_up)');
      const sensorsRead = await prom.query('ipmi_up{collector="ipmi"} == 1');
      if (r.length === 2 && r.every((x) => x.value[1] === '5') && sensorsRead.length === 2) break;
      if (Date.now() > deadline)
        throw new Error(`both jobs not scraped within 30 s: ${JSON.stringify(r)} ${JSON.stringify(sensorsRead)}\n${prom.log().slice(-2000)}`);
      await new Promise((res) => setTimeout(res, 250));
    }
    const up = await prom.query('up');
    expect(up.map((u) => `${u.metric['job']}=${u.value[1]}`).sort()).toEqual(['ours=1', 'theirs=1']);
    let nonEmpty = 0;
    for (const expr of ALERTS) {
      const r = await byJob(expr);
      expect(r['ours'], expr).toEqual(r['theirs']);
      if (Object.keys(r['theirs']!).length > 0) nonEmpty++;
    }
    // The comparison is not vacuous: most expressions fire on this BMC.
    expect(nonEmpty).toBeGreaterThanOrEqual(8);
    const critical = await byJob('ipmi_temperature_state == 2');
    expect(Object.keys(critical['ours']!)).toEqual([
      JSON.stringify([
        ['__name__', 'ipmi_temperature_state'],
        ['id', '5'],
        ['instance', SIM_ADDRESS],
        ['name', 'Exhaust Temp'],
      ]),
    ]);
  });
});
