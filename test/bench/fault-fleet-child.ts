// Child process of the soak and fault-matrix benchmarks: a simulated BMC
// fleet (in this process, pinned to its own core by the parent) whose faults
// the parent changes while the exporter scrapes it: per-BMC fault patches,
// BMC restarts, and the fleet's command and fault counters.
import { startFleet, type FaultConfig, type FleetDefinition } from '@bmc-exporter/bmc-sim';

export type ToFaultFleet =
  | { type: 'stats' }
  | { type: 'faults'; indexes: number[] | 'all'; patch: Partial<FaultConfig> }
  | { type: 'restart'; indexes: number[] }
  | { type: 'close' };
export type FromFaultFleet =
  | { type: 'ready'; bindMs: number; count: number; targets: string[]; secrets: Record<string, { username: string; password: string }> }
  | { type: 'done' }
  | {
      type: 'stats';
      commandsTotal: number;
      sessionsOpened: number;
      dropped: number;
      altered: number;
      cpuUser: number;
      cpuSystem: number;
    }
  | { type: 'error'; message: string };

const send = (m: FromFaultFleet) => process.send!(m);
const def = JSON.parse(process.argv[2]!) as FleetDefinition;

const fleet = await startFleet(def, { workers: 0 }).catch((err: Error) => {
  send({ type: 'error', message: err.message });
  process.exit(1);
});

send({
  type: 'ready',
  bindMs: fleet.bindMs,
  count: fleet.bmcs.length,
  targets: fleet.endpoints.map((e) => `${e.address}:${e.port}`),
  secrets: fleet.secrets(),
});

const close = () => void fleet.close().then(() => process.exit(0));
process.on('message', (m: ToFaultFleet) => {
  void (async () => {
    switch (m.type) {
      case 'stats': {
        let commandsTotal = 0;
        let sessionsOpened = 0;
        let dropped = 0;
        let altered = 0;
        for (const b of fleet.bmcs) {
          const c = b.counters;
          commandsTotal += c.commandsTotal;
          sessionsOpened += c.sessions.openedTotal;
          dropped += Object.values(c.faults.dropped).reduce((a, n) => a + n, 0);
          altered += Object.values(c.faults.altered).reduce((a, n) => a + n, 0);
        }
        const cpu = process.cpuUsage();
        return send({ type: 'stats', commandsTotal, sessionsOpened, dropped, altered, cpuUser: cpu.user / 1e6, cpuSystem: cpu.system / 1e6 });
      }
      case 'faults': {
        const idx = m.indexes === 'all' ? fleet.bmcs.map((_, i) => i) : m.indexes;
        for (const i of idx) await fleet.setFaults(i, m.patch);
        return send({ type: 'done' });
      }
      case 'restart':
        for (const i of m.indexes) await fleet.restart(i);
        return send({ type: 'done' });
      case 'close':
        return close();
    }
  })().catch((err: Error) => send({ type: 'error', message: err.message }));
});
process.on('disconnect', close);
