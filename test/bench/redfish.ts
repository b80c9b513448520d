// Redfish client costs against one simulated BMC (server-2s) served by a
// child process on 127.201.0.1, a bench-only loopback address no test uses:
// HTTP requests and bytes of a warm read (structure already discovered,
// session open) in each schema generation, the client's CPU per warm read,
// the cold read (login + discovery), and file descriptors per Redfish
// target (one kept-alive TLS connection each).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { INITIAL_CURSOR, readChassis, readLogEntries, RedfishClient } from '@bmc-exporter/redfish';
import type { Benchmark, Report } from './run.js';

const ADDRESS = '127.201.0.1';
const WARM_READS = 200;
const CLIENTS = 100;

async function startSim(generation: string): Promise<{ child: ChildProcess; origin: string; ca: Buffer }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./redfish-sim-child.js', import.meta.url)), ADDRESS, generation], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`redfish-sim-child exited ${code}`)));
  });
  const { origin, caFile } = JSON.parse(line) as { origin: string; caFile: string };
  return { child, origin, ca: readFileSync(caFile) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const fds = () => readdirSync('/proc/self/fd').length;

async function generationFigures(generation: 'legacy' | 'subsystems', report: Report, log: (l: string) => void): Promise<void> {
  const sim = await startSim(generation);
  try {
    const client = new RedfishClient({ origin: sim.origin, username: 'bench', password: 'bench-secret', tls: { ca: sim.ca } });
    const signal = () => AbortSignal.timeout(30_000);
    const read = async () => {
      const s = await client.discover(signal());
      await readChassis(client, s.chassis[0]!, signal());
      await readLogEntries(client, s.logServices[0]!, cursor, signal());
    };
    let cursor = INITIAL_CURSOR;
    const t0 = performance.now();
    await read();
    report(`${generation}_cold_read_requests`, client.stats.requests, 'requests', 'service root, login, discovery, chassis readings, log');
    report(`${generation}_cold_read_ms`, performance.now() - t0, 'ms');
    const s = await client.discover(signal());
    cursor = (await readLogEntries(client, s.logServices[0]!, INITIAL_CURSOR, signal())).cursor;
    const before = client.stats;
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    for (let i = 0; i < WARM_READS; i++) {
      await readChassis(client, s.chassis[0]!, signal());
      cursor = (await readLogEntries(client, s.logServices[0]!, cursor, signal())).cursor;
    }
    const cpu = process.cpuUsage(cpu0);
    const after = client.stats;
    report(`${generation}_warm_read_requests`, (after.requests - before.requests) / WARM_READS, 'requests', 'chassis readings + incremental log read');
    report(`${generation}_warm_read_bytes`, Math.round((after.bytesReceived - before.bytesReceived) / WARM_READS), 'bytes', 'response bodies');
    report(`${generation}_warm_read_client_cpu`, (cpu.user + cpu.system) / 1000 / WARM_READS, 'ms', 'this process only: the simulator runs in a child');
    report(`${generation}_warm_read_ms`, (performance.now() - w0) / WARM_READS, 'ms');
    log(`${generation}: ${after.logins} login(s) over ${WARM_READS + 1} reads`);
    await client.close();
  } finally {
    await stop(sim.child);
  }
}

export const benchmark: Benchmark = {
  name: 'redfish',
  description: `Redfish client: requests, bytes and CPU of a warm read per schema generation; fds for ${CLIENTS} targets (sim in a child on ${ADDRESS})`,
  async run(report, log) {
    await generationFigures('legacy', report, log);
    await generationFigures('subsystems', report, log);
    const sim = await startSim('both');
    try {
      const base = fds();
      const clients: RedfishClient[] = [];
      for (let i = 0; i < CLIENTS; i++) {
        const c = new RedfishClient({ origin: sim.origin, username: 'bench', password: 'bench-secret', tls: { ca: sim.ca } });
        clients.push(c);
        await c.discover(AbortSignal.timeout(30_000));
      }
      report('fds_per_target', (fds() - base) / CLIENTS, 'fds', 'one kept-alive TLS connection per Redfish target');
      await Promise.all(clients.map((c) => c.close()));
      report('fds_after_close', fds() - base, 'fds');
    } finally {
      await stop(sim.child);
    }
  },
};
