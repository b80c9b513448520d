// Child process of the exporter benchmark: the simulated BMC fleet the
// exporter scrapes, plus a trivial UDP echo server for the dgram floor. Kept
// in one process (pinned to its own core by the parent) so the fleet's work
// never shows up in the exporter's CPU figure.
import { createSocket } from 'node:dgram';
import { startFleet, type FleetDefinition } from '@bmc-exporter/bmc-sim';

export type ToFleet = { type: 'stats' } | { type: 'close' };
export type FromFleet =
  | { type: 'ready'; bindMs: number; count: number; echoPort: number; secrets: Record<string, { username: string; password: string }> }
  | {
      type: 'stats';
      /** Commands that reached the BMC models, summed over the fleet, keyed "0xNN:0xNN" (NetFn:command). */
      commands: Record<string, number>;
      commandsTotal: number;
      sessionsOpened: number;
      sessionsOpen: number;
      cpuUser: number;
      cpuSystem: number;
    }
  | { type: 'error'; message: string };

const send = (m: FromFleet) => process.send!(m);
const def = JSON.parse(process.argv[2]!) as FleetDefinition;
const echoSize = Number(process.argv[3] ?? 64);

const fleet = await startFleet(def, { workers: 0 }).catch((err: Error) => {
  send({ type: 'error', message: err.message });
  process.exit(1);
});

// The floor's server side: answer every datagram with one of the same size as a
// suite-3 Get Sensor Reading response, from one socket, doing nothing else.
const echo = createSocket('udp4');
const reply = Buffer.alloc(echoSize, 0x5a);
echo.on('message', (_msg, rinfo) => echo.send(reply, rinfo.port, rinfo.address));
await new Promise<void>((resolve) => echo.bind(0, '127.0.0.1', resolve));

send({ type: 'ready', bindMs: fleet.bindMs, count: fleet.bmcs.length, echoPort: echo.address().port, secrets: fleet.secrets() });

process.on('message', (m: ToFleet) => {
  if (m.type === 'stats') {
    const commands: Record<string, number> = {};
    let commandsTotal = 0;
    let sessionsOpened = 0;
    let sessionsOpen = 0;
    for (const b of fleet.bmcs) {
      const c = b.counters;
      for (const [k, n] of Object.entries(c.commands)) commands[k] = (commands[k] ?? 0) + n;
      commandsTotal += c.commandsTotal;
      sessionsOpened += c.sessions.openedTotal;
      sessionsOpen += c.sessions.open;
    }
    const cpu = process.cpuUsage();
    send({ type: 'stats', commands, commandsTotal, sessionsOpened, sessionsOpen, cpuUser: cpu.user / 1e6, cpuSystem: cpu.system / 1e6 });
  } else if (m.type === 'close') {
    echo.close();
    void fleet.close().then(() => process.exit(0));
  }
});
process.on('disconnect', () => {
  echo.close();
  void fleet.close().then(() => process.exit(0));
});
