import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Node, YAMLMap } from 'yaml';
import { ConfigError } from '../config/config-error.js';
import { YamlSource } from '../config/yaml-source.js';
import { BCRYPT_HASH, BasicAuthChecker } from './basic-auth.js';
import { CIPHER_SUITES, CLIENT_AUTH_TYPES, CURVES, TLS_VERSIONS } from './tls-options.js';
import type { ClientAuthType, WebTlsConfig } from './tls-options.js';

export { BasicAuthChecker } from './basic-auth.js';
export { clientCertificateAllowed, tlsServerOptions } from './tls-options.js';
export type { WebTlsConfig } from './tls-options.js';

/**
 * `--web.config.file`: the Prometheus exporter-toolkit web configuration
 * (docs/web-configuration.md in prometheus/exporter-toolkit), so one file
 * serves every exporter on a host. Read once at start.
 */
export interface WebConfig {
  tls?: WebTlsConfig;
  basicAuth?: BasicAuthChecker;
  /** Extra response headers (http_server_config.headers). */
  headers?: Record<string, string>;
}

const TOP_FIELDS = ['tls_server_config', 'basic_auth_users', 'http_server_config'] as const;
const TLS_FIELDS = [
  'cert_file',
  'key_file',
  'cert',
  'key',
  'client_ca_file',
  'client_ca',
  'client_auth_type',
  'client_allowed_sans',
  'min_version',
  'max_version',
  'cipher_suites',
  'prefer_server_cipher_suites',
  'curve_preferences',
] as const;
const HTTP_FIELDS = ['headers', 'http2'] as const;

/** The headers exporter-toolkit lets a file set, with their allowed values (empty: any). */
const HEADERS: Readonly<Record<string, readonly string[]>> = {
  'Strict-Transport-Security': [],
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': [],
  'Content-Security-Policy': [],
};

export async function loadWebConfig(path: string): Promise<WebConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, `cannot read the web config file: ${describeFsError(err)}`);
  }
  return parseWebConfig(text, path, (file) => readFile(isAbsolute(file) ? file : resolve(dirname(path), file)));
}

/** Files named inside are read through readFileAt, relative to the config file's directory, as exporter-toolkit does. */
export async function parseWebConfig(text: string, fileName: string, readFileAt: (file: string) => Promise<Buffer>): Promise<WebConfig> {
  const src = new YamlSource(text, fileName);
  const root = src.rootMap('web settings (tls_server_config, basic_auth_users, http_server_config)');
  const config: WebConfig = {};
  if (!root) return config;
  const fields = fieldsOf(src, root, 'the web config', TOP_FIELDS);

  const tlsNode = fields.get('tls_server_config');
  if (tlsNode) config.tls = await parseTls(src, tlsNode, readFileAt);

  const usersNode = fields.get('basic_auth_users');
  if (usersNode && !isNull(usersNode)) {
    const users = new Map<string, string>();
    for (const { key, value } of src.pairs(src.map(usersNode, 'basic_auth_users'), 'basic_auth_users')) {
      const hash = src.string(value, `the hash of "${key}"`);
      if (!BCRYPT_HASH.test(hash)) {
        throw src.error(value, `the password of "${key}" must be a bcrypt hash ($2y$10$ and 53 characters), e.g. from: htpasswd -nBC 10 "" | tr -d ':\\n'`);
      }
      users.set(key, hash);
    }
    if (users.size > 0) config.basicAuth = new BasicAuthChecker(users);
  }

  const httpNode = fields.get('http_server_config');
  if (httpNode && !isNull(httpNode)) {
    const http = fieldsOf(src, src.map(httpNode, 'http_server_config'), 'http_server_config', HTTP_FIELDS);
    const http2 = http.get('http2');
    // node:http serves HTTP/1.1 only; the field is accepted so shared files load.
    if (http2) src.bool(http2, 'http2');
    const headersNode = http.get('headers');
    if (headersNode && !isNull(headersNode)) {
      const headers: Record<string, string> = {};
      for (const { key, keyNode, value } of src.pairs(src.map(headersNode, 'headers'), 'headers')) {
        const allowed = HEADERS[key];
        if (!allowed) throw src.error(keyNode, `header "${key}" cannot be set here; the settable headers are ${Object.keys(HEADERS).join(', ')}`);
        const v = src.string(value, key);
        if (allowed.length > 0 && !allowed.includes(v)) throw src.error(value, `${key} is "${v}"; use one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
        if (v !== '') headers[key] = v;
      }
      if (Object.keys(headers).length > 0) config.headers = headers;
    }
  }
  return config;
}

async function parseTls(src: YamlSource, node: Node, readFileAt: (file: string) => Promise<Buffer>): Promise<WebTlsConfig> {
  const map = src.map(node, 'tls_server_config');
  const f = fieldsOf(src, map, 'tls_server_config', TLS_FIELDS);
  const pem = async (inline: string, file: string, what: string, required: boolean): Promise<Buffer | undefined> => {
    const inlineNode = f.get(inline);
    const fileNode = f.get(file);
    if (inlineNode && fileNode) throw src.error(inlineNode, `give ${inline} or ${file}, not both`);
    if (inlineNode) return Buffer.from(src.string(inlineNode, inline));
    if (!fileNode) {
      if (required) throw src.error(map, `tls_server_config needs ${file} (the ${what}, PEM)`);
      return undefined;
    }
    const path = src.string(fileNode, file);
    try {
      return await readFileAt(path);
    } catch (err) {
      throw src.error(fileNode, `cannot read ${file} "${path}" (the ${what}): ${describeFsError(err)}`);
    }
  };
  const cert = (await pem('cert', 'cert_file', 'server certificate', true))!;
  const key = (await pem('key', 'key_file', 'server private key', true))!;
  const ca = await pem('client_ca', 'client_ca_file', 'CA that signs client certificates', false);
  checkKeyPair(src, map, f, cert, key);

  const authNode = f.get('client_auth_type');
  const clientAuth = authNode ? oneOf(src, authNode, 'client_auth_type', CLIENT_AUTH_TYPES) : 'NoClientCert';
  if (clientAuth === 'RequireAndVerifyClientCert' && !ca) {
    throw src.error(authNode ?? map, 'client_auth_type RequireAndVerifyClientCert needs client_ca_file to verify client certificates against');
  }
  if (ca && clientAuth === 'NoClientCert') {
    throw src.error(
      f.get('client_ca_file') ?? f.get('client_ca') ?? map,
      'a client CA is set but client_auth_type is NoClientCert; set client_auth_type: RequireAndVerifyClientCert',
    );
  }
  const tls: WebTlsConfig = {
    cert,
    key,
    clientAuth,
    requestCert: clientAuth !== 'NoClientCert',
    minVersion: 'TLSv1.2',
    honorCipherOrder: true,
  };
  if (ca) tls.ca = ca;
  const minNode = f.get('min_version');
  if (minNode) tls.minVersion = TLS_VERSIONS[oneOf(src, minNode, 'min_version', Object.keys(TLS_VERSIONS))]!;
  const maxNode = f.get('max_version');
  if (maxNode) tls.maxVersion = TLS_VERSIONS[oneOf(src, maxNode, 'max_version', Object.keys(TLS_VERSIONS))]!;
  if (tls.maxVersion && tls.maxVersion < tls.minVersion) throw src.error(maxNode ?? map, 'max_version is lower than min_version');
  const suites = f.get('cipher_suites');
  if (suites && !isNull(suites)) {
    tls.ciphers = src
      .list(suites, 'cipher_suites')
      .map((n) => CIPHER_SUITES[oneOf(src, n, 'each cipher suite', Object.keys(CIPHER_SUITES))]!)
      .join(':');
  }
  const prefer = f.get('prefer_server_cipher_suites');
  if (prefer) tls.honorCipherOrder = src.bool(prefer, 'prefer_server_cipher_suites');
  const curves = f.get('curve_preferences');
  if (curves && !isNull(curves)) {
    tls.ecdhCurve = src
      .list(curves, 'curve_preferences')
      .map((n) => CURVES[oneOf(src, n, 'each curve', Object.keys(CURVES))]!)
      .join(':');
  }
  const sans = f.get('client_allowed_sans');
  if (sans && !isNull(sans)) {
    tls.clientAllowedSans = src.list(sans, 'client_allowed_sans').map((n) => src.string(n, 'each allowed SAN'));
    if (clientAuth !== 'RequireAnyClientCert' && clientAuth !== 'RequireAndVerifyClientCert') {
      throw src.error(sans, 'client_allowed_sans needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert');
    }
  }
  return tls;
}

/** A bad PEM or a key that is not the certificate's would otherwise surface as an opaque error at listen time. */
function checkKeyPair(src: YamlSource, map: YAMLMap, f: Map<string, Node | null>, cert: Buffer, key: Buffer): void {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw src.error(f.get('cert_file') ?? f.get('cert') ?? map, 'the server certificate is not a PEM X.509 certificate');
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw src.error(f.get('key_file') ?? f.get('key') ?? map, 'the server key is not a PEM private key (an encrypted key is not supported)');
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw src.error(f.get('key_file') ?? f.get('key') ?? map, 'the server key does not belong to the server certificate');
  }
}

function fieldsOf(src: YamlSource, map: YAMLMap, where: string, known: readonly string[]): Map<string, Node | null> {
  const out = new Map<string, Node | null>();
  for (const { key, keyNode, value } of src.pairs(map, where)) {
    if (!known.includes(key)) throw src.error(keyNode, `unknown field "${key}" in ${where}; the fields are ${known.join(', ')}`);
    out.set(key, value);
  }
  return out;
}

function oneOf<T extends string>(src: YamlSource, node: Node | null, field: string, allowed: readonly T[]): T {
  const text = src.string(node, field);
  if (!(allowed as readonly string[]).includes(text)) throw src.error(node, `${field} is "${text}"; use one of ${allowed.join(', ')}`);
  return text as T;
}

function isNull(node: Node | null): boolean {
  return node === null || ('value' in node && node.value === null);
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return (err as Error).message;
}

export type { ClientAuthType };
