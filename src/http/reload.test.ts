import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import bcrypt from 'bcryptjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger.js';
import { startExporter, type Exporter, type StartOptions } from '../main.js';
import { samples } from '../testing/sim-target.js';

const cleanup: Array<() => Promise<void>> = [];
/** The warnings and errors the last exporter started logged. */
let logText = '';
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function start(opts: Partial<StartOptions> = {}, webConfig?: string, withSecrets = true): Promise<Exporter> {
  logText = '';
  const dir = await mkdtemp(join(tmpdir(), 'bmc-exporter-reload-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const secretsFile = join(dir, 'secrets.yml');
  await writeFile(secretsFile, '"127.0.0.1:623":\n  username: u\n  password: p\n');
  let webConfigFile: string | undefined;
  if (webConfig) await writeFile((webConfigFile = join(dir, 'web.yml')), webConfig);
  const exporter = await startExporter(
    {
      listen: { host: '127.0.0.1', port: 0 },
      ...(withSecrets ? { secretsFile } : {}),
      scrapeTimeoutMs: 2000,
      scrapeTimeoutOffsetMs: 500,
      logLevel: 'error',
      logFormat: 'json',
      targetIdleTimeoutMs: 60_000,
      demo: false,
      ...(webConfigFile ? { webConfigFile } : {}),
      ...opts,
    },
    {
      processMetrics: false,
      logger: createLogger({
        level: 'warn',
        format: 'json',
        destination: new Writable({
          write: (chunk, _e, cb) => {
            logText += String(chunk);
            cb();
          },
        }),
      }),
    },
  );
  cleanup.push(() => exporter.close());
  return exporter;
}

async function reloads(e: Exporter, headers: Record<string, string> = {}): Promise<number> {
  const m = samples(await (await fetch(`${e.url}/metrics`, { headers })).text());
  return m.get('bmc_exporter_secrets_reloads_total{result="success"}')! + m.get('bmc_exporter_secrets_reloads_total{result="failure"}')!;
}

/**
 * Send raw bytes on a fresh connection; resolve with everything the server
 * wrote back before closing. With `cutOnRequest`, the client goes away as soon
 * as the exporter has the request's head: the rest of the body never comes.
 */
function raw(e: Exporter, bytes: string, cutOnRequest = false): Promise<string> {
  const u = new URL(e.url);
  return new Promise((resolve, reject) => {
    let got = '';
    const s = connect({ host: u.hostname, port: Number(u.port) }, () => s.write(bytes));
    if (cutOnRequest) e.httpServer.once('request', () => s.end());
    s.on('data', (d) => (got += d.toString()));
    s.on('error', reject);
    s.on('close', () => resolve(got));
  });
}

/** Waits for the handler to log that it reloaded nothing; from then on this request can no longer reload. */
async function refusedBrokenBody(): Promise<void> {
  await vi.waitFor(() => expect(logText).toContain('reload request with a broken body; nothing was reloaded'), { timeout: 3_000, interval: 10 });
}

describe('POST /-/reload', () => {
  it('reloads on a well-formed request, with or without a (small) body', async () => {
    const e = await start();
    expect((await fetch(`${e.url}/-/reload`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${e.url}/-/reload`, { method: 'POST', body: 'please' })).status).toBe(200);
    expect(await reloads(e)).toBe(2);
  });

  it('a broken chunked body is answered 400 and reloads nothing', async () => {
    const e = await start();
    // The exporter answers 400 and closes the connection.
    const answer = await raw(e, 'POST /-/reload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot a chunk\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    await refusedBrokenBody();
    expect(await reloads(e)).toBe(0);
  });

  it('a body cut off before its end reloads nothing', async () => {
    const e = await start();
    await raw(e, 'POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part of it', true);
    await refusedBrokenBody();
    expect(await reloads(e)).toBe(0);
  });

  it('a body over the limit is refused with 413 and reloads nothing', async () => {
    const e = await start();
    const res = await fetch(`${e.url}/-/reload`, { method: 'POST', body: 'x'.repeat(65 * 1024) });
    expect(res.status).toBe(413);
    expect(await reloads(e)).toBe(0);
  });

  it('--web.disable-reload turns it off: 403, nothing reloaded', async () => {
    const e = await start({ reloadDisabled: true });
    const res = await fetch(`${e.url}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/--web\.disable-reload/);
    expect(await reloads(e)).toBe(0);
    // SIGHUP's path still works.
    expect(await e.reload()).toEqual({ ok: true, reloaded: ['secrets'] });
  });

  it("sits behind the web config's basic auth like every other route", async () => {
    const hash = bcrypt.hashSync('s3cret', 4);
    const e = await start({}, `basic_auth_users:\n  prom: ${hash}\n`);
    const auth = { Authorization: `Basic ${Buffer.from('prom:s3cret').toString('base64')}` };
    expect((await fetch(`${e.url}/-/reload`, { method: 'POST' })).status).toBe(401);
    const wrong = { Authorization: `Basic ${Buffer.from('prom:nope').toString('base64')}` };
    expect((await fetch(`${e.url}/-/reload`, { method: 'POST', headers: wrong })).status).toBe(401);
    expect(await reloads(e, auth)).toBe(0);
    expect((await fetch(`${e.url}/-/reload`, { method: 'POST', headers: auth })).status).toBe(200);
    expect(await reloads(e, auth)).toBe(1);
  });
});

describe('what a reload answers it reloaded', () => {
  /** An exporter with a modules file (--config.file), with or without the secrets file. */
  async function withModules(secrets: boolean): Promise<{ e: Exporter; modulesFile: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'bmc-exporter-reload-modules-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const modulesFile = join(dir, 'ipmi.yml');
    await writeFile(modulesFile, 'modules:\n  default:\n    collectors: [chassis]\n');
    const e = await start({ ipmiConfigFile: modulesFile }, undefined, secrets);
    return { e, modulesFile };
  }
  const post = async (e: Exporter) => {
    const res = await fetch(`${e.url}/-/reload`, { method: 'POST' });
    return { status: res.status, text: await res.text() };
  };

  it('names the secrets file alone when only it is configured', async () => {
    expect(await post(await start())).toEqual({ status: 200, text: 'secrets reloaded\n' });
  });

  it('names the modules file alone when only it is configured, never the secrets', async () => {
    const { e } = await withModules(false);
    expect(await post(e)).toEqual({ status: 200, text: 'modules reloaded\n' });
  });

  it('names both when both are configured', async () => {
    const { e } = await withModules(true);
    expect(await post(e)).toEqual({ status: 200, text: 'secrets and modules reloaded\n' });
  });

  it('a broken modules file: 500 naming the modules as kept, and saying the secrets were reloaded', async () => {
    const { e, modulesFile } = await withModules(true);
    await writeFile(modulesFile, 'modules:\n  default:\n    colectors: [chassis]\n');
    const answer = await post(e);
    expect(answer.status).toBe(500);
    expect(answer.text).toMatch(/^reload failed, keeping the previous modules: /);
    expect(answer.text).toContain(`${modulesFile}:3:`);
    expect(answer.text).toMatch(/\(secrets reloaded\)\n$/);
    expect(await e.reload()).toMatchObject({ ok: false, reloaded: ['secrets'], failed: ['modules'] });
  });
});
