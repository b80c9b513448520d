import type { SecureVersion, TLSSocket, TlsOptions } from 'node:tls';

/**
 * exporter-toolkit's TLS settings are Go crypto/tls names; these tables map
 * them to what node:tls takes. Unknown names are config errors, not ignored.
 */

/** Go tls.ClientAuthType names. */
export const CLIENT_AUTH_TYPES = [
  'NoClientCert', // no certificate asked for
  'RequestClientCert', // asked for, not required, not verified
  'RequireAnyClientCert', // required, not verified
  'VerifyClientCertIfGiven', // optional, verified when given
  'RequireAndVerifyClientCert', // required and verified against client_ca
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** Go's tls.VersionTLSxx config names → node:tls. */
export const TLS_VERSIONS: Readonly<Record<string, SecureVersion>> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

/** Go cipher suite constant names (TLS ≤ 1.2; Go does not configure 1.3 suites) → OpenSSL names. */
export const CIPHER_SUITES: Readonly<Record<string, string>> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};

/** Go tls.CurveID names → OpenSSL group names. */
export const CURVES: Readonly<Record<string, string>> = {
  CurveP256: 'P-256',
  CurveP384: 'P-384',
  CurveP521: 'P-521',
  X25519: 'X25519',
};

export interface WebTlsConfig {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  clientAuth: ClientAuthType;
  /** True unless clientAuth is NoClientCert. */
  requestCert: boolean;
  minVersion: SecureVersion;
  maxVersion?: SecureVersion;
  /** OpenSSL cipher list, when cipher_suites was given. */
  ciphers?: string;
  honorCipherOrder: boolean;
  ecdhCurve?: string;
  /** client_allowed_sans: the client certificate must carry one of these SANs. */
  clientAllowedSans?: string[];
}

/** Options for https.createServer. Policies Node cannot express alone are finished by clientCertificateAllowed. */
export function tlsServerOptions(tls: WebTlsConfig): TlsOptions {
  const options: TlsOptions = {
    cert: tls.cert,
    key: tls.key,
    minVersion: tls.minVersion,
    requestCert: tls.requestCert,
    // Only RequireAndVerifyClientCert may fail the handshake itself; the
    // others accept unverified certificates, checked per request instead.
    rejectUnauthorized: tls.clientAuth === 'RequireAndVerifyClientCert',
    honorCipherOrder: tls.honorCipherOrder,
  };
  if (tls.ca) options.ca = tls.ca;
  if (tls.maxVersion) options.maxVersion = tls.maxVersion;
  if (tls.ciphers) options.ciphers = tls.ciphers;
  if (tls.ecdhCurve) options.ecdhCurve = tls.ecdhCurve;
  return options;
}

/**
 * Whether a request on this TLS socket may proceed under the client_auth_type
 * and client_allowed_sans policy. Call it on each request (or on
 * 'secureConnection') and answer 403 / destroy the socket when false.
 */
export function clientCertificateAllowed(socket: Pick<TLSSocket, 'authorized' | 'getPeerCertificate'>, tls: WebTlsConfig): boolean {
  const cert = socket.getPeerCertificate();
  const present = cert !== null && Object.keys(cert).length > 0;
  switch (tls.clientAuth) {
    case 'NoClientCert':
    case 'RequestClientCert':
      break;
    case 'RequireAnyClientCert':
      if (!present) return false;
      break;
    case 'VerifyClientCertIfGiven':
      if (present && !socket.authorized) return false;
      break;
    case 'RequireAndVerifyClientCert':
      if (!present || !socket.authorized) return false;
      break;
  }
  if (tls.clientAllowedSans && tls.clientAllowedSans.length > 0) {
    if (!present) return false;
    const sans = (cert.subjectaltname ?? '').split(/,\s*/).map((s) => s.replace(/^[A-Za-z ]+:/, ''));
    return tls.clientAllowedSans.some((want) => sans.includes(want));
  }
  return true;
}
