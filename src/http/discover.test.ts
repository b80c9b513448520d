import bcrypt from 'bcryptjs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { startExporter, type Exporter, type StartOptions } from '../main.js';

// GET /discover through the whole exporter: secrets file → SecretsStore → route.
// Nothing here is scraped, so no packet is sent to any of these addresses.
const FILE = `
127.0.2.1:623:
  username: a
  password: s3cret
  labels: {rack: r1, site: par1}
127.0.2.2:623:
  username: a
  password: s3cret
  labels: {site: par1, rack: r1}
bmc1.example.com:623:
  username: a
  password: s3cret
127.51.100.0/24:623:
  username: a
  password: s3cret
  labels: {rack: r9}
`;

let dir: string;
let secrets: string;
const cleanup: Array<() => Promise<unknown>> = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bmc-exporter-discover-'));
  secrets = join(dir, 'secrets.yml');
});
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
  await rm(dir, { recursive: true, force: true });
});

async function start(opts: Partial<StartOptions>): Promise<Exporter> {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const exporter = await startExporter(
    {
      listen: { host: '127.0.0.1', port: 0 },
      scrapeTimeoutMs: 2500,
      scrapeTimeoutOffsetMs: 500,
      logLevel: 'info',
      logFormat: 'json',
      targetIdleTimeoutMs: 60_000,
      demo: false,
      ...opts,
    },
    { processMetrics: false, logger: createLogger({ level: 'info', format: 'json', destination: sink }) },
  );
  cleanup.push(() => exporter.close());
  return exporter;
}

async function discover(e: Exporter, init: RequestInit = {}) {
  const res = await fetch(`${e.url}/discover`, init);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: res.status === 200 && init.method !== 'HEAD' ? ((await res.json()) as unknown) : await res.text(),
  };
}

describe('GET /discover', () => {
  it('answers the exact targets as http_sd JSON, grouped by labels, CIDR ranges not enumerated, no credentials', async () => {
    await writeFile(secrets, FILE);
    const e = await start({ secretsFile: secrets });
    const r = await discover(e);
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/json');
    expect(r.body).toEqual([
      { targets: ['127.0.2.1:623', '127.0.2.2:623'], labels: { rack: 'r1', site: 'par1' } },
      { targets: ['bmc1.example.com:623'], labels: {} },
    ]);
    expect(JSON.stringify(r.body)).not.toContain('s3cret');
    const head = await discover(e, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('answers [] (not an error) when the file has no exact targets', async () => {
    await writeFile(secrets, '# nothing yet\n');
    const e = await start({ secretsFile: secrets });
    expect(await discover(e)).toEqual({ status: 200, type: 'application/json', body: [] });
  });

  it('follows reloads: the whole new list after a good one, the old list after a bad one', async () => {
    await writeFile(secrets, FILE);
    const e = await start({ secretsFile: secrets });
    await writeFile(secrets, '127.0.2.7:623:\n  username: a\n  password: b\n  labels: {rack: r7}\n');
    expect((await e.reload()).ok).toBe(true);
    expect((await discover(e)).body).toEqual([{ targets: ['127.0.2.7:623'], labels: { rack: 'r7' } }]);
    await writeFile(secrets, '127.0.2.8:623:\n  username: a\n');
    expect((await e.reload()).ok).toBe(false);
    expect((await discover(e)).body).toEqual([{ targets: ['127.0.2.7:623'], labels: { rack: 'r7' } }]);
  });

  it('sits behind the same basic auth as every other page', async () => {
    await writeFile(secrets, FILE);
    const web = join(dir, 'web.yml');
    await writeFile(web, `basic_auth_users:\n  prom: "${bcrypt.hashSync('let-me-in', 4)}"\n`);
    const e = await start({ secretsFile: secrets, webConfigFile: web });
    const denied = await discover(e);
    expect(denied.status).toBe(401);
    expect(String(denied.body)).not.toContain('127.0.2.1');
    const wrong = await discover(e, { headers: { Authorization: `Basic ${Buffer.from('prom:nope').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    const ok = await discover(e, { headers: { Authorization: `Basic ${Buffer.from('prom:let-me-in').toString('base64')}` } });
    expect(ok.status).toBe(200);
    expect(ok.body).toHaveLength(2);
  });

  it('refuses other methods', async () => {
    await writeFile(secrets, FILE);
    const e = await start({ secretsFile: secrets });
    const r = await discover(e, { method: 'POST' });
    expect(r.status).toBe(405);
  });
});
