import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FaultConfig } from '../faults/index.js';
import type { SelEntryDefinition } from '../model/index.js';
import type { Endpoint } from '../protocol/index.js';
import { endpointAt, fleetUsers, validateFleetDefinition, type FleetDefinition } from './fleet-definition.js';
import { LocalBmcs, type FleetOp, type FleetOpResult } from './local-bmcs.js';
import type { BmcCounters, SimBmc } from './sim-bmc.js';
import type { FromWorker, ToWorker } from './worker.js';

/** bmc_exporter's secrets file: "host:port" → credentials (gebn/bmc_exporter session/file/provider.go). */
export type SecretsFile = Record<string, { username: string; password: string }>;

export interface FleetBmcStatus extends Endpoint {
  index: number;
  counters: BmcCounters;
}

export interface StartFleetOptions {
  /** 'auto' (default): in-process up to maxInProcess BMCs, else worker processes. 0 forces in-process. */
  workers?: 'auto' | number;
  /** Largest fleet served in-process under 'auto' (default 2000). */
  maxInProcess?: number;
  /** BMCs per worker process (default: from the soft file-descriptor limit, with margin). */
  perWorker?: number;
}

/** A running fleet. Control operations are async because a BMC may live in a worker process. */
export interface Fleet {
  readonly definition: FleetDefinition;
  readonly endpoints: readonly Endpoint[];
  /** The BMCs themselves when served in this process; empty when spread over workers. */
  readonly bmcs: readonly SimBmc[];
  readonly workers: number;
  /** Wall time to bind every socket (ms; the slowest worker when spread). */
  readonly bindMs: number;
  /** Index of "address" or "address:port", or undefined. */
  indexOf(target: string): number | undefined;
  counters(index: number): Promise<BmcCounters>;
  list(): Promise<FleetBmcStatus[]>;
  setFaults(index: number, patch: Partial<FaultConfig>): Promise<FaultConfig>;
  restart(index: number): Promise<void>;
  setSensor(index: number, name: string, value: number | null): Promise<void>;
  /** A discrete sensor's asserted state offsets (0-14), e.g. [0, 1] for a PSU present and failed. */
  setSensorStates(index: number, name: string, states: number[]): Promise<void>;
  addSelEvent(index: number, event: SelEntryDefinition): Promise<number>;
  clearSel(index: number): Promise<void>;
  secrets(): SecretsFile;
  close(): Promise<void>;
}

const DEFAULT_MAX_IN_PROCESS = 2000;
/** Descriptors left for everything that is not a BMC socket (IPC, stdio, the control server, libuv). */
const FD_MARGIN = 2000;

/** RLIMIT_NOFILE soft limit, read where Linux shows it; 1024 elsewhere. */
export function softFdLimit(): number {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return 1024;
}

/** Start a fleet: validate the definition, bind every BMC (in-process or across workers), resolve when all answer. */
export async function startFleet(definition: FleetDefinition, opts: StartFleetOptions = {}): Promise<Fleet> {
  const def = validateFleetDefinition(definition);
  const max = opts.maxInProcess ?? DEFAULT_MAX_IN_PROCESS;
  const perWorker = opts.perWorker ?? Math.max(100, softFdLimit() - FD_MARGIN);
  const workers = opts.workers === undefined || opts.workers === 'auto' ? (def.count <= max ? 0 : Math.ceil(def.count / perWorker)) : opts.workers;
  const endpoints = Array.from({ length: def.count }, (_, i) => endpointAt(def, i));
  const byTarget = new Map<string, number>();
  endpoints.forEach((e, i) => {
    byTarget.set(`${e.address}:${e.port}`, i);
    if (!byTarget.has(e.address)) byTarget.set(e.address, i);
  });
  const users = fleetUsers(def);
  const base = {
    definition: def,
    endpoints,
    indexOf: (t: string) => byTarget.get(t),
    secrets: (): SecretsFile => {
      const u = users[0]!;
      return Object.fromEntries(endpoints.map((e) => [`${e.address}:${e.port}`, { username: u.name, password: u.password }]));
    },
  };
  const run = workers <= 0 ? await inProcess(def) : await overWorkers(def, workers);
  const call = run.call;
  return {
    ...base,
    bmcs: run.bmcs,
    workers: Math.max(0, workers),
    bindMs: run.bindMs,
    counters: (i) => call(i, { op: 'counters' }) as Promise<BmcCounters>,
    list: async () => Promise.all(endpoints.map(async (e, index) => ({ index, ...e, counters: (await call(index, { op: 'counters' })) as BmcCounters }))),
    setFaults: (i, patch) => call(i, { op: 'faults', patch }) as Promise<FaultConfig>,
    restart: async (i) => void (await call(i, { op: 'restart' })),
    setSensor: async (i, name, value) => void (await call(i, { op: 'sensor', name, value })),
    setSensorStates: async (i, name, states) => void (await call(i, { op: 'sensorStates', name, states })),
    addSelEvent: (i, event) => call(i, { op: 'selAdd', event }) as Promise<number>,
    clearSel: async (i) => void (await call(i, { op: 'selClear' })),
    close: run.close,
  };
}

interface Running {
  bmcs: SimBmc[];
  bindMs: number;
  call(index: number, op: FleetOp): Promise<FleetOpResult>;
  close(): Promise<void>;
}

async function inProcess(def: FleetDefinition): Promise<Running> {
  const local = new LocalBmcs(def, 0, def.count);
  await local.start();
  let closing: Promise<void> | undefined;
  return {
    bmcs: local.bmcs,
    bindMs: local.bindMs,
    call: async (i, op) => local.apply(checkIndex(def, i), op),
    close: () => (closing ??= local.close()),
  };
}

function checkIndex(def: FleetDefinition, i: number): number {
  if (!Number.isInteger(i) || i < 0 || i >= def.count) throw new RangeError(`no BMC with index ${i}`);
  return i;
}

/** The worker entry in dist, also when this module runs from src under a test runner. */
function workerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return fileURLToPath(new URL('../../dist/fleet/worker.js', import.meta.url));
  return fileURLToPath(new URL('./worker.js', import.meta.url));
}

async function overWorkers(def: FleetDefinition, n: number): Promise<Running> {
  const slice = Math.ceil(def.count / n);
  const children: { child: ChildProcess; from: number; to: number }[] = [];
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  const ready: Promise<number>[] = [];
  for (let from = 0; from < def.count; from += slice) {
    const to = Math.min(def.count, from + slice);
    const child = fork(workerEntry(), [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push({ child, from, to });
    ready.push(
      new Promise<number>((resolve, reject) => {
        child.on('message', (m: FromWorker) => {
          if (m.type === 'ready') resolve(m.bindMs);
          else if (m.type === 'failed') reject(new Error(`worker for BMCs ${from}-${to - 1}: ${m.message}`));
          else if (m.type === 'result') {
            const p = pending.get(m.id);
            pending.delete(m.id);
            if (m.ok) p?.resolve(m.value);
            else p?.reject(new Error(m.message));
          }
        });
        child.once('exit', (code) => {
          const gone = new Error(`worker for BMCs ${from}-${to - 1} exited (${code})`);
          reject(gone);
          // Calls still waiting on this worker would otherwise never settle.
          for (const p of pending.values()) p.reject(gone);
          pending.clear();
        });
      }),
    );
    child.send({ type: 'start', definition: def, from, to } satisfies ToWorker);
  }
  const stop = async () => {
    await Promise.all(
      children.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            if (child.connected) child.send({ type: 'close' } satisfies ToWorker);
            else child.kill();
          }),
      ),
    );
  };
  let bindTimes: number[];
  try {
    bindTimes = await Promise.all(ready);
  } catch (err) {
    for (const { child } of children) child.kill();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    bmcs: [],
    bindMs: Math.max(...bindTimes),
    call: async (i, op) => {
      checkIndex(def, i);
      const w = children.find((c) => i >= c.from && i < c.to)!;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        w.child.send({ type: 'op', id, index: i, op } satisfies ToWorker);
      });
    },
    close: () => (closing ??= stop()),
  };
}
