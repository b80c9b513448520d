// The Docker image as users get it: built from the project's Dockerfile
// (on a locally made node:22-slim stand-in, as no registry is reachable here;
// docs/containers.md), run with testcontainers on host networking, scraped
// over loopback. Two containers: a bare `docker run` (demo mode) and one with
// a secrets file mounted where the image looks for it, scraping a simulated
// BMC this test runs outside the container. And the scrape deadline check of
// src/http/deadline-gc.test.ts, run on the image's Node 22.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deriveLinear, formatSecretsFile, resolution, startFleet, type Fleet } from '@bmc-exporter/bmc-sim';
import { formatGuid, parseGuid } from '@bmc-exporter/ipmi';
import { GenericContainer, ImageName, Wait, getContainerRuntimeClient, type ContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadlineUnderGcResult } from '../src/testing/deadline-under-gc.js';
import { expectDeadlinesKept } from '../src/testing/expect-deadlines-kept.js';
import { HEAP_GROWTH_NODE_FLAG } from '../src/heap-growth.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRIPTS = fileURLToPath(new URL('./docker/', import.meta.url));
const BASE = 'local/node:22-slim';
const TAG = `bmc-exporter-test:${process.pid}-${Date.now()}`;
// Our own block: other suites use 127.1-127.3 and 127.5.
const BMC_TARGET = '127.4.0.1:623';
// Runs too, but has no entry in the secrets file.
const UNKNOWN_TARGET = '127.4.0.2:623';
const CPU1_CELSIUS = 71;
const PSU1_WATTS = 612;

/** Runs one of test/docker/*.sh; its output goes into the error, so a failed engine start says why. */
function script(name: string, timeoutMs: number): void {
  const r = spawnSync('bash', [join(SCRIPTS, name)], { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`test/docker/${name} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}${r.stderr}`);
}

/** A TCP port nobody listens on right now, for the container's --web.listen-address (host networking). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

async function scrape(port: number, target: string): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${port}/bmc?target=${encodeURIComponent(target)}`);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return samples(text);
}

interface Running {
  container: StartedTestContainer;
  port: number;
  logs: () => string;
}

async function run(args: string[], configure: (c: GenericContainer) => GenericContainer = (c) => c): Promise<Running> {
  const port = await freePort();
  let text = '';
  const container = await configure(
    new GenericContainer(TAG)
      .withNetworkMode('host')
      .withCommand(['--web.listen-address', `127.0.0.1:${port}`, ...args])
      .withLogConsumer((stream) => stream.on('data', (d: Buffer | string) => (text += d.toString())))
      .withWaitStrategy(Wait.forLogMessage(/listening/))
      .withStartupTimeout(30_000),
  ).start();
  return { container, port, logs: () => text };
}

let client: ContainerRuntimeClient;
const containers: StartedTestContainer[] = [];
let built = false;
// A setup failure (no engine, a broken Dockerfile) must fail every test, not
// leave them skipped as a throwing beforeAll would: the tests rethrow it.
let setupError: unknown;
function ready(): void {
  if (setupError !== undefined) throw setupError;
}

beforeAll(async () => {
  try {
    // A fresh machine: start the engine, make the base image (about a minute once), then ours.
    script('ensure-dockerd.sh', 60_000);
    script('build-base-images.sh', 300_000);
    client = await getContainerRuntimeClient();
    // Host networking so npm ci inside the build reaches the registry (no bridge here).
    await client.image.build(ROOT, { t: TAG, buildargs: { BASE }, networkmode: 'host', forcerm: true });
    built = await client.image.exists(ImageName.fromString(TAG));
    if (!built) {
      // image.build swallows the build's own errors: rebuild with the CLI to show them.
      const r = spawnSync('docker', ['build', '--network', 'host', '--build-arg', `BASE=${BASE}`, '-q', ROOT], { encoding: 'utf8' });
      throw new Error(`the image was not built from ${ROOT}Dockerfile:\n${r.stdout}${r.stderr}`);
    }
  } catch (err) {
    setupError = err;
  }
}, 600_000);

afterAll(async () => {
  for (const c of containers) await c.stop({ timeout: 5_000 }).catch(() => undefined);
  // noprune keeps the layers, so the next run's build is mostly cache hits.
  if (built) await client.container.dockerode.getImage(TAG).remove({ force: true, noprune: true });
}, 60_000);

describe('the Docker image', () => {
  it('runs as uid 1000, exposes 9622, and has a HEALTHCHECK that works with node alone', async () => {
    ready();
    const info = await client.container.dockerode.getImage(TAG).inspect();
    expect(info.Config.User).toBe('node');
    expect(Object.keys(info.Config.ExposedPorts ?? {})).toEqual(['9622/tcp']);
    expect(info.Config.Entrypoint).toEqual(['node', HEAP_GROWTH_NODE_FLAG, '/app/dist/src/cli.js']);
    const health = (info.Config as { Healthcheck?: { Test?: string[] } }).Healthcheck?.Test;
    expect(health?.slice(0, 2)).toEqual(['CMD', 'node']);
    expect(info.Config.Env).toContain('BMC_EXPORTER_HEALTHCHECK_URL=http://127.0.0.1:9622/-/healthy');
  });

  describe('bare docker run: demo mode', () => {
    let demo: Running;
    beforeAll(async () => {
      if (setupError !== undefined) return;
      demo = await run([]);
      containers.push(demo.container);
    }, 60_000);

    it('runs as the node user (uid 1000), not root', async () => {
      ready();
      const id = await demo.container.exec(['id', '-u']);
      expect(id.exitCode).toBe(0);
      expect(id.output.trim()).toBe('1000');
    });

    it('serves real metrics from the embedded simulated BMCs', async () => {
      ready();
      expect(demo.logs()).toMatch(/demo mode/);
      const targets = /targets="([^"]+)"/.exec(demo.logs())?.[1]?.split(' ') ?? [];
      expect(targets.length).toBeGreaterThan(0);
      const m = await scrape(demo.port, targets[0]!);
      expect(m.get('bmc_up')).toBe(1);
      expect(m.get('chassis_powered_on')).toBe(1);
      expect(m.get('processor_temperature_celsius{cpu="1"}')).toBeGreaterThan(0);
      expect(m.get('power_draw_watts{psu="1"}')).toBeGreaterThan(0);
    });

    it("passes the image's own HEALTHCHECK command, and fails it when nothing answers", async () => {
      ready();
      const info = await client.container.dockerode.getImage(TAG).inspect();
      const cmd = (info.Config as { Healthcheck?: { Test?: string[] } }).Healthcheck!.Test!.slice(1);
      const ok = await demo.container.exec(cmd, { env: { BMC_EXPORTER_HEALTHCHECK_URL: `http://127.0.0.1:${demo.port}/-/healthy` } });
      expect(ok.exitCode, ok.output).toBe(0);
      const nobody = await freePort();
      const bad = await demo.container.exec(cmd, { env: { BMC_EXPORTER_HEALTHCHECK_URL: `http://127.0.0.1:${nobody}/-/healthy` } });
      expect(bad.exitCode).toBe(1);
    });
  });

  describe("the scrape deadline on the image's Node, while the garbage collector runs", () => {
    // src/testing/deadline-under-gc.ts, compiled here and run inside the image against
    // its own dist/ (the image ships no test code): the exporter, its loopback BMCs and
    // the forced collections all in one `node --expose-gc` process in the container.
    let result: DeadlineUnderGcResult | undefined;
    let logs = '';
    let checkError: unknown;

    beforeAll(async () => {
      if (setupError !== undefined) return;
      try {
        result = await runInImage();
      } catch (err) {
        checkError = err;
      }
    }, 120_000);

    async function runInImage(): Promise<DeadlineUnderGcResult> {
      const source = readFileSync(join(ROOT, 'src/testing/deadline-under-gc.ts'), 'utf8');
      const js = ts
        .transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } })
        .outputText.replace("from '../main.js'", "from '/app/dist/src/main.js'");
      expect(js).toContain("from '/app/dist/src/main.js'");
      const runner = `${js}\nconst r = await runDeadlineUnderGc({ concurrency: 40, firstHeaderSeconds: 4.5, headerSeconds: 1.5 });\nprocess.stdout.write('DEADLINE_RESULT ' + JSON.stringify(r) + '\\n', () => process.exit(0));\n`;
      const container = await new GenericContainer(TAG)
        .withNetworkMode('host')
        .withEntrypoint(['node'])
        .withCommand(['--expose-gc', '/tmp/deadline-under-gc.mjs'])
        .withCopyContentToContainer([{ content: runner, target: '/tmp/deadline-under-gc.mjs', mode: 0o644 }])
        .withLogConsumer((stream) => stream.on('data', (d: Buffer | string) => (logs += d.toString())))
        .withWaitStrategy(Wait.forOneShotStartup())
        .withStartupTimeout(90_000)
        .start();
      containers.push(container);
      // The container has exited; its last log lines may still be on their way.
      for (let i = 0; i < 50 && !/^DEADLINE_RESULT /m.test(logs); i++) await new Promise((r) => setTimeout(r, 100));
      const line = /^DEADLINE_RESULT (.*)$/m.exec(logs)?.[1];
      if (!line) throw new Error(`no result from the deadline check in the container:\n${logs}`);
      return JSON.parse(line) as DeadlineUnderGcResult;
    }

    it('runs on Node 22, and answers every scrape by its deadline plus a small bound: 200 with bmc_up 0, or 503 while queued', () => {
      ready();
      if (checkError !== undefined) throw checkError;
      if (!result) throw new Error(`no result:\n${logs}`);
      expect(result.node).toMatch(/^v22\./);
      expectDeadlinesKept(result, 40);
    });
  });

  describe('secrets.yml mounted in the working directory: a BMC outside the container', () => {
    let fleet: Fleet;
    let dir: string;
    let real: Running;

    beforeAll(async () => {
      if (setupError !== undefined) return;
      fleet = await startFleet({ count: 2, profile: 'server-2s', baseAddress: '127.4.0.1', port: 623, seed: 404 }, { workers: 0 });
      await fleet.setSensor(0, 'CPU1 Temp', CPU1_CELSIUS);
      await fleet.setSensor(0, 'PSU1 Input Power', PSU1_WATTS);
      dir = mkdtempSync(join(tmpdir(), 'bmc-exporter-docker-'));
      const secrets = join(dir, 'secrets.yml');
      const known = Object.fromEntries(Object.entries(fleet.secrets()).filter(([target]) => target === BMC_TARGET));
      expect(Object.keys(known)).toEqual([BMC_TARGET]);
      writeFileSync(secrets, formatSecretsFile(known), { mode: 0o644 });
      // The README's way: -v ./secrets.yml:/etc/bmc-exporter/secrets.yml:ro and no flag.
      real = await run([], (c) => c.withBindMounts([{ source: secrets, target: '/etc/bmc-exporter/secrets.yml', mode: 'ro' }]));
      containers.push(real.container);
    }, 60_000);

    afterAll(async () => {
      await fleet?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('scrapes the BMC with the mounted credentials and reports what it holds', async () => {
      ready();
      expect(real.logs()).not.toMatch(/demo mode/);
      const m = await scrape(real.port, BMC_TARGET);
      expect(m.get('bmc_up')).toBe(1);
      const def = fleet.bmcs[0]!.options.definition;
      expect(m.get(`bmc_info{guid="${formatGuid(parseGuid(def.guid))}",firmware="${def.device.firmware}",ipmi="2.0"}`)).toBe(1);
      expect(m.get('processor_temperature_celsius{cpu="1"}')).toBe(CPU1_CELSIUS);
      // The wire carries one raw byte: the BMC's value to within half its SDR step (6.9 W here).
      const psu = def.sensors.find((s) => s.name === 'PSU1 Input Power')!;
      expect(Math.abs(m.get('power_draw_watts{psu="1"}')! - PSU1_WATTS)).toBeLessThanOrEqual(resolution(deriveLinear(psu)) / 2);
      expect((await fleet.counters(0)).sessions.openedTotal).toBe(1);
    });

    it('refuses a target with no credentials without touching it', async () => {
      ready();
      const res = await fetch(`http://127.0.0.1:${real.port}/bmc?target=${UNKNOWN_TARGET}`);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      const untouched = await fleet.counters(fleet.indexOf(UNKNOWN_TARGET)!);
      expect(untouched.commandsTotal).toBe(0);
      expect(untouched.sessions.openedTotal).toBe(0);
    });

    it('docker stop closes the BMC session and exits 0 (SIGTERM reaches node as PID 1)', async () => {
      ready();
      await real.container.stop({ timeout: 10_000, remove: false });
      const counters = await fleet.counters(0);
      expect(counters.sessions.closedTotal).toBe(counters.sessions.openedTotal);
      expect(counters.sessions.open).toBe(0);
      const state = await client.container.inspect(client.container.getById(real.container.getId()));
      expect(state.State.ExitCode).toBe(0);
      await client.container.remove(client.container.getById(real.container.getId()));
    });
  });
});
