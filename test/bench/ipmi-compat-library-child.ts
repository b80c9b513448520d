// Child of the ipmi-compat benchmark: the IPMI commands of one warm /ipmi
// scrape (collectors ipmi, dcmi, bmc, chassis, sel on ipmi_sim: one Get
// Sensor Reading per readable sensor the BMC owns, Get SEL Info, Get Chassis
// Status; DCMI and the device facts are cached per session) sent through
// BmcClient alone, without HTTP, targets or collectors. Its CPU per "scrape"
// is the library's per-command path (queue, framing, crypto, node:dgram and
// the kernel's loopback send and receive), the share of /ipmi's CPU that the
// exporter's own code cannot remove. Prints one JSON line on stdout.
//
// argv: host, port, username, password, warm-up rounds, measured rounds.
import { BmcClient, getChassisStatus, getSelInfo, readSdrRepository, readSensor, sensorsFromSdr, UdpTransport } from '@bmc-exporter/ipmi';

const [host = '', port = '623', username = '', password = '', warmup = '20', rounds = '200'] = process.argv.slice(2);
const transport = new UdpTransport({});
await transport.start(4);
const client = new BmcClient({ host, port: Number(port), username, password, privilege: 'administrator', transport });
await client.open({});
const { records } = await readSdrRepository(client.execute);
const sensors = sensorsFromSdr(records).filter((d) => d.readable && !d.bridged);
const round = async (): Promise<void> => {
  for (const d of sensors) await readSensor(client.execute, d, {});
  await client.execute(getSelInfo, undefined);
  await client.execute(getChassisStatus, undefined);
};
for (let i = 0; i < Number(warmup); i++) await round();
const before = process.cpuUsage();
for (let i = 0; i < Number(rounds); i++) await round();
const used = process.cpuUsage(before);
process.stdout.write(`${JSON.stringify({ cpuMsPerRound: (used.user + used.system) / 1000 / Number(rounds), commandsPerRound: sensors.length + 2 })}\n`);
await client.close().catch(() => undefined);
await transport.close();
