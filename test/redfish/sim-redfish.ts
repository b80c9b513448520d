import { readFileSync } from 'node:fs';
import { BmcModel, makeSelfSignedCert, PROFILES, RedfishSimServer, type RedfishSimOptions, type SelfSignedCert } from '@bmc-exporter/bmc-sim';
import { RedfishClient, type RedfishClientOptions } from '@bmc-exporter/redfish';

export const USER = 'rf-admin';
export const PASSWORD = 'rf-Secret-Pa55';

/** One certificate per test file: openssl is slow enough to matter per test. */
export async function testCert(addresses: string[] = ['127.0.0.1']): Promise<SelfSignedCert> {
  return makeSelfSignedCert(addresses);
}

export interface RunningSim {
  sim: RedfishSimServer;
  model: BmcModel;
  client(opts?: Partial<RedfishClientOptions>): RedfishClient;
  close(): Promise<void>;
}

/** A server-2s model served over HTTPS on an ephemeral loopback port, and clients that trust its CA file. */
export async function startSim(cert: SelfSignedCert, opts: Partial<RedfishSimOptions> = {}, profile = 'server-2s'): Promise<RunningSim> {
  const model = new BmcModel(PROFILES[profile]!);
  const sim = new RedfishSimServer({
    address: '127.0.0.1',
    port: 0,
    model: () => model,
    users: [{ name: USER, password: PASSWORD }],
    tls: cert,
    ...opts,
  });
  await sim.listen();
  const clients: RedfishClient[] = [];
  return {
    sim,
    model,
    client: (o = {}) => {
      const c = new RedfishClient({ origin: sim.origin, username: USER, password: PASSWORD, tls: { ca: readFileSync(cert.caFile) }, ...o });
      clients.push(c);
      return c;
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
      await sim.close();
    },
  };
}
