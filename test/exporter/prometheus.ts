// A real Prometheus server (Debian package "prometheus") for the end-to-end
// test, and the README's scrape_config it is started with.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { freePort, tempDir, type TempDir } from './cli.js';

export const README = fileURLToPath(new URL('../../README.md', import.meta.url));
export const BEGIN = '<!-- scrape-config -->';
export const END = '<!-- /scrape-config -->';

export type ScrapeConfig = Record<string, unknown> & {
  job_name: string;
  metrics_path?: string;
  static_configs?: Array<{ targets: string[] }>;
  relabel_configs?: Array<Record<string, unknown>>;
};

/**
 * The ```yaml block between the scrape-config markers in README.md, parsed:
 * a list of scrape configs, a `scrape_configs:` mapping, or one config.
 * Returns the job named "bmc".
 */
export function readmeScrapeConfig(readme = readFileSync(README, 'utf8')): { yaml: string; job: ScrapeConfig } {
  const from = readme.indexOf(BEGIN);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md has no ${BEGIN} … ${END} section with the Prometheus scrape_config (the lead owns README.md)`);
  const fence = /```ya?ml\n([\s\S]*?)```/.exec(readme.slice(from, to));
  if (!fence) throw new Error(`README.md: no \`\`\`yaml block between ${BEGIN} and ${END}`);
  const yaml = fence[1]!;
  const doc = parse(yaml) as unknown;
  const list = Array.isArray(doc)
    ? doc
    : doc && typeof doc === 'object' && 'scrape_configs' in doc
      ? (doc as { scrape_configs: unknown[] }).scrape_configs
      : [doc];
  const job = (list as ScrapeConfig[]).find((j) => j?.job_name === 'bmc');
  if (!job) throw new Error('README.md scrape-config block: no job_name: bmc');
  return { yaml, job };
}

/**
 * The README's job with only the exporter's address (for localhost:9622) and
 * the target list replaced, scraped every second so the test is quick.
 */
export function jobFor(job: ScrapeConfig, exporter: string, targets: readonly string[]): ScrapeConfig {
  const copy = structuredClone(job);
  const address = copy.relabel_configs?.find((r) => r['target_label'] === '__address__' && r['replacement'] === 'localhost:9622');
  if (!address) throw new Error('README scrape_config: no relabel rule setting __address__ to localhost:9622');
  address['replacement'] = exporter;
  copy.static_configs = [{ targets: [...targets] }];
  copy['scrape_interval'] = '1s';
  copy['scrape_timeout'] = '1s';
  return copy;
}

export function binary(name: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  if (r.status !== 0 || !path)
    throw new Error(`${name} not found on PATH: install the Debian package "prometheus" (or run node scripts/ensure-test-deps.mjs as root)`);
  return path;
}

export interface PrometheusServer {
  url: string;
  child: ChildProcess;
  configFile: string;
  log(): string;
  query(q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** Stop by PID (SIGTERM) and remove the temp dir. */
  stop(): Promise<number | string>;
}

/** promtool check config FILE: exit code and output. */
export function promtoolCheck(file: string): { status: number | null; output: string } {
  const r = spawnSync(binary('promtool'), ['check', 'config', file], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

export interface PrometheusExtras {
  /** More scrape jobs after the first (e.g. the exporter's own /metrics). */
  jobs?: ScrapeConfig[];
  /** Rule files: name → content, written next to prometheus.yml and loaded. */
  rules?: Record<string, string>;
}

export async function writePrometheusConfig(dir: TempDir, job: ScrapeConfig | readonly ScrapeConfig[], extras: PrometheusExtras = {}): Promise<string> {
  const ruleFiles: string[] = [];
  for (const [name, content] of Object.entries(extras.rules ?? {})) ruleFiles.push(await dir.write(name, content));
  return dir.write(
    'prometheus.yml',
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      ...(ruleFiles.length > 0 ? { rule_files: ruleFiles } : {}),
      scrape_configs: [...(Array.isArray(job) ? job : [job as ScrapeConfig]), ...(extras.jobs ?? [])],
    }),
  );
}

export async function startPrometheus(job: ScrapeConfig | readonly ScrapeConfig[], extras: PrometheusExtras = {}): Promise<PrometheusServer> {
  const exe = binary('prometheus');
  const dir = await tempDir('bmc-exporter-prom-');
  const configFile = await writePrometheusConfig(dir, job, extras);
  const port = await freePort();
  const child = spawn(
    exe,
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir.path, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=info'],
    { cwd: dir.path, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (c, s) => resolve(c ?? s ?? -1)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${log}`);
    try {
      if ((await fetch(`${url}/-/ready`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prometheus not ready within 20 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    configFile,
    log: () => log,
    async query(q) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = (await res.json()) as {
        status: string;
        data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
        error?: string;
      };
      if (body.status !== 'success') throw new Error(`query ${q}: ${body.error}`);
      return body.data!.result;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGTERM');
      const code = await exited;
      await dir.remove();
      return code;
    },
  };
}
