import { createServer, type Server } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { startExporter, type StartDeps, type StartOptions } from './main.js';

/** Sockets and servers this process holds, by kind: what a failed start must give back. */
function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === 'UDPWrap' || kind === 'TCPServerWrap' || kind === 'TCPSocketWrap') counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

const quiet = createLogger({ level: 'error', format: 'json', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

function options(o: Partial<StartOptions>): StartOptions {
  return {
    listen: { host: '127.0.0.1', port: 0 },
    scrapeTimeoutMs: 2500,
    scrapeTimeoutOffsetMs: 500,
    logLevel: 'error',
    logFormat: 'json',
    targetIdleTimeoutMs: 60_000,
    demo: false,
    ...o,
  };
}

describe('a start-up that fails releases everything it opened', () => {
  let dir: string;
  let secretsPath: string;
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'startup-'));
    secretsPath = join(dir, 'secrets.yml');
    await writeFile(secretsPath, '127.0.0.1:40623:\n  username: u\n  password: p\n');
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => busy.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  const cases: Array<[string, () => [Partial<StartOptions>, StartDeps], RegExp]> = [
    ['a broken secrets file', () => [{ secretsFile: join(dir, 'broken.yml') }, {}], /cannot read the secrets file/],
    ['a broken web config file', () => [{ secretsFile: secretsPath, webConfigFile: join(dir, 'web-missing.yml') }, {}], /web-missing\.yml/],
    [
      "demo mode's simulated BMCs failing to start",
      () => [{ demo: true }, { startDemo: () => Promise.reject(new Error('could not bind the demo BMCs on loopback: EADDRINUSE')) }],
      /could not bind the demo BMCs/,
    ],
    ['the listen address in use', () => [{ secretsFile: secretsPath, listen: { host: '127.0.0.1', port: busyPort } }, {}], /EADDRINUSE/],
  ];

  it.each(cases)('%s', async (_what, make, message) => {
    const before = handles();
    const [opts, deps] = make();
    await expect(startExporter(options(opts), { processMetrics: false, logger: quiet, ...deps })).rejects.toThrow(message);
    // A closed handle leaves the list in a later turn of the event loop (libuv's
    // close phase): wait a bounded number of turns, not a time.
    for (let turn = 0; turn < 50 && JSON.stringify(handles()) !== JSON.stringify(before); turn++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(handles()).toEqual(before);
  });
});
