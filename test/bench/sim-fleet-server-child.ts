// Child process of the sim-fleet benchmark: one process, one fleet, all in-process.
import { readdirSync } from 'node:fs';
import { startFleet, type FleetDefinition } from '@bmc-exporter/bmc-sim';
import { PhaseProfiler } from './profile-phase.js';

export type ToServer = { type: 'stats' } | { type: 'close' };
export type FromServer =
  | { type: 'ready'; bindMs: number; fds: number; rss: number; count: number; secrets: Record<string, { username: string; password: string }> }
  | { type: 'stats'; commands: number; sessionsOpen: number; openedTotal: number; cpuUser: number; cpuSystem: number; rss: number; fds: number }
  | { type: 'error'; message: string };

const send = (m: FromServer) => process.send!(m);
const def = JSON.parse(process.argv[2]!) as FleetDefinition;
const fleet = await startFleet(def, { workers: 0 }).catch((err: Error) => {
  send({ type: 'error', message: err.message });
  process.exit(1);
});
const fds = () => readdirSync('/proc/self/fd').length;
send({ type: 'ready', bindMs: fleet.bindMs, fds: fds(), rss: process.memoryUsage().rss, count: fleet.bmcs.length, secrets: fleet.secrets() });
// The drive phase lies between the first and the second 'stats' request.
const profiler = new PhaseProfiler('fleet');
let statsAsked = 0;
process.on('message', (m: ToServer) => {
  if (m.type === 'stats') {
    if (++statsAsked === 1) profiler.start();
    else if (statsAsked === 2) void profiler.stop();
    let commands = 0;
    let sessionsOpen = 0;
    let openedTotal = 0;
    for (const b of fleet.bmcs) {
      commands += b.counters.commandsTotal;
      sessionsOpen += b.protocol.counters.open;
      openedTotal += b.protocol.counters.openedTotal;
    }
    const cpu = process.cpuUsage();
    send({
      type: 'stats',
      commands,
      sessionsOpen,
      openedTotal,
      cpuUser: cpu.user / 1e6,
      cpuSystem: cpu.system / 1e6,
      rss: process.memoryUsage().rss,
      fds: fds(),
    });
  } else if (m.type === 'close') {
    void fleet.close().then(() => process.exit(0));
  }
});
process.on('disconnect', () => void fleet.close().then(() => process.exit(0)));
