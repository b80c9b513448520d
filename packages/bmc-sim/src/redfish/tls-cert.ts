import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SelfSignedCert {
  key: string;
  cert: string;
  /** The certificate as a file: what clients pass as their CA file (ca_file, --cacert, verify=). */
  caFile: string;
  /** Removes the directory holding the files. */
  dispose(): Promise<void>;
}

/**
 * A throwaway self-signed certificate for the simulated BMC's HTTPS, made
 * with the openssl CLI (Node 20's crypto makes keys but not X.509
 * certificates). Its subjectAltName lists the loopback addresses the
 * simulator serves, so clients verify it as a CA like any real BMC's.
 */
export async function makeSelfSignedCert(addresses: readonly string[], commonName = 'bmc-sim'): Promise<SelfSignedCert> {
  const dir = await mkdtemp(join(tmpdir(), 'bmc-sim-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const san = [...new Set(addresses)].map((a) => (/^[\d.]+$|:/.test(a) ? `IP:${a}` : `DNS:${a}`)).join(',');
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      `subjectAltName=${san}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,digitalSignature,keyCertSign',
      '-addext',
      'extendedKeyUsage=serverAuth',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`openssl could not make the simulator's certificate: ${(err as Error).message}`, { cause: err });
  }
  return {
    key: await readFile(keyFile, 'utf8'),
    cert: await readFile(certFile, 'utf8'),
    caFile: certFile,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
