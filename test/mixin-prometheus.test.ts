// The mixin end to end, with a real Prometheus (Debian package "prometheus"):
// it scrapes four simulated BMCs through the exporter (the README's job) and
// the exporter's own /metrics (a second job), with the mixin's alert and
// recording rules loaded — rendered from deploy/mixin/config.ts with every
// `for` at 3s (long enough that a cold start's first scrapes do not count,
// short for a test), nothing else changed. Through the simulator's control API the
// test fails a PSU on one BMC (status sensor + the SEL event a BMC logs),
// logs an uncorrectable ECC error on another and stops a fan on a third:
// exactly the alerts for those reach `firing` in /api/v1/alerts, on those
// BMCs, and every other rule stays inactive. Then every PromQL expression of
// every panel of the committed dashboards runs against that Prometheus, with
// the variables resolved by the dashboards' own variable queries: none may
// fail, and every panel shows data. A missing prometheus fails the test.
import { startControlServer, type ControlServer } from '@bmc-exporter/bmc-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertGroups, recordingGroups } from '../deploy/mixin/alerts.js';
import { renderAlerts, renderRules } from '../deploy/mixin/build.js';
import { allFor } from '../deploy/mixin/config.js';
import { startCli, tempDir, type CliProcess, type TempDir } from './exporter/cli.js';
import { startTestFleet, type TestFleet } from './exporter/fleet.js';
import { jobFor, readmeScrapeConfig, startPrometheus, type PrometheusServer } from './exporter/prometheus.js';
import { DASHBOARD_FILES, formatValue, parseLabelValues, readDashboard, substitute } from './mixin/dashboards.js';

const COUNT = 4;
const CONFIG = allFor('3s');
const ALERTS = alertGroups(CONFIG).flatMap((g) => g.rules.map((r) => r.alert));
const RECORDS = recordingGroups(CONFIG).flatMap((g) => g.rules.map((r) => r.record));

/** What the injected faults must raise: alert name → the BMC (fleet index) and extra labels. */
const EXPECTED: Array<{ alert: string; bmc: number; labels: Record<string, string> }> = [
  { alert: 'BmcPowerSupplyFailed', bmc: 1, labels: { psu: '2' } },
  { alert: 'BmcPowerSupplyFailureLogged', bmc: 1, labels: { category: 'psu-failure' } },
  { alert: 'BmcUncorrectableECC', bmc: 2, labels: { category: 'memory-ecc-uncorrectable' } },
  { alert: 'BmcFanFailure', bmc: 3, labels: { sensor: 'FAN2', type: 'fan' } },
];

interface ApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
}
interface ApiRule {
  name: string;
  type: 'alerting' | 'recording';
  health: string;
  lastError?: string;
  state?: string;
  /** When Prometheus last evaluated the rule (RFC 3339). */
  lastEvaluation?: string;
}

let fleet: TestFleet;
let control: ControlServer;
let dir: TempDir;
let exporter: CliProcess;
let prom: PrometheusServer;

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${prom.url}${path}`);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
  return body.data;
}
const alerts = async () => (await api<{ alerts: ApiAlert[] }>('/api/v1/alerts')).alerts;
const rules = async () => (await api<{ groups: Array<{ rules: ApiRule[] }> }>('/api/v1/rules')).groups.flatMap((g) => g.rules);

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const t0 = performance.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (performance.now() - t0 > ms) {
      throw new Error(
        `${what}: not within ${ms / 1000} s\nalerts: ${JSON.stringify(await alerts())}\nprometheus log:\n${prom.log().slice(-3000)}\nexporter log:\n${exporter.stderr().slice(-3000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Waits until Prometheus has evaluated every rule `n` more times, by the
 * evaluation timestamps its API reports (rules are evaluated every second).
 */
async function evaluations(n: number): Promise<void> {
  const first = (await rules()).map((r) => r.lastEvaluation);
  const seen = first.map(() => new Set<string>());
  await waitFor(`${n} more evaluations of every rule`, async () => {
    const now = await rules();
    now.forEach((r, i) => {
      if (r.lastEvaluation !== undefined && r.lastEvaluation !== first[i]) seen[i]?.add(r.lastEvaluation);
    });
    return now.length === first.length && seen.every((s) => s.size >= n) ? true : undefined;
  });
}

async function controlCall(method: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${control.port}${path}`, { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

beforeAll(async () => {
  fleet = await startTestFleet({ count: COUNT, profile: 'server-2s', baseAddress: '127.6.11.1', seed: 111 });
  control = await startControlServer(fleet.fleet, { address: '127.0.0.1', port: 0 });
  dir = await tempDir('bmc-exporter-mixin-');
  const secrets = await dir.write('secrets.yml', fleet.fleet.secrets());
  exporter = await startCli(['--web.listen-address', '127.0.0.1:0', '--secrets.static', secrets]);
  // Warm the exporter as a running one is (sessions open, SDRs walked), so a
  // cold start's first collections on a loaded machine are not partial
  // scrapes in Prometheus' window.
  for (const target of fleet.targets) {
    const text = await (await fetch(`${exporter.url}/bmc?target=${encodeURIComponent(target)}`)).text();
    if (!/^bmc_up 1$/m.test(text)) throw new Error(`warm-up scrape of ${target}: no bmc_up 1\n${text}\n${exporter.stderr()}`);
  }
  const host = new URL(exporter.url).host;
  const bmcJob = { ...jobFor(readmeScrapeConfig().job, host, fleet.targets), scrape_interval: '2s', scrape_timeout: '2s' };
  const selfJob = { job_name: 'bmc-exporter', scrape_interval: '2s', static_configs: [{ targets: [host] }] };
  prom = await startPrometheus(bmcJob, { jobs: [selfJob], rules: { 'alerts.yml': renderAlerts(CONFIG), 'rules.yml': renderRules(CONFIG) } });
});

afterAll(async () => {
  if (prom) expect(await prom.stop()).toBe(0);
  await exporter?.stop();
  await control?.close();
  await fleet?.close();
  await dir?.remove();
});

describe('the mixin on a real Prometheus', () => {
  it('loads every rule, evaluates it without error, and nothing fires on a healthy fleet', async () => {
    await waitFor('4 BMCs up with fans, PSUs and SEL read, the exporter scraped', async () => {
      const [up, fans, psus, sel, self] = await Promise.all([
        prom.query('bmc_up == 1'),
        prom.query('sensor_threshold_state{type="fan"}'),
        prom.query('power_supply_failed'),
        prom.query('sel_read_complete == 1'),
        prom.query('bmc_exporter_healthy'),
      ]);
      return up.length === COUNT && fans.length === 6 * COUNT && psus.length === 2 * COUNT && sel.length === COUNT && self.length === 1 ? true : undefined;
    });
    // A few evaluations of every rule on complete data.
    await evaluations(3);
    const loaded = await rules();
    expect(
      loaded
        .filter((r) => r.type === 'alerting')
        .map((r) => r.name)
        .sort(),
    ).toEqual([...ALERTS].sort());
    expect(
      loaded
        .filter((r) => r.type === 'recording')
        .map((r) => r.name)
        .sort(),
    ).toEqual([...RECORDS].sort());
    for (const r of loaded) expect(r.health, `${r.name}: ${r.lastError ?? ''}`).toBe('ok');
    const early = await alerts();
    expect(early, `${JSON.stringify(early)}\n${(await prom.query('bmc_collector_partial_collections_total'))[0]?.value[1]} partial collections`).toEqual([]);
  });

  it('raises exactly the alerts of a failed PSU, an uncorrectable ECC error and a stopped fan, on those BMCs', async () => {
    const at = (i: number) => encodeURIComponent(fleet.targets[i]!);
    // BMC 1: PSU2 reports "failure detected" (offset 1, still present) and logs it, as a BMC does.
    await controlCall('POST', `/bmcs/${at(1)}/sensors/PSU2%20Status`, { states: [0, 1] });
    await controlCall('POST', `/bmcs/${at(1)}/sel`, { sensorType: 'power-supply', sensorNumber: 0x41, eventType: 0x6f, data: [0x01, 0xff, 0xff] });
    // BMC 2: an uncorrectable ECC error (memory offset 1) on DIMM 2.
    await controlCall('POST', `/bmcs/${at(2)}/sel`, { sensorType: 'memory', sensorNumber: 0x60, eventType: 0x6f, data: [0x31, 0xff, 0x02] });
    // BMC 3: FAN2 stops.
    await controlCall('POST', `/bmcs/${at(3)}/sensors/FAN2`, { value: 0 });

    const key = (alert: string, labels: Record<string, string>) => `${alert} ${JSON.stringify(Object.entries(labels).sort())}`;
    const expected = EXPECTED.map((e) => key(e.alert, { instance: fleet.targets[e.bmc]!, ...e.labels })).sort();
    const firing = await waitFor('the four alerts firing', async () => {
      const list = (await alerts()).filter((a) => a.state === 'firing');
      return list.length >= EXPECTED.length ? list : undefined;
    });
    // Each alert on the right BMC with the right labels, its annotations naming that BMC.
    const got = firing.map((a) => {
      const e = EXPECTED.find((x) => x.alert === a.labels['alertname']);
      const labels = e ? Object.fromEntries(['instance', ...Object.keys(e.labels)].map((k) => [k, a.labels[k]!])) : a.labels;
      return key(a.labels['alertname']!, labels);
    });
    expect(got.sort()).toEqual(expected);
    for (const a of firing) {
      expect(a.annotations['summary']).toContain(a.labels['instance']);
      expect(a.annotations['description']).toContain(a.labels['instance']);
      expect(a.annotations['runbook_url']).toBe(`README.md#${a.labels['alertname']!.toLowerCase()}`);
    }
    // Still exactly these a few evaluations later; every other rule inactive.
    await evaluations(3);
    const all = await alerts();
    expect(all.map((a) => `${a.labels['alertname']} ${a.state}`).sort()).toEqual(EXPECTED.map((e) => `${e.alert} firing`).sort());
    const states = Object.fromEntries((await rules()).filter((r) => r.type === 'alerting').map((r) => [r.name, r.state]));
    for (const name of ALERTS) expect(states[name], name).toBe(EXPECTED.some((e) => e.alert === name) ? 'firing' : 'inactive');
    // The recording rules produce series (sensors not OK: the stopped fan).
    for (const record of RECORDS) expect((await prom.query(record)).length, record).toBeGreaterThan(0);
    expect((await prom.query('instance:bmc_sensors_not_ok:count'))[0]?.metric['instance']).toBe(fleet.targets[3]);
  });

  it('runs every panel query of every dashboard without error, and every panel shows data', async () => {
    const end = Date.now() / 1000;
    const start = end - 30;
    const empty: string[] = [];
    let queries = 0;
    for (const file of DASHBOARD_FILES) {
      const d = readDashboard(file);
      // Variables as Grafana resolves them, in order (instance depends on job).
      const vars: Record<string, string> = {};
      const choices: Record<string, string[]> = {};
      for (const v of d.variables) {
        if (v.type === 'datasource') continue;
        expect(v.type, `${file} ${v.name}`).toBe('query');
        const { match, label } = parseLabelValues(substitute(v.query, vars, '10s'));
        const values = await api<string[]>(`/api/v1/label/${label}/values?match[]=${encodeURIComponent(match)}`);
        expect(values.length, `${file}: variable ${v.name} (${v.query}) has no values`).toBeGreaterThan(0);
        choices[v.name] = values;
        vars[v.name] = formatValue(v, values);
      }
      // No job name is written into a dashboard: the job variable finds ours.
      expect(choices['job'], file).toEqual(file === 'bmc-exporter.json' ? ['bmc-exporter'] : ['bmc']);
      expect(JSON.stringify(d.json)).not.toMatch(/job=~?\\"bmc/);
      // The one-BMC dashboard: every BMC in turn (a panel shows data if it does for one of them).
      const runs = d.variables.some((v) => v.name === 'instance' && !v.multi) ? choices['instance']!.map((i) => ({ ...vars, instance: i })) : [vars];
      expect(d.panels.length).toBeGreaterThan(8);
      for (const panel of d.panels) {
        expect(panel.queries.length, `${file} "${panel.title}"`).toBeGreaterThan(0);
        let rows = 0;
        for (const run of runs) {
          for (const q of panel.queries) {
            const expr = substitute(q.expr, run, '10s');
            const path = q.instant
              ? `/api/v1/query?query=${encodeURIComponent(expr)}&time=${end}`
              : `/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${start}&end=${end}&step=2`;
            const res = await fetch(`${prom.url}${path}`);
            const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
            expect(body.status, `${file} "${panel.title}": ${expr}: ${body.error}`).toBe('success');
            rows += body.data!.result.length;
            queries++;
          }
        }
        if (rows === 0) empty.push(`${file} "${panel.title}"`);
      }
    }
    expect(empty).toEqual([]);
    expect(queries).toBeGreaterThan(100);
  });
});
