// HTTP service discovery end to end with a real Prometheus (Debian package
// "prometheus"): started with THE README's http_sd_configs job (only the
// exporter's address, the intervals and basic auth changed), it discovers
// the BMCs of the exporter's secrets file through GET /discover, scrapes them
// through /bmc, and carries each entry's labels onto the series. A reload
// that drops a target and relabels another reaches Prometheus' target list.
// One password comes from a password_file. A missing prometheus fails.
import bcrypt from 'bcryptjs';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, tempDir, type CliProcess, type TempDir } from './exporter/cli.js';
import { startTestFleet, type TestFleet } from './exporter/fleet.js';
import { promtoolCheck, README, startPrometheus, writePrometheusConfig, type PrometheusServer, type ScrapeConfig } from './exporter/prometheus.js';

const BEGIN = '<!-- discover-config -->';
const END = '<!-- /discover-config -->';
const AUTH = { username: 'prom', password: 'discover-and-scrape' };

/** The README's http_sd job: the ```yaml block between the discover-config markers. */
function readmeDiscoverJob(): ScrapeConfig & { http_sd_configs?: Array<Record<string, unknown>> } {
  const readme = readFileSync(README, 'utf8');
  const from = readme.indexOf(BEGIN);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md has no ${BEGIN} … ${END} section`);
  const fence = /```ya?ml\n([\s\S]*?)```/.exec(readme.slice(from, to));
  if (!fence) throw new Error(`README.md: no yaml block between ${BEGIN} and ${END}`);
  const doc = parse(fence[1]!) as { scrape_configs: ScrapeConfig[] };
  const job = doc.scrape_configs.find((j) => j.job_name === 'bmc');
  if (!job) throw new Error('README discover-config block: no job_name: bmc');
  return job;
}

let fleet: TestFleet;
let dir: TempDir;
let secretsFile: string;
let exporter: CliProcess;
let prom: PrometheusServer | undefined;
let creds: Record<string, { username: string; password: string }>;

function secretsYaml(entries: Array<[target: string, labels: Record<string, string> | undefined, viaFile?: boolean]>): string {
  const out: Record<string, object> = {};
  for (const [target, labels, viaFile] of entries) {
    const c = creds[target]!;
    out[target] = { username: c.username, ...(viaFile ? { password_file: 'bmc-password' } : { password: c.password }), ...(labels ? { labels } : {}) };
  }
  // A range covering the fleet: it supplies credentials but is never listed by /discover.
  out['127.6.11.0/24:6299'] = { username: 'range', password: 'range-password', labels: { rack: 'whole-range' } };
  return stringify(out);
}

beforeAll(async () => {
  fleet = await startTestFleet({ count: 3, profile: 'server-2s', baseAddress: '127.6.11.1', seed: 111 });
  creds = fleet.fleet.secrets();
  dir = await tempDir('bmc-exporter-discover-');
  const [a, b, c] = fleet.targets as [string, string, string];
  await dir.write('bmc-password', `${creds[c]!.password}\n`);
  secretsFile = await dir.write(
    'secrets.yml',
    secretsYaml([
      [a, { rack: 'r1', site: 'par1' }],
      [b, { rack: 'r2', site: 'par1' }],
      [c, { rack: 'r2', site: 'par1', model: 'sim-2s' }, true],
    ]),
  );
  const web = await dir.write('web.yml', `basic_auth_users:\n  ${AUTH.username}: "${bcrypt.hashSync(AUTH.password, 4)}"\n`);
  exporter = await startCli(['--web.listen-address', '127.0.0.1:0', '--secrets.static', secretsFile, '--web.config.file', web]);
});

afterAll(async () => {
  if (prom) expect(await prom.stop()).toBe(0);
  await exporter?.stop();
  await fleet?.close();
  await dir?.remove();
});

type ActiveTarget = { health: string; labels: Record<string, string>; discoveredLabels: Record<string, string>; scrapeUrl: string; lastError: string };

async function activeTargets(p: PrometheusServer): Promise<ActiveTarget[]> {
  const body = (await (await fetch(`${p.url}/api/v1/targets?state=active`)).json()) as { data: { activeTargets: ActiveTarget[] } };
  return body.data.activeTargets;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const t0 = performance.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (performance.now() - t0 > ms)
      throw new Error(`${what} not reached within ${ms / 1000} s\nprometheus log:\n${prom?.log()}\nexporter log:\n${exporter.stderr()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('Prometheus discovering the BMCs through /discover', () => {
  it('the README job, pointed at the exporter with basic auth, passes promtool', async () => {
    const job = readmeDiscoverJob();
    expect(job.metrics_path).toBe('/bmc');
    expect(job.http_sd_configs?.[0]?.['url']).toBe('http://localhost:9622/discover');
    expect(promtoolCheck(await writePrometheusConfig(dir, job)).status).toBe(0);
  });

  it('discovers exactly the exact targets, scrapes each with bmc_up 1, and carries the labels', async () => {
    const host = new URL(exporter.url).host;
    const job = structuredClone(readmeDiscoverJob());
    const sd = job.http_sd_configs![0]!;
    sd['url'] = `${exporter.url}/discover`;
    sd['refresh_interval'] = '1s';
    sd['basic_auth'] = AUTH;
    job['basic_auth'] = AUTH;
    job['scrape_interval'] = '1s';
    job['scrape_timeout'] = '1s';
    const address = job.relabel_configs?.find((r) => r['target_label'] === '__address__');
    expect(address?.['replacement']).toBe('localhost:9622');
    address!['replacement'] = host;
    const check = promtoolCheck(await writePrometheusConfig(dir, job));
    expect(check.status, check.output).toBe(0);
    prom = await startPrometheus(job);

    const up = await until('bmc_up 1 for the three BMCs', async () => {
      const r = await prom!.query('bmc_up == 1');
      return r.length === 3 ? r : undefined;
    });
    const byInstance = Object.fromEntries(up.map((s) => [s.metric['instance'], s.metric]));
    const [a, b, c] = fleet.targets as [string, string, string];
    expect(Object.keys(byInstance).sort()).toEqual([a, b, c].sort());
    expect(byInstance[a]).toMatchObject({ job: 'bmc', rack: 'r1', site: 'par1' });
    expect(byInstance[b]).toMatchObject({ job: 'bmc', rack: 'r2', site: 'par1' });
    expect(byInstance[b]!['model']).toBeUndefined();
    // The password_file entry: a real session was established with it.
    expect(byInstance[c]).toMatchObject({ job: 'bmc', rack: 'r2', site: 'par1', model: 'sim-2s' });

    // Every series of a BMC carries them, not just bmc_up (a cold scrape under a
    // 1 s timeout may return before the PSU readings: wait for a complete one).
    const power = await until('power_draw_watts of the first BMC', async () => {
      const r = await prom!.query(`power_draw_watts{instance="${a}"}`);
      return r.length === 2 ? r : undefined;
    });
    for (const s of power) expect(s.metric).toMatchObject({ rack: 'r1', site: 'par1' });

    const targets = await activeTargets(prom);
    expect(targets).toHaveLength(3); // the range is not enumerated
    for (const t of targets) {
      expect(t.health, t.lastError).toBe('up');
      expect(t.scrapeUrl).toBe(`${exporter.url}/bmc?target=${encodeURIComponent(t.labels['instance']!)}`);
      // http_sd marks what it found with the URL it asked.
      expect(t.discoveredLabels['__meta_url'], JSON.stringify(t.discoveredLabels)).toBe(`${exporter.url}/discover`);
    }
  });

  it('follows a reload: a removed target leaves, changed labels arrive', async () => {
    expect(prom).toBeDefined();
    const [a, b] = fleet.targets as [string, string, string];
    await writeFile(
      secretsFile,
      secretsYaml([
        [a, { rack: 'r9', site: 'par2' }],
        [b, { rack: 'r2', site: 'par1' }],
      ]),
    );
    const auth = `Basic ${Buffer.from(`${AUTH.username}:${AUTH.password}`).toString('base64')}`;
    const reload = await fetch(`${exporter.url}/-/reload`, { method: 'POST', headers: { Authorization: auth } });
    expect(reload.status).toBe(200);
    const targets = await until('the reloaded list in Prometheus', async () => {
      const t = await activeTargets(prom!);
      return t.length === 2 && t.some((x) => x.labels['rack'] === 'r9') ? t : undefined;
    });
    const labels = Object.fromEntries(targets.map((t) => [t.labels['instance'], t.labels]));
    expect(Object.keys(labels).sort()).toEqual([a, b].sort());
    expect(labels[a]).toMatchObject({ rack: 'r9', site: 'par2' });
    await until('a scrape with the new labels', async () => {
      const r = await prom!.query(`bmc_up{instance="${a}",rack="r9",site="par2"} == 1`);
      return r.length === 1 ? r : undefined;
    });
  });
});
