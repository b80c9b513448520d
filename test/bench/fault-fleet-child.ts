// Child process of the soak and fault-matrix benchmarks: a simulated BMC
// fleet (in this process, pinned to its own core by the parent) whose faults
// the parent changes while the exporter scrapes it: per-BMC fault patches,
// BMC restarts, and the fleet's command and fault counters.
import { PROFILES, startFleet, type BmcDefinition, type FaultConfig, type FleetDefinition, type SelEntryDefinition } from '@bmc-exporter/bmc-sim';

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
/** The fleet's definition; `extraSelEntries` adds that many events to the profile's SEL (made here: a definition holds Dates, which JSON does not carry). */
const given = JSON.parse(process.argv[2]!) as FleetDefinition & { extraSelEntries?: number };
const { extraSelEntries, ...plain } = given;
const def: FleetDefinition = extraSelEntries ? { ...plain, profile: undefined, bmc: withSel(PROFILES[plain.profile ?? 'server-2s']!, extraSelEntries) } : plain;

/** `base` with `n` correctable-ECC events (a minute apart, in 2026) after its own SEL entries. */
function withSel(base: BmcDefinition, n: number): BmcDefinition {
  const t0 = Date.UTC(2026, 0, 1) / 1000;
  const ecc: SelEntryDefinition = { sensorType: 0x0c, sensorNumber: 0x60, eventType: 0x6f, data: [0x00, 0xff, 0x01] };
  const entries = Array.from({ length: n }, (_, i): SelEntryDefinition => ({ ...ecc, timestamp: t0 + i * 60 }));
  return { ...base, sel: { ...base.sel, capacity: Math.max(base.sel?.capacity ?? 0, n + 64), entries: [...(base.sel?.entries ?? []), ...entries] } };
}

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
