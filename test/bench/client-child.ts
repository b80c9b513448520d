// Child process of the client benchmark: BmcClients over one shared
// UdpTransport, an RMCP+ session each (suite 3 or 17, as the parent asks),
// then warm Get Sensor Reading commands back to back. Only this process's CPU
// (process.cpuUsage) over the measured window counts: the library's
// per-command path, node:dgram and the kernel's loopback send and receive,
// nothing of the exporter.
import * as ipmi from '@bmc-exporter/ipmi';

// CLIENT_BENCH_LIBRARY: another build of the library (its dist/index.js) to
// measure instead, e.g. main's, for a before/after on the same machine state.
const { BmcClient, getSensorReading, UdpTransport } = (process.env.CLIENT_BENCH_LIBRARY ? await import(process.env.CLIENT_BENCH_LIBRARY) : ipmi) as typeof ipmi;

export interface ClientTarget {
  host: string;
  port: number;
  username: string;
  password: string;
}
export type ToClient =
  | { type: 'open'; targets: ClientTarget[]; concurrency: number; cipherSuite: 3 | 17 }
  | { type: 'drive'; lanes: number; clients: number; warmupMs: number; durationMs: number }
  | { type: 'close' };
export type FromClient =
  | { type: 'opened'; ok: number; failed: number; firstError?: string }
  | { type: 'driven'; commands: number; errors: number; firstError?: string; ms: number; cpuUser: number; cpuSystem: number }
  | { type: 'closed' }
  | { type: 'error'; message: string };

const send = (m: FromClient) => process.send!(m);
/** What the exporter hangs on every client: counters bumped per packet and per command. */
const counted = { sent: 0, received: 0, dropped: 0, completed: 0, seconds: 0 };
const hooks = {
  packetSent: () => void counted.sent++,
  packetReceived: () => void counted.received++,
  packetDropped: () => void counted.dropped++,
  commandCompleted: (_name: string, seconds: number) => {
    counted.completed++;
    counted.seconds += seconds;
  },
};
/** Commands per scrape signal, as a warm exporter scrape sends them (one deadline per scrape). */
const COMMANDS_PER_SIGNAL = 22;
const transport = new UdpTransport({ receiveBufferSize: 16 * 1024 * 1024 });
let clients: ipmi.BmcClient[] = [];
/** Sensor 1 exists on every bmc-sim profile. */
const REQUEST = { sensorNumber: 0x01 };

/**
 * `lanes` loops, lane i owning clients i, i+lanes, ... of the first
 * `count`: `lanes` commands in flight, never two on one BMC (as the exporter
 * runs a scrape per BMC).
 */
async function drive(lanes: number, count: number, until: number, tally: { commands: number; errors: number; firstError?: string }) {
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      let k = lane;
      let signal = AbortSignal.timeout(10_000);
      for (let n = 1; performance.now() < until; n++) {
        const c = clients[k]!;
        k += lanes;
        if (k >= count) k = lane;
        if (n % COMMANDS_PER_SIGNAL === 0) signal = AbortSignal.timeout(10_000);
        try {
          await c.execute(getSensorReading, REQUEST, { signal });
          tally.commands++;
        } catch (err) {
          tally.errors++;
          tally.firstError ??= (err as Error).message;
        }
      }
    }),
  );
}

process.on('message', (m: ToClient) => {
  void (async () => {
    if (m.type === 'open') {
      clients = m.targets.map((t) => new BmcClient({ ...t, transport, cipherSuites: [m.cipherSuite], hooks }));
      let ok = 0;
      let failed = 0;
      let firstError: string | undefined;
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(m.concurrency, clients.length) }, async () => {
          while (next < clients.length) {
            try {
              await clients[next++]!.open();
              ok++;
            } catch (err) {
              failed++;
              firstError ??= (err as Error).message;
            }
          }
        }),
      );
      send({ type: 'opened', ok, failed, firstError });
    } else if (m.type === 'drive') {
      const lanes = Math.min(m.lanes, m.clients);
      // Warm-up: every client's path compiled and its session used before the window.
      await drive(lanes, m.clients, performance.now() + m.warmupMs, { commands: 0, errors: 0 });
      const tally: { commands: number; errors: number; firstError?: string } = { commands: 0, errors: 0 };
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await drive(lanes, m.clients, t0 + m.durationMs, tally);
      const cpu = process.cpuUsage(cpu0);
      send({ type: 'driven', ...tally, ms: performance.now() - t0, cpuUser: cpu.user / 1e6, cpuSystem: cpu.system / 1e6 });
    } else if (m.type === 'close') {
      await Promise.all(clients.map((c) => c.close()));
      await transport.close();
      send({ type: 'closed' });
      process.exit(0);
    }
  })().catch((err: Error) => send({ type: 'error', message: err.message }));
});
