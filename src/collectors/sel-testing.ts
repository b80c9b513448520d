// Test fixtures for the SEL collector: a simulated BMC's model answered
// in-process through its command handler, on a virtual clock that each round
// trip advances, so pacing against a deadline is deterministic.
import {
  CompletionCodeError,
  decodeSelRecord,
  describeEvent,
  getSelEntry,
  getSelInfo,
  SEL_CATEGORIES,
  SEL_SEVERITIES,
  type Command,
  type Execute,
  type SelRecord,
} from '@bmc-exporter/ipmi';
import { BmcModel, PROFILES, type BmcDefinition } from '@bmc-exporter/bmc-sim';
import { Exposition } from '../metrics/exposition.js';
import type { CollectContext, CollectTarget } from './collector.js';
import { SelState } from './sel-state.js';

export const MODEL_EPOCH_MS = Date.UTC(2026, 0, 15, 12, 0, 0);

export interface VirtualBmc {
  model: BmcModel;
  /** Virtual monotonic time (ms); each command adds rttMs. */
  clock: { now: number };
  rttMs: number;
  /** Commands sent, by name ("Get SEL Info"). */
  commands: Map<string, number>;
  execute: Execute;
  /** Get SEL Info + Get SEL Entry + Reserve SEL sent since the last resetCounts(). */
  selCommands(): number;
  resetCounts(): void;
  /** The records the model's SEL holds now, decoded. */
  records(): SelRecord[];
}

export function virtualBmc(opts: { capacity?: number; rttMs?: number; modelNowMs?: () => number; definition?: BmcDefinition } = {}): VirtualBmc {
  const base = opts.definition ?? PROFILES['server-2s']!;
  const def: BmcDefinition = { ...base, sel: { capacity: opts.capacity ?? 4096 } };
  const model = new BmcModel(def, { now: opts.modelNowMs ?? (() => MODEL_EPOCH_MS) });
  const clock = { now: 0 };
  const commands = new Map<string, number>();
  const vb: VirtualBmc = {
    model,
    clock,
    rttMs: opts.rttMs ?? 1,
    commands,
    execute: (async <Req, Rsp>(command: Command<Req, Rsp>, request: Req, o?: { signal?: AbortSignal }) => {
      o?.signal?.throwIfAborted();
      commands.set(command.name, (commands.get(command.name) ?? 0) + 1);
      clock.now += vb.rttMs;
      const rsp = vb.model.handler({ netFn: command.netFn, cmd: command.cmd, lun: 0, data: command.encode(request) }, { privilege: 2 });
      if (!rsp) throw new Error(`${command.name}: no answer`);
      if (rsp.completionCode !== 0) throw new CompletionCodeError(command.name, rsp.completionCode);
      return command.decode(rsp.data ?? Buffer.alloc(0));
    }) as Execute,
    selCommands: () => (commands.get(getSelInfo.name) ?? 0) + (commands.get(getSelEntry.name) ?? 0) + (commands.get('Reserve SEL') ?? 0),
    resetCounts: () => commands.clear(),
    records: () => selRecordsOf(vb.model),
  };
  return vb;
}

/** The records a simulated BMC's SEL holds now, decoded (read from the model, not through our client). */
export function selRecordsOf(model: BmcModel): SelRecord[] {
  const out: SelRecord[] = [];
  for (let i = 0; i < model.sel.count; i++) {
    const r = model.sel.read(0, i + 1, 0, 0xff);
    out.push(decodeSelRecord(r.data!.subarray(2)));
  }
  return out;
}

/** A target that holds only the SEL state, as the session cache does for the SEL collector. */
export function fakeTarget(): CollectTarget {
  const no = () => Promise.reject(new Error('not used by the SEL collector'));
  const sel = new SelState();
  return { ipmiVersion: '2.0', deviceInfo: no, sensors: no, dcmiPowerSupported: no, dcmiPowerUnsupported: () => undefined, selState: () => sel };
}

export function collectContext(vb: VirtualBmc, target: CollectTarget, deadlineMs: number, signal: AbortSignal = new AbortController().signal): CollectContext {
  return {
    target,
    execute: vb.execute,
    signal,
    out: new Exposition(),
    deadline: vb.clock.now + deadlineMs,
    readSensor: () => Promise.reject(new Error('not used')),
    dcmiPowerReading: () => Promise.resolve(null),
  };
}

/** "category/severity" → count, every combination (zeros included), as describeEvent sorts `records`. */
export function tally(records: readonly SelRecord[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of SEL_CATEGORIES) for (const s of SEL_SEVERITIES) out.set(`${c}/${s}`, 0);
  for (const r of records) {
    const d = describeEvent(r);
    const k = `${d.category}/${d.severity}`;
    out.set(k, out.get(k)! + 1);
  }
  return out;
}

/** The answer's samples: name → (labels "category/severity" or "" → value). */
export function gauges(exposition: Exposition): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const [name, samples] of exposition.samples()) {
    const byLabels = new Map<string, number>();
    for (const [labels, value] of samples) {
      const l = /^\{category="([^"]*)",severity="([^"]*)"\}$/.exec(labels);
      byLabels.set(l ? `${l[1]}/${l[2]}` : labels, value);
    }
    out.set(name, byLabels);
  }
  return out;
}
