// The mixin's committed files against its sources and against promtool
// (Debian package "prometheus"; missing, the test fails): the generated
// alerts.yml, rules.yml and dashboards match a fresh render of
// deploy/mixin/*.ts; `promtool check rules` accepts the rules; `promtool test
// rules` passes deploy/mixin/tests/alerts.test.yml, which has a firing and a
// not-firing case for every alert — and fails when a threshold moves; every
// alert names its BMC and has a runbook in the README; the dashboards take
// datasource, job and instance from variables.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertGroups, recordingGroups, runbookAnchor } from '../deploy/mixin/alerts.js';
import { MIXIN_DIR, renderMixin, staleFiles } from '../deploy/mixin/build.js';
import { defaultConfig, withOverrides } from '../deploy/mixin/config.js';
import { tempDir, type TempDir } from './exporter/cli.js';
import { binary, README } from './exporter/prometheus.js';
import { DASHBOARD_FILES, readDashboard } from './mixin/dashboards.js';

const ALERTS = alertGroups(defaultConfig).flatMap((g) => g.rules);
const RECORDS = recordingGroups(defaultConfig).flatMap((g) => g.rules);
const UNIT_TESTS = join(MIXIN_DIR, 'tests', 'alerts.test.yml');

function promtool(...args: string[]): { status: number | null; output: string } {
  const r = spawnSync(binary('promtool'), args, { encoding: 'utf8', cwd: MIXIN_DIR });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('bmc-exporter-mixin-unit-');
});
afterAll(async () => {
  await dir?.remove();
});

describe('generated files', () => {
  it('are what `npm run mixin` renders from deploy/mixin/*.ts now', () => {
    expect(staleFiles(), 'run npm run mixin and commit the result').toEqual([]);
  });

  it('change when a threshold in config.ts changes (the staleness check can fail)', () => {
    const moved = renderMixin(withOverrides({ thresholds: { cpuTemperatureCelsius: 93 } }));
    expect(moved.get('alerts.yml')).not.toBe(readFileSync(join(MIXIN_DIR, 'alerts.yml'), 'utf8'));
    expect(moved.get('alerts.yml')).toContain('processor_temperature_celsius > 93');
    const dirOfStale = join(dir.path, 'stale');
    mkdirSync(join(dirOfStale, 'dashboards'), { recursive: true });
    for (const [path, content] of renderMixin()) writeFileSync(join(dirOfStale, path), content);
    expect(staleFiles(dirOfStale)).toEqual([]);
    writeFileSync(join(dirOfStale, 'alerts.yml'), moved.get('alerts.yml')!);
    writeFileSync(join(dirOfStale, 'dashboards', 'bmc.json'), '{}\n');
    expect(staleFiles(dirOfStale)).toEqual(['alerts.yml', join('dashboards', 'bmc.json')]);
  });
});

describe('promtool', () => {
  it('check rules: alerts.yml and rules.yml are valid', () => {
    const r = promtool('check', 'rules', 'alerts.yml', 'rules.yml');
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain(`SUCCESS: ${ALERTS.length} rules found`);
    expect(r.output).toContain(`SUCCESS: ${RECORDS.length} rules found`);
  });

  it('test rules: every case of tests/alerts.test.yml passes', () => {
    const r = promtool('test', 'rules', UNIT_TESTS);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  });

  it('test rules fails on rules rendered with other thresholds (the cases pin them)', async () => {
    const moved = renderMixin(withOverrides({ thresholds: { cpuTemperatureCelsius: 96, correctableEccEvents: 30 }, for: { bmcDown: '10m' } }));
    mkdirSync(join(dir.path, 'moved', 'tests'), { recursive: true });
    writeFileSync(join(dir.path, 'moved', 'alerts.yml'), moved.get('alerts.yml')!);
    writeFileSync(join(dir.path, 'moved', 'rules.yml'), moved.get('rules.yml')!);
    writeFileSync(join(dir.path, 'moved', 'tests', 'alerts.test.yml'), readFileSync(UNIT_TESTS));
    const r = spawnSync(binary('promtool'), ['test', 'rules', join(dir.path, 'moved', 'tests', 'alerts.test.yml')], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    const out = `${r.stdout}${r.stderr}`;
    for (const name of ['BmcCpuTemperatureHigh', 'BmcCorrectableECCStorm', 'BmcDown']) expect(out).toContain(`alertname: ${name}`);
  });

  it('test rules catches a BmcDown that is not absent-safe and a storm that miscounts a cleared SEL', () => {
    const alerts = readFileSync(join(MIXIN_DIR, 'alerts.yml'), 'utf8');
    const absentSafe = 'or on (job, instance)\n          (up == 0 and on (job, instance) present_over_time(bmc_up[1h]))';
    const counted = 'sum without (severity) (increase(';
    expect(alerts).toContain(absentSafe);
    expect(alerts).toContain(counted);
    const mutants = { 'not-absent-safe': alerts.replace(absentSafe, ''), 'delta-not-increase': alerts.replace(counted, 'sum without (severity) (delta(') };
    for (const [name, text] of Object.entries(mutants)) {
      const at = join(dir.path, name);
      mkdirSync(join(at, 'tests'), { recursive: true });
      writeFileSync(join(at, 'alerts.yml'), text);
      writeFileSync(join(at, 'rules.yml'), readFileSync(join(MIXIN_DIR, 'rules.yml')));
      writeFileSync(join(at, 'tests', 'alerts.test.yml'), readFileSync(UNIT_TESTS));
      const r = spawnSync(binary('promtool'), ['test', 'rules', join(at, 'tests', 'alerts.test.yml')], { encoding: 'utf8' });
      expect(r.status, name).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toContain(name === 'not-absent-safe' ? 'alertname: BmcDown' : 'alertname: BmcCorrectableECCStorm');
    }
  });

  it('every alert has a firing and a not-firing case, every recording rule a case', () => {
    type Case = { alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] | null }>; promql_expr_test?: Array<{ expr: string }> };
    const tests = (parse(readFileSync(UNIT_TESTS, 'utf8')) as { tests: Case[] }).tests;
    const cases = tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const a of ALERTS) {
      const mine = cases.filter((c) => c.alertname === a.alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${a.alert}: a firing case`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${a.alert}: a not-firing case`,
      ).toBe(true);
    }
    const exprs = tests.flatMap((t) => t.promql_expr_test ?? []).map((e) => e.expr);
    for (const r of RECORDS) expect(exprs, r.record).toContain(r.record);
    // The named situations are covered.
    const text = readFileSync(UNIT_TESTS, 'utf8');
    expect(text).toMatch(/disappears mid-event/);
    expect(text).toMatch(/cleared/);
    expect(text).toMatch(/counter that resets/);
  });
});

describe('alerts', () => {
  it('each names its BMC (or exporter) in summary and description, with a runbook in the README', () => {
    const readme = readFileSync(README, 'utf8');
    for (const a of ALERTS) {
      expect(a.annotations.summary, a.alert).toContain('{{ $labels.instance }}');
      expect(a.annotations.description, a.alert).toContain('{{ $labels.instance }}');
      expect(a.annotations.runbook_url).toBe(`README.md#${runbookAnchor(a.alert)}`);
      expect(new RegExp(`^#### ${a.alert}$`, 'm').test(readme), `README: no runbook heading "#### ${a.alert}"`).toBe(true);
    }
    expect(new Set(ALERTS.map((a) => a.alert)).size).toBe(ALERTS.length);
  });

  it('take every threshold from config.ts, and the selector scopes every series', () => {
    const scoped = alertGroups(withOverrides({ selector: 'job=~"bmc.*"' })).flatMap((g) => g.rules);
    const metrics = [
      'up',
      'bmc_up',
      'bmc_exporter_build_info',
      'bmc_exporter_healthy',
      'sensor_threshold_state',
      'processor_temperature_celsius',
      'chassis_intake_temperature_celsius',
      'power_supply_failed',
      'power_supply_input_lost',
      'sel_latest_event_timestamp_seconds',
      'chassis_power_fault',
      'sel_events',
      'sel_entries',
      'sel_free_bytes',
      'sel_overflow',
      'chassis_intrusion',
      'bmc_collector_partial_collections_total',
      'bmc_collector_collect_duration_seconds_count',
      'bmc_target_abandoned_requests_total',
      'bmc_scrape_duration_seconds',
    ];
    const used = new Set<string>();
    for (const a of scoped) {
      for (const m of metrics) {
        const refs = [...a.expr.matchAll(new RegExp(`(?<![a-z_:])${m}(?![a-z_:])(\\{[^}]*\\})?`, 'g'))];
        for (const r of refs) {
          used.add(m);
          expect(r[1], `${a.alert}: ${m} without the selector in ${a.expr}`).toContain('job=~"bmc.*"');
        }
      }
    }
    // The list above is every metric the alerts read.
    expect([...used].sort()).toEqual([...metrics].sort());
    const plain = ALERTS.map((a) => a.expr).join('\n');
    expect(plain).not.toContain('job=~"bmc.*"');
    expect(plain).toContain(`processor_temperature_celsius > ${defaultConfig.thresholds.cpuTemperatureCelsius}`);
  });
});

describe('dashboards', () => {
  it.each(DASHBOARD_FILES)('%s: datasource, job (and instance) are variables; no job name is written in', (file) => {
    const d = readDashboard(file);
    const names = d.variables.map((v) => v.name);
    expect(names.slice(0, 2)).toEqual(['datasource', 'job']);
    if (file !== 'bmc-fleet.json') expect(names).toContain('instance');
    for (const v of d.variables.filter((x) => x.type === 'query')) expect(v.query).toMatch(/^label_values\(/);
    const walk = (x: unknown, out: Array<Record<string, unknown>>) => {
      if (Array.isArray(x)) x.forEach((y) => walk(y, out));
      else if (x && typeof x === 'object') {
        const o = x as Record<string, unknown>;
        if ('datasource' in o) out.push(o);
        Object.values(o).forEach((y) => walk(y, out));
      }
    };
    const users: Array<Record<string, unknown>> = [];
    walk((d.json as { panels: unknown }).panels, users);
    for (const u of users) expect(u['datasource']).toEqual({ type: 'prometheus', uid: '${datasource}' });
    for (const p of d.panels) {
      for (const q of p.queries) {
        for (const m of q.expr.matchAll(/\bjob\s*(=~?|!=|!~)\s*"([^"]*)"/g)) expect(m[2], `${p.title}: ${q.expr}`).toBe('$job');
        if (file !== 'bmc-fleet.json' && /\{/.test(q.expr)) expect(q.expr, p.title).toContain('$instance');
      }
    }
    expect(d.ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    expect(new Set(d.ids).size).toBe(d.ids.length);
  });
});
