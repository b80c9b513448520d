// Child process of the sim-fleet benchmark: BmcClients over one shared
// UdpTransport, sessions opened first, then commands back to back.
import { BmcClient, UdpTransport, getDeviceId, getSensorReading } from '@bmc-exporter/ipmi';
import { PhaseProfiler } from './profile-phase.js';

export interface LoadTarget {
  host: string;
  port: number;
  username: string;
  password: string;
}
export type ToLoad =
  | { type: 'open'; targets: LoadTarget[]; concurrency: number; cipherSuite: number }
  | { type: 'drive'; durationMs: number; inflight: number }
  | { type: 'close' };
export type FromLoad =
  | { type: 'opened'; ok: number; failed: number; firstError?: string; ms: number }
  | { type: 'driven'; completed: number; errors: number; firstError?: string; ms: number; latenciesMs: number[]; cpuUser: number; cpuSystem: number }
  | { type: 'closed' };

const send = (m: FromLoad) => process.send!(m);
const transport = new UdpTransport({ receiveBufferSize: 16 * 1024 * 1024 });
let clients: BmcClient[] = [];

async function pool<T>(items: T[], concurrency: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

process.on('message', (m: ToLoad) => {
  void (async () => {
    if (m.type === 'open') {
      const t0 = performance.now();
      clients = m.targets.map(
        (t) => new BmcClient({ host: t.host, port: t.port, username: t.username, password: t.password, transport, cipherSuites: [m.cipherSuite] }),
      );
      let ok = 0;
      let failed = 0;
      let firstError: string | undefined;
      await pool(clients, m.concurrency, async (c) => {
        try {
          await c.open();
          ok++;
        } catch (err) {
          failed++;
          firstError ??= (err as Error).message;
        }
      });
      send({ type: 'opened', ok, failed, firstError, ms: performance.now() - t0 });
    } else if (m.type === 'drive') {
      const profiler = new PhaseProfiler('generator');
      profiler.start();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const end = t0 + m.durationMs;
      const latenciesMs: number[] = [];
      let completed = 0;
      let errors = 0;
      let firstError: string | undefined;
      const lanes = Math.min(m.inflight, clients.length);
      await Promise.all(
        Array.from({ length: lanes }, async (_, lane) => {
          // Lane i owns clients i, i+lanes, ...: one command in flight per BMC, as the exporter does.
          let k = lane;
          let n = 0;
          while (performance.now() < end) {
            const c = clients[k]!;
            k += lanes;
            if (k >= clients.length) k = lane;
            const s = performance.now();
            try {
              if (n++ % 2 === 0) await c.execute(getSensorReading, { sensorNumber: 0x01 });
              else await c.execute(getDeviceId, undefined);
              completed++;
              latenciesMs.push(performance.now() - s);
            } catch (err) {
              errors++;
              firstError ??= (err as Error).message;
            }
          }
        }),
      );
      const cpu = process.cpuUsage(cpu0);
      await profiler.stop();
      send({ type: 'driven', completed, errors, firstError, ms: performance.now() - t0, latenciesMs, cpuUser: cpu.user / 1e6, cpuSystem: cpu.system / 1e6 });
    } else if (m.type === 'close') {
      await pool(clients, 500, (c) => c.close());
      await transport.close();
      send({ type: 'closed' });
      process.exit(0);
    }
  })();
});
