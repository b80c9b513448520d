// Turns `tshark -T fields -e udp.dstport -e udp.payload -e _ws.col.Info`
// lines (stdin) into one fixtures/captures/*.json document (stdout).
// Called by scripts/capture-fixtures.sh, which passes the metadata in env.
import { readFileSync } from 'node:fs';

const env = process.env;
const lines = readFileSync(0, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '');
const packets = lines.map((line) => {
  const [dstPort = '', hex = '', info = ''] = line.split('\t');
  // The BMC listens on 623; everything sent to it is a request.
  return { dir: dstPort === '623' ? 'request' : 'response', hex: hex.replace(/:/g, ''), info };
});
const orNull = (v) => (v === undefined || v === '-' ? null : v);
const cipher = orNull(env.CIPHER);
const doc = {
  description: env.DESC,
  source: {
    ipmitool: env.IPMITOOL_VERSION,
    bmc: env.SIM_VERSION,
    command: env.CMDLINE,
    capture: `captured with tcpdump on lo, decoded with ${env.TSHARK_VERSION}`,
    date: new Date().toISOString().slice(0, 10),
  },
  username: env.USERNAME,
  password: env.PASSWORD,
  cipherSuite: cipher === null ? null : Number(cipher),
  authType: orNull(env.AUTHTYPE),
  privilege: env.PRIV,
  // What ipmitool printed for this exchange: the decoded answer to check against.
  ipmitoolOutput: readFileSync(env.OUTPUT_FILE, 'utf8'),
  packets,
};
process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
