// Forked by the redfish benchmark: one simulated BMC's Redfish service in a
// process of its own, so the parent's CPU and file descriptors are the
// client's alone. Prints {"origin","caFile"} on its first stdout line and
// serves until killed.
import { BmcModel, makeSelfSignedCert, PROFILES, RedfishSimServer, type SchemaGeneration } from '@bmc-exporter/bmc-sim';

const [address = '127.201.0.1', generation = 'both'] = process.argv.slice(2);
const cert = await makeSelfSignedCert([address]);
const model = new BmcModel(PROFILES['server-2s']!);
const sim = new RedfishSimServer({
  address,
  port: 0,
  model: () => model,
  users: [{ name: 'bench', password: 'bench-secret' }],
  tls: cert,
  generation: generation as SchemaGeneration,
  sessionLimit: 10_000,
});
await sim.listen();
process.stdout.write(JSON.stringify({ origin: sim.origin, caFile: cert.caFile }) + '\n');
process.on('SIGTERM', () => {
  void sim
    .close()
    .then(() => cert.dispose())
    .then(() => process.exit(0));
});
