// Security, with the CLI as users run it. Credentials (user names too: the
// logger redacts them, as an IPMI 2.0 user name is half of an offline RAKP
// attack) never appear in logs captured at debug level in both formats, in
// pages, /metrics, or error text — through a good scrape, a BMC refusing the
// password, an unknown target and a broken-then-fixed secrets reload. An
// unknown target gets a 4xx and not one datagram. With --web.config.file,
// basic auth (bcrypt) refuses missing or wrong credentials and TLS works with
// a self-signed certificate made by the openssl CLI.
import { createSocket, type Socket } from 'node:dgram';
import { request } from 'node:https';
import { makeSelfSignedCert } from '@bmc-exporter/bmc-sim';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle } from '../src/testing/fake-clock.js';
import { samples, startCli, tempDir, type CliProcess, type TempDir } from './exporter/cli.js';
import { startTestFleet, type TestFleet } from './exporter/fleet.js';

// Distinctive strings: any occurrence anywhere is a leak.
const BMC_USER = 'usr-Zq7xK2wJ';
const BMC_PASSWORD = 'pw-Vb93LmQx71Rt';
const WEB_USER = 'prom-Hn4Tg8';
const WEB_PASSWORD = 'web-Kd82PqZs5Y';
const SECRETS = [BMC_USER, BMC_PASSWORD];

let fleet: TestFleet;
let dir: TempDir;
let good: string;
let refusing: string;
// A plain UDP socket standing where an unknown BMC would be: it counts every datagram.
const UNKNOWN = '127.6.5.200:623';
let unknownSocket: Socket;
let unknownDatagrams = 0;

beforeAll(async () => {
  fleet = await startTestFleet({
    count: 2,
    profile: 'server-2s',
    baseAddress: '127.6.5.1',
    seed: 65,
    users: [{ name: BMC_USER, password: BMC_PASSWORD, maxPrivilege: 'user' }],
    bmcFaults: { '1': { wrongPassword: true } },
  });
  [good, refusing] = fleet.targets as [string, string];
  dir = await tempDir('bmc-exporter-security-');
  unknownSocket = createSocket('udp4');
  unknownSocket.on('message', () => unknownDatagrams++);
  await new Promise<void>((resolve, reject) => {
    unknownSocket.once('error', reject);
    unknownSocket.bind(623, '127.6.5.200', () => resolve());
  });
});

afterAll(async () => {
  await fleet?.close();
  await dir?.remove();
  await new Promise<void>((resolve) => (unknownSocket ? unknownSocket.close(() => resolve()) : resolve()));
});

function expectNoSecret(what: string, text: string, secrets: readonly string[] = SECRETS): void {
  for (const s of secrets) {
    const at = text.indexOf(s);
    expect(at, `${what} contains "${s}": …${text.slice(Math.max(0, at - 80), at + 80)}…`).toBe(-1);
  }
}

const secretsYaml = (targets: readonly string[]) => Object.fromEntries(targets.map((t) => [t, { username: BMC_USER, password: BMC_PASSWORD }]));

describe.each(['logfmt', 'json'] as const)('--log.level debug --log.format %s', (format) => {
  let exporter: CliProcess;
  let secretsFile: string;
  const seen: Array<[string, string]> = [];
  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${exporter.url}${path}`, init);
    const text = await res.text();
    seen.push([`${init?.method ?? 'GET'} ${path} → ${res.status}`, text]);
    return { status: res.status, text };
  };

  beforeAll(async () => {
    secretsFile = await dir.write(`secrets-${format}.yml`, secretsYaml([good, refusing]));
    exporter = await startCli(['--web.listen-address', '127.0.0.1:0', '--secrets.static', secretsFile, '--log.level', 'debug', '--log.format', format]);
  });

  afterAll(async () => {
    await exporter?.stop();
  });

  it('a good scrape, a BMC refusing the password, an unknown target (4xx, no packet), pages and /metrics: no credential anywhere', async () => {
    const ok = await get(`/bmc?target=${good}`);
    expect(ok.status).toBe(200);
    expect(samples(ok.text).get('bmc_up')).toBe(1);

    const refused = await get(`/bmc?target=${refusing}`);
    expect(refused.status).toBe(200);
    expect(samples(refused.text).get('bmc_up')).toBe(0);

    const before = unknownDatagrams;
    const unknown = await get(`/bmc?target=${UNKNOWN}`);
    expect(unknown.status).toBeGreaterThanOrEqual(400);
    expect(unknown.status).toBeLessThan(500);
    expect(unknown.text).toContain(UNKNOWN);
    // On loopback a datagram is in the receiving socket's queue once sendto returns, and the
    // exporter sends before it answers; so by the time we hold the answer, any datagram is
    // already queued here, and a few turns of our event loop read it. No waiting on the clock.
    await settle();
    expect(unknownDatagrams - before).toBe(0);

    const home = await get('/');
    expect(home.text).toContain(good);
    expect(home.text).toContain(refusing);
    // The console's page per BMC, as HTML and as JSON (the errors it shows came through describe()).
    for (const t of [good, refusing]) {
      expect((await get(`/target?target=${t}`)).status).toBe(200);
      expect((await get(`/target?target=${t}&format=json`)).status).toBe(200);
    }
    const self = await get('/metrics');
    expect(samples(self.text).get('bmc_provider_credentials_missing_total')).toBe(1);

    for (const [what, text] of seen) expectNoSecret(what, text);
  });

  it('a broken secrets file on /-/reload is refused without quoting it; the fixed one reloads', async () => {
    // A typo'd key holding the password, and a line that does not parse: the errors must name lines, not values.
    await dir.write(`secrets-${format}.yml`, `"${good}":\n  username: ${BMC_USER}\n  pasword: ${BMC_PASSWORD}\n`);
    const typo = await get('/-/reload', { method: 'POST' });
    expect(typo.status).toBe(500);
    expect(typo.text).toMatch(/pasword/);
    await dir.write(`secrets-${format}.yml`, `"${good}":\n  username: ${BMC_USER}\n  password: [${BMC_PASSWORD}\n`);
    const broken = await get('/-/reload', { method: 'POST' });
    expect(broken.status).toBe(500);
    // The old secrets stay in force.
    expect(samples((await get(`/bmc?target=${good}`)).text).get('bmc_up')).toBe(1);

    await dir.write(`secrets-${format}.yml`, secretsYaml([good]));
    expect((await get('/-/reload', { method: 'POST' })).status).toBe(200);
    expect((await get(`/bmc?target=${refusing}`)).status).toBe(403);
    expect(samples((await get(`/bmc?target=${good}`)).text).get('bmc_up')).toBe(1);
    const self = samples((await get('/metrics')).text);
    expect(self.get('bmc_exporter_secrets_reloads_total{result="failure"}')).toBe(2);
    expect(self.get('bmc_exporter_secrets_reloads_total{result="success"}')).toBe(1);

    for (const [what, text] of seen) expectNoSecret(what, text);
  });

  it('logged at debug level, the logs name targets and errors but no credential, and the process exits 0', async () => {
    expect(await exporter.stop()).toBe(0);
    const logs = exporter.stderr() + exporter.stdout();
    // The debug level was really on, and the interesting events were logged.
    expect(logs).toMatch(format === 'json' ? /"level":"debug"/ : /level=debug/);
    expect(logs).toContain(good);
    expect(logs).toContain(refusing);
    expect(logs).toMatch(/reload failed/);
    expectNoSecret(`${format} logs`, logs);
  });
});

describe('--web.config.file: basic auth (bcrypt) and TLS (openssl self-signed)', () => {
  let exporter: CliProcess;
  let ca: Buffer;
  let disposeCert: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const tls = await makeSelfSignedCert(['127.0.0.1'], '127.0.0.1');
    disposeCert = tls.dispose;
    ca = Buffer.from(tls.cert);
    const key = await dir.write('tls.key', tls.key);
    const cert = tls.caFile;
    const web = await dir.write('web.yml', {
      tls_server_config: { cert_file: cert, key_file: key },
      basic_auth_users: { [WEB_USER]: bcrypt.hashSync(WEB_PASSWORD, 10) },
    });
    const secrets = await dir.write('secrets-web.yml', secretsYaml([good]));
    exporter = await startCli(['--web.listen-address', '127.0.0.1:0', '--secrets.static', secrets, '--web.config.file', web, '--log.level', 'debug']);
  });

  afterAll(async () => {
    await exporter?.stop();
    await disposeCert?.();
  });

  /** An HTTPS request trusting only our self-signed certificate. */
  function httpsGet(path: string, auth?: string): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const u = new URL(path, exporter.url);
      const req = request(u, { ca, headers: auth ? { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {} }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, text, headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('serves HTTPS with the certificate; without or with wrong basic auth → 401, with the right one → 200 and a scrape works', async () => {
    expect(exporter.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const none = await httpsGet('/metrics');
    expect(none.status).toBe(401);
    expect(String(none.headers['www-authenticate'])).toMatch(/^Basic /);
    expect((await httpsGet(`/bmc?target=${good}`, `${WEB_USER}:wrong-password`)).status).toBe(401);
    expect((await httpsGet('/', `nobody:${WEB_PASSWORD}`)).status).toBe(401);
    const home = await httpsGet('/', `${WEB_USER}:${WEB_PASSWORD}`);
    expect(home.status).toBe(200);
    expect((await httpsGet(`/target?target=${good}`)).status).toBe(401);
    const scrape = await httpsGet(`/bmc?target=${good}`, `${WEB_USER}:${WEB_PASSWORD}`);
    expect(scrape.status).toBe(200);
    expect(samples(scrape.text).get('bmc_up')).toBe(1);
    const console_ = await httpsGet(`/target?target=${good}`, `${WEB_USER}:${WEB_PASSWORD}`);
    expect(console_.status).toBe(200);
    expect(console_.text).toContain('id="bmc-info"');
    for (const r of [none, home, scrape, console_]) expectNoSecret('https page', r.text, [...SECRETS, WEB_PASSWORD]);
  });

  it('refuses plain HTTP on the TLS port, and a client that does not trust the certificate', async () => {
    const plain = await fetch(exporter.url.replace('https:', 'http:') + '/metrics').then(
      (r) => r.status,
      () => 'refused',
    );
    expect(plain).not.toBe(200);
    // Node's default trust store does not know our self-signed certificate.
    await expect(fetch(`${exporter.url}/-/healthy`)).rejects.toThrow();
  });

  it('never logs the web password or the BMC credentials', async () => {
    expect(await exporter.stop()).toBe(0);
    const logs = exporter.stderr() + exporter.stdout();
    expect(logs).toMatch(/tls=true/);
    expectNoSecret('web-config logs', logs, [...SECRETS, WEB_PASSWORD]);
  });
});
