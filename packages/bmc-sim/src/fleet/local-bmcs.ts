import type { FaultConfig } from '../faults/index.js';
import { varyDefinition, type SelEntryDefinition } from '../model/index.js';
import { baseDefinition, endpointAt, faultsFor, fleetUsers, type FleetDefinition } from './fleet-definition.js';
import { SimBmc, type BmcCounters } from './sim-bmc.js';

/** Control operations, the same in-process and over worker IPC. */
export type FleetOp =
  | { op: 'counters' }
  | { op: 'faults'; patch: Partial<FaultConfig> }
  | { op: 'restart' }
  | { op: 'sensor'; name: string; value: number | null }
  | { op: 'sensorStates'; name: string; states: number[] }
  | { op: 'selAdd'; event: SelEntryDefinition }
  | { op: 'selClear' };

export type FleetOpResult = BmcCounters | FaultConfig | number | null;

/** Sockets bound at once; more only queues in the kernel and the event loop. */
const BIND_BATCH = 512;
const SEL_TICK_MS = 1000;

/**
 * BMCs [from, to) of a fleet, served by this process: the in-process fleet
 * uses one of these, each worker process another.
 */
export class LocalBmcs {
  readonly bmcs: SimBmc[] = [];
  bindMs = 0;
  private selTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly definition: FleetDefinition,
    readonly from: number,
    readonly to: number,
  ) {
    const base = baseDefinition(definition);
    const users = fleetUsers(definition);
    const seed = definition.seed ?? 1;
    const protocol = {
      ...(definition.sessionLimit !== undefined ? { sessionLimit: definition.sessionLimit } : {}),
      ...(definition.sessionIdleTimeoutMs !== undefined ? { sessionIdleTimeoutMs: definition.sessionIdleTimeoutMs } : {}),
    };
    for (let i = from; i < to; i++) {
      const ep = endpointAt(definition, i);
      this.bmcs.push(
        new SimBmc({
          ...ep,
          definition: varyDefinition(base, seed + i),
          users,
          seed: (seed + i) >>> 0,
          faults: faultsFor(definition, i, ep),
          protocol,
        }),
      );
    }
  }

  async start(): Promise<void> {
    const t0 = performance.now();
    try {
      for (let i = 0; i < this.bmcs.length; i += BIND_BATCH) {
        await Promise.all(this.bmcs.slice(i, i + BIND_BATCH).map((b) => b.bind()));
      }
    } catch (err) {
      await this.close();
      throw err;
    }
    this.bindMs = performance.now() - t0;
    const generating = this.bmcs.filter((b) => b.model.definition.sel?.generator);
    if (generating.length > 0) {
      this.selTimer = setInterval(() => {
        for (const b of generating) b.model.tick();
      }, SEL_TICK_MS);
      this.selTimer.unref();
    }
  }

  /** The BMC with fleet index `index`, if this process serves it. */
  get(index: number): SimBmc | undefined {
    return this.bmcs[index - this.from];
  }

  apply(index: number, op: FleetOp): FleetOpResult {
    const b = this.get(index);
    if (!b) throw new RangeError(`BMC ${index} is not served here`);
    switch (op.op) {
      case 'counters':
        return b.counters;
      case 'faults':
        return b.setFaults(op.patch);
      case 'restart':
        b.restart();
        return null;
      case 'sensor':
        b.model.setSensorValue(op.name, op.value);
        return null;
      case 'sensorStates':
        b.model.setSensorStates(op.name, op.states);
        return null;
      case 'selAdd':
        return b.model.addSelEvent(op.event);
      case 'selClear':
        b.model.clearSel();
        return null;
    }
  }

  async close(): Promise<void> {
    if (this.selTimer) clearInterval(this.selTimer);
    this.selTimer = undefined;
    await Promise.all(this.bmcs.map((b) => b.close()));
  }
}
