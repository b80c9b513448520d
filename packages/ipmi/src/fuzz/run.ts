/**
 * Long fuzz runs: `npm run fuzz -- --inputs N [--seed S] [--decoder NAME] [--budget-ms MS]`.
 * Built by the root `tsc -b` (like the benches) and run from dist; one thread, one core.
 *
 * Prints JSON lines: one per decoder when it finishes (inputs, values, errors by class,
 * slowest decode, inputs/s, failures with the seed and path that replay them), then a
 * summary. Replay a failure with `--decoder NAME --seed S --path P`. Exit code 1 when a
 * decoder broke its contract, 2 when one hung (a watchdog thread reports which).
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { runTarget, type FuzzTarget, type RunResult } from './harness.js';
import { FUZZ_TARGETS, selectTargets } from './targets.js';

const { values: args } = parseArgs({
  options: {
    inputs: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    decoder: { type: 'string' },
    path: { type: 'string' },
    'budget-ms': { type: 'string', default: '250' },
    batch: { type: 'string', default: '20000' },
    'hang-seconds': { type: 'string', default: '60' },
    list: { type: 'boolean', default: false },
  },
  strict: true,
});

function int(name: string, v: string | undefined, min: number): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) {
    process.stderr.write(`--${name} must be an integer >= ${min}, got ${String(v)}\n`);
    process.exit(64);
  }
  return n;
}

if (args.list) {
  for (const t of FUZZ_TARGETS) process.stdout.write(`${t.name}\n`);
  process.exit(0);
}

const totalInputs = int('inputs', args.inputs, 1);
const seed = args.seed === undefined ? (Date.now() ^ (process.pid << 16)) >>> 0 : int('seed', args.seed, 0);
const budgetMs = int('budget-ms', args['budget-ms'], 1);
const batch = int('batch', args.batch, 1);
const hangSeconds = int('hang-seconds', args['hang-seconds'], 1);
const targets = selectTargets(args.decoder);
if (targets.length === 0) {
  process.stderr.write(`no decoder matches ${JSON.stringify(args.decoder)}; --list shows them\n`);
  process.exit(64);
}

const emit = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

/**
 * Watchdog: a decoder stuck in a loop blocks this thread, so another one
 * watches a heartbeat (inputs so far, current decoder and batch seed) and
 * reports the hang with what replays it.
 */
const beat = new Int32Array(new SharedArrayBuffer(12));
const watchdog = new Worker(
  `const { workerData } = require('node:worker_threads');
   const beat = new Int32Array(workerData.sab);
   let last = -1;
   setInterval(() => {
     const now = Atomics.load(beat, 0);
     if (now === last) {
       process.stdout.write(JSON.stringify({ hang: true, decoder: workerData.names[Atomics.load(beat, 1)],
         batchSeed: Atomics.load(beat, 2) >>> 0, seconds: workerData.hangSeconds }) + '\\n');
       process.exit(2);
     }
     last = now;
   }, workerData.hangSeconds * 1000);`,
  { eval: true, workerData: { sab: beat.buffer, names: targets.map((t) => t.name), hangSeconds } },
);
watchdog.unref();

function withHeartbeat(t: FuzzTarget, index: number): FuzzTarget {
  const decode = t.decode;
  return {
    ...t,
    decode: (b) => {
      Atomics.add(beat, 0, 1);
      Atomics.store(beat, 1, index);
      return decode(b);
    },
  };
}

/** A per-decoder, per-batch seed: any batch replays alone from the seed a failure prints. */
function batchSeed(name: string, b: number): number {
  let h = seed ^ 0x9e3779b9;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return (Math.imul(h ^ b, 0x85ebca6b) ^ (h >>> 13)) >>> 0;
}

const started = performance.now();
// Split evenly; the first (inputs mod decoders) decoders take one more, so the total is exactly --inputs.
const share = (i: number) => Math.max(1, Math.floor(totalInputs / targets.length) + (i < totalInputs % targets.length ? 1 : 0));
let total = 0;
let failures = 0;
const MAX_FAILURES_PER_DECODER = 3;

for (const [index, t] of targets.entries()) {
  const wrapped = withHeartbeat(t, index);
  const t0 = performance.now();
  const out = { decoder: t.name, inputs: 0, values: 0, errors: {} as Record<string, number>, maxMs: 0, failures: [] as unknown[] };
  const merge = (r: RunResult) => {
    out.inputs += r.stats.inputs;
    out.values += r.stats.values;
    out.maxMs = Math.max(out.maxMs, r.stats.maxMs);
    for (const [k, v] of Object.entries(r.stats.errors)) out.errors[k] = (out.errors[k] ?? 0) + v;
    if (r.failure) out.failures.push({ ...r.failure, replay: `npm run fuzz -- --decoder '${t.name}' --seed ${r.failure.seed} --path '${r.failure.path}'` });
  };
  if (args.path !== undefined) {
    Atomics.store(beat, 2, seed | 0);
    merge(runTarget(wrapped, { numRuns: 1, seed, path: args.path, budgetMs }));
  } else {
    for (let b = 0, left = share(index); left > 0 && out.failures.length < MAX_FAILURES_PER_DECODER; b++) {
      const n = Math.min(batch, left);
      const s = batchSeed(t.name, b);
      Atomics.store(beat, 2, s | 0);
      merge(runTarget(wrapped, { numRuns: n, seed: s, budgetMs }));
      left -= n;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  total += out.inputs;
  failures += out.failures.length;
  emit({ ...out, maxMs: Number(out.maxMs.toFixed(2)), seconds: Number(seconds.toFixed(2)), inputsPerSecond: Math.round(out.inputs / seconds) });
}

const seconds = (performance.now() - started) / 1000;
emit({
  summary: true,
  decoders: targets.length,
  inputs: total,
  failures,
  seconds: Number(seconds.toFixed(1)),
  inputsPerSecond: Math.round(total / seconds),
  seed,
  budgetMs,
  node: process.version,
});
process.exitCode = failures > 0 ? 1 : 0;
