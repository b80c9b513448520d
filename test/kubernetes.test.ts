// deploy/kubernetes rendered by kustomize (`kubectl kustomize`, Debian
// package "kubernetes-client" or any newer kubectl) and every object
// validated against the Kubernetes and prometheus-operator schemas
// (kubernetes-models, @kubernetes-models/prometheus-operator), then checked
// for what the README promises: the pair, its probes, limits and hardening,
// the Secret it reads, the selectors that tie the objects together, the
// ScrapeConfig relabelling (the README's, and hashmod sharding that a real
// Prometheus splits into disjoint shards), and the PrometheusRule generated
// from the mixin. A missing kubectl or prometheus fails.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from './exporter/cli.js';
import { readmeScrapeConfig, startPrometheus, promtoolCheck, writePrometheusConfig, type PrometheusServer, type ScrapeConfig } from './exporter/prometheus.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const K8S = `${ROOT}deploy/kubernetes`;

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec: any };

function kustomize(dir: string): Obj[] {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (r.error) throw new Error(`kubectl: ${r.error.message} (install the Debian package "kubernetes-client")`);
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj);
}

/** The kubernetes-models class for an object's apiVersion and kind. */
async function model(o: Obj): Promise<new (data: object) => { validate(): void }> {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const path =
    group === 'monitoring.coreos.com'
      ? `@kubernetes-models/prometheus-operator/${o.apiVersion}/${o.kind}`
      : `kubernetes-models/${group ? `${group}/` : ''}${version}/${o.kind}`;
  const mod = (await import(path)) as Record<string, new (data: object) => { validate(): void }>;
  const cls = mod[o.kind];
  if (!cls) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  return cls;
}

const byKind = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);
const one = (objs: Obj[], kind: string) => {
  const found = byKind(objs, kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** A prometheus-operator relabeling as Prometheus' relabel_config (camelCase → snake_case). */
const snake = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));

const LAYOUTS = { default: K8S, 'static-targets': `${K8S}/overlays/static-targets`, sharded: `${K8S}/overlays/sharded` } as const;
const rendered = {} as Record<keyof typeof LAYOUTS, Obj[]>;
let dir: TempDir;
let prom: PrometheusServer | undefined;

beforeAll(async () => {
  for (const [name, path] of Object.entries(LAYOUTS)) rendered[name as keyof typeof LAYOUTS] = kustomize(path);
  dir = await tempDir('bmc-exporter-k8s-');
});
afterAll(async () => {
  if (prom) expect(await prom.stop()).toBe(0);
  await dir?.remove();
});

describe('kustomize renders every layout into objects that pass their schemas', () => {
  it.each(Object.keys(LAYOUTS))('%s', async (name) => {
    const objs = rendered[name as keyof typeof LAYOUTS];
    expect(objs.length).toBeGreaterThan(5);
    for (const o of objs) {
      const Model = await model(o);
      expect(() => new Model(o).validate(), `${o.kind} ${o.metadata.name}`).not.toThrow();
      expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe('monitoring');
    }
    // The Secret is the operator's (created beforehand), never one with credentials in Git.
    expect(byKind(objs, 'Secret')).toEqual([]);
  });

  it('a schema violation is caught (the check can fail)', async () => {
    const deployment = structuredClone(one(rendered.default, 'Deployment'));
    deployment.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    const Model = await model(deployment);
    expect(() => new Model(deployment).validate()).toThrow(/containerPort/);
  });
});

describe('the pair (deploy/kubernetes)', () => {
  const objs = () => rendered.default;

  it('Deployment: 2 replicas spread over nodes, probes, limits from the benchmark, hardened, the Secret mounted', () => {
    const d = one(objs(), 'Deployment');
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(pod.topologySpreadConstraints).toEqual([
      expect.objectContaining({
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: d.spec.selector.matchLabels },
      }),
    ]);
    expect(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/-/ready', port: 'http' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/-/healthy', port: 'http' });
    expect(c.ports).toEqual([{ name: 'http', containerPort: 9622, protocol: 'TCP' }]);
    expect(c.resources).toEqual({ requests: { cpu: '200m', memory: '192Mi' }, limits: { cpu: '1', memory: '512Mi' } });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    // The image's user is the one runAsUser names (the node images' "node", uid 1000).
    expect(readFileSync(`${ROOT}Dockerfile`, 'utf8')).toMatch(/^USER node$/m);
    const volume = pod.volumes.find((v: { name: string }) => v.name === 'secrets');
    expect(volume.secret).toEqual({ secretName: 'bmc-exporter-secrets', defaultMode: 0o440 });
    const mount = c.volumeMounts.find((m: { name: string }) => m.name === 'secrets');
    expect(mount).toMatchObject({ readOnly: true });
    expect(c.args).toContain(`--secrets.static=${mount.mountPath}/secrets.yml`);
  });

  it('README documents the same requests and limits', () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    for (const figure of ['cpu: 200m', 'memory: 192Mi', 'cpu: "1"', 'memory: 512Mi']) expect(readme.includes(figure), figure).toBe(true);
  });

  it('one Service selecting the pods, a PodDisruptionBudget keeping one, a ServiceMonitor for /metrics', () => {
    const d = one(objs(), 'Deployment');
    const podLabels = d.spec.template.metadata.labels;
    const svc = one(objs(), 'Service');
    expect(matches(svc.spec.selector, podLabels)).toBe(true);
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 9622, targetPort: 'http', protocol: 'TCP' }]);
    const pdb = one(objs(), 'PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(matches(pdb.spec.selector.matchLabels, podLabels)).toBe(true);
    const sm = one(objs(), 'ServiceMonitor');
    expect(matches(sm.spec.selector.matchLabels, svc.metadata.labels)).toBe(true);
    expect(sm.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
  });

  it('ScrapeConfig: /discover through the Service, and the README relabelling pointed at the Service', () => {
    const svc = one(objs(), 'Service');
    const address = `${svc.metadata.name}.${svc.metadata.namespace}.svc:${svc.spec.ports[0].port}`;
    const sc = one(objs(), 'ScrapeConfig');
    expect(sc.spec.metricsPath).toBe('/bmc');
    expect(sc.spec.httpSDConfigs).toEqual([{ url: `http://${address}/discover`, refreshInterval: '1m' }]);
    const readme = readmeScrapeConfig().job.relabel_configs!.map((r) => (r['replacement'] === 'localhost:9622' ? { ...r, replacement: address } : r));
    expect(sc.spec.relabelings.map(snake)).toEqual(readme);
  });

  it('static-targets: the same job with a static list instead of /discover', () => {
    const sc = one(rendered['static-targets'], 'ScrapeConfig');
    expect(sc.spec.httpSDConfigs).toBeUndefined();
    expect(sc.spec.staticConfigs[0].targets).toContain('bmc-r1-01.example.net:623');
    expect(sc.spec.relabelings).toEqual(one(objs(), 'ScrapeConfig').spec.relabelings);
  });
});

describe('the PrometheusRule', () => {
  it('is the committed output of npm run kubernetes:rules (regenerate it when the mixin changes)', () => {
    const r = spawnSync(process.execPath, [`${ROOT}scripts/kubernetes-rules.mjs`, '--stdout'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(
      readFileSync(`${K8S}/rules/prometheus-rule.yaml`, 'utf8'),
      'deploy/kubernetes/rules/prometheus-rule.yaml is stale: run npm run kubernetes:rules',
    ).toBe(r.stdout);
  });

  it('carries every group of the mixin’s rule files unchanged, once per layout', () => {
    const groups = ['rules.yml', 'alerts.yml'].flatMap((f) => (parse(readFileSync(`${ROOT}deploy/mixin/${f}`, 'utf8')) as { groups: unknown[] }).groups);
    expect(groups.length).toBeGreaterThan(1);
    for (const objs of Object.values(rendered)) expect(one(objs, 'PrometheusRule').spec.groups).toEqual(groups);
  });
});

describe('hashmod sharding over three pairs (overlays/sharded)', () => {
  const objs = () => rendered.sharded;

  it('three pairs, each object tied to its own pair only', () => {
    for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'ServiceMonitor', 'ScrapeConfig']) expect(byKind(objs(), kind), kind).toHaveLength(3);
    const deployments = byKind(objs(), 'Deployment');
    const services = byKind(objs(), 'Service');
    for (const d of deployments) {
      const pods = d.spec.template.metadata.labels;
      expect(d.spec.replicas).toBe(2);
      // Spreading, Service, PDB and ServiceMonitor each see exactly this pair.
      const spread = d.spec.template.spec.topologySpreadConstraints[0].labelSelector.matchLabels;
      expect(deployments.filter((x) => matches(spread, x.spec.template.metadata.labels))).toEqual([d]);
      const svc = services.filter((s) => matches(s.spec.selector, pods));
      expect(svc).toHaveLength(1);
      expect(byKind(objs(), 'PodDisruptionBudget').filter((p) => matches(p.spec.selector.matchLabels, pods))).toHaveLength(1);
      expect(byKind(objs(), 'ServiceMonitor').filter((m) => matches(m.spec.selector.matchLabels, svc[0]!.metadata.labels))).toHaveLength(1);
    }
  });

  it('a real Prometheus running the three ScrapeConfigs keeps each target in exactly one shard, sent to its own pair', async () => {
    const targets = Array.from({ length: 24 }, (_, i) => `127.6.11.${100 + i}:623`);
    const jobs: ScrapeConfig[] = byKind(objs(), 'ScrapeConfig').map((sc) => {
      const pairAddress = sc.spec.relabelings.at(-1).replacement as string;
      expect(sc.spec.httpSDConfigs[0].url).toBe(`http://${pairAddress}/discover`);
      return {
        job_name: sc.metadata.name,
        metrics_path: sc.spec.metricsPath,
        scrape_interval: '1m',
        static_configs: [{ targets }],
        // The pair's address is kept in a label to compare; the scrape itself goes to a closed loopback port.
        relabel_configs: [
          ...sc.spec.relabelings.map(snake),
          { target_label: 'pair', replacement: pairAddress },
          { target_label: '__address__', replacement: '127.0.0.1:9' },
        ],
      };
    });
    const check = promtoolCheck(await writePrometheusConfig(dir, jobs[0]!, { jobs: jobs.slice(1) }));
    expect(check.status, check.output).toBe(0);
    prom = await startPrometheus(jobs[0]!, { jobs: jobs.slice(1) });
    const seen = new Map<string, string[]>();
    const t0 = performance.now();
    for (;;) {
      const body = (await (await fetch(`${prom.url}/api/v1/targets?state=active`)).json()) as {
        data: { activeTargets: Array<{ labels: Record<string, string> }> };
      };
      seen.clear();
      for (const t of body.data.activeTargets)
        seen.set(t.labels['instance']!, [...(seen.get(t.labels['instance']!) ?? []), `${t.labels['job']} ${t.labels['pair']}`]);
      if (seen.size === targets.length || performance.now() - t0 > 20_000) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect([...seen.keys()].sort()).toEqual([...targets].sort());
    const perShard = new Map<string, number>();
    for (const [target, where] of seen) {
      expect(where, target).toHaveLength(1);
      const [job, pair] = where[0]!.split(' ');
      expect(pair).toBe(`${job!.replace('bmc-exporter-bmcs', 'bmc-exporter')}.monitoring.svc:9622`);
      perShard.set(job!, (perShard.get(job!) ?? 0) + 1);
    }
    // 24 addresses over 3 shards: each shard gets some.
    expect([...perShard.keys()].sort()).toEqual(['bmc-exporter-bmcs-shard-0', 'bmc-exporter-bmcs-shard-1', 'bmc-exporter-bmcs-shard-2']);
  });
});
