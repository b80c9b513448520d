import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { clientCertificateAllowed, loadWebConfig, tlsServerOptions } from './web-config.js';

let dir: string;
let hash: string;

/** A self-signed certificate for 127.0.0.1, made with openssl for this run. */
function makeCert(name: string): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      join(dir, `${name}.key`),
      '-out',
      join(dir, `${name}.crt`),
    ],
    { stdio: 'ignore' },
  );
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function loadError(text: string): Promise<ConfigError> {
  const path = write('web.yml', text);
  const err = await loadWebConfig(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'web-config-'));
  makeCert('server');
  makeCert('other');
  hash = await bcrypt.hash('s3cret', 4);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadWebConfig', () => {
  it('an empty file means plain HTTP with no auth', async () => {
    expect(await loadWebConfig(write('web.yml', '# nothing\n'))).toEqual({});
  });

  it('reads the exporter-toolkit format, files relative to the config file', async () => {
    const config = await loadWebConfig(
      write(
        'web.yml',
        [
          'tls_server_config:',
          '  cert_file: server.crt', // relative: resolved next to web.yml
          `  key_file: ${join(dir, 'server.key')}`,
          '  min_version: TLS13',
          '  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]',
          '  curve_preferences: [X25519, CurveP256]',
          'http_server_config:',
          '  http2: true',
          '  headers:',
          '    X-Frame-Options: deny',
          '    Content-Security-Policy: ""',
          'basic_auth_users:',
          `  prom: ${hash}`,
          '',
        ].join('\n'),
      ),
    );
    expect(config.tls).toMatchObject({
      clientAuth: 'NoClientCert',
      requestCert: false,
      minVersion: 'TLSv1.3',
      ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256',
      ecdhCurve: 'X25519:P-256',
    });
    expect(config.tls?.cert.toString()).toContain('BEGIN CERTIFICATE');
    expect(config.headers).toEqual({ 'X-Frame-Options': 'deny' });
    const auth = `Basic ${Buffer.from('prom:s3cret').toString('base64')}`;
    expect(await config.basicAuth?.check(auth)).toBe(true);
  });

  it.each<[string, string, string]>([
    ['bad YAML', 'basic_auth_users:\n  prom: [a\n', 'web.yml:3:'],
    [
      'unknown top-level field',
      'tls_config:\n  cert_file: x\n',
      'web.yml:1:1: unknown field "tls_config" in the web config; the fields are tls_server_config, basic_auth_users, http_server_config',
    ],
    [
      'unknown TLS field',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  certfile: x\n',
      'web.yml:4:3: unknown field "certfile" in tls_server_config',
    ],
    ['missing key_file', 'tls_server_config:\n  cert_file: server.crt\n', 'web.yml:2:3: tls_server_config needs key_file (the server private key, PEM)'],
    [
      'cert file not there',
      'tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key\n',
      'web.yml:2:14: cannot read cert_file "nope.crt" (the server certificate): no such file',
    ],
    [
      'key of another cert',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: other.key\n',
      'web.yml:3:13: the server key does not belong to the server certificate',
    ],
    [
      'not a certificate',
      'tls_server_config:\n  cert_file: server.key\n  key_file: server.key\n',
      'web.yml:2:14: the server certificate is not a PEM X.509 certificate',
    ],
    [
      'bad client_auth_type',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: Always\n',
      'web.yml:4:21: client_auth_type is "Always"; use one of NoClientCert, RequestClientCert',
    ],
    [
      'verify without a CA',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n',
      'web.yml:4:21: client_auth_type RequireAndVerifyClientCert needs client_ca_file',
    ],
    [
      'bad min_version',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS1.2\n',
      'web.yml:4:16: min_version is "TLS1.2"; use one of TLS10, TLS11, TLS12, TLS13',
    ],
    [
      'unknown cipher suite',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites: [TLS_RC4]\n',
      'web.yml:4:19: each cipher suite is "TLS_RC4"',
    ],
    ['plain-text password', 'basic_auth_users:\n  prom: hunter2\n', 'web.yml:2:9: the password of "prom" must be a bcrypt hash'],
    ['header not settable', 'http_server_config:\n  headers:\n    Server: me\n', 'web.yml:3:5: header "Server" cannot be set here'],
    [
      'bad header value',
      'http_server_config:\n  headers:\n    X-Frame-Options: allow\n',
      'web.yml:3:22: X-Frame-Options is "allow"; use one of "deny", "sameorigin"',
    ],
  ])('%s', async (_what, text, message) => {
    const err = await loadError(text);
    expect(err.message.startsWith(join(dir, message))).toBe(true);
    expect(err.message).not.toContain('hunter2');
  });

  it('a missing web config file is a clear error', async () => {
    const err = await loadWebConfig(join(dir, 'absent.yml')).catch((e: unknown) => e);
    expect((err as ConfigError).message).toBe(`${join(dir, 'absent.yml')}: cannot read the web config file: no such file`);
  });

  it('serves TLS with the options it builds', async () => {
    const config = await loadWebConfig(write('web.yml', 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n'));
    const tls = config.tls!;
    const server = createServer(tlsServerOptions(tls), (req, res) => {
      res.end(clientCertificateAllowed(req.socket as import('node:tls').TLSSocket, tls) ? 'ok' : 'refused');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/', ca: tls.cert }, (res) => {
          let b = '';
          res.on('data', (c: Buffer) => (b += c.toString()));
          res.on('end', () => resolve(b));
        });
        req.on('error', reject);
        req.end();
      });
      expect(body).toBe('ok');
    } finally {
      server.close();
    }
  });
});

describe('clientCertificateAllowed', () => {
  const base = { cert: Buffer.alloc(0), key: Buffer.alloc(0), requestCert: true, minVersion: 'TLSv1.2', honorCipherOrder: true } as const;
  // A stand-in for the two TLSSocket members clientCertificateAllowed reads.
  const socket = (present: boolean, authorized: boolean, san = 'DNS:client.example, IP Address:127.0.0.1') =>
    ({
      authorized,
      getPeerCertificate: () => (present ? { subjectaltname: san } : {}),
    }) as unknown as import('node:tls').TLSSocket;
  it.each<[string, boolean, boolean, boolean]>([
    ['RequestClientCert', false, false, true],
    ['RequireAnyClientCert', false, false, false],
    ['RequireAnyClientCert', true, false, true],
    ['VerifyClientCertIfGiven', false, false, true],
    ['VerifyClientCertIfGiven', true, false, false],
    ['VerifyClientCertIfGiven', true, true, true],
    ['RequireAndVerifyClientCert', true, false, false],
    ['RequireAndVerifyClientCert', true, true, true],
  ])('%s, cert given %s, verified %s → %s', (clientAuth, present, authorized, allowed) => {
    expect(clientCertificateAllowed(socket(present, authorized), { ...base, clientAuth: clientAuth as 'NoClientCert' })).toBe(allowed);
  });
  it('client_allowed_sans matches any SAN kind', () => {
    const tls = { ...base, clientAuth: 'RequireAnyClientCert' as const, clientAllowedSans: ['127.0.0.1'] };
    expect(clientCertificateAllowed(socket(true, false), tls)).toBe(true);
    expect(clientCertificateAllowed(socket(true, false, 'DNS:other'), tls)).toBe(false);
  });
});
