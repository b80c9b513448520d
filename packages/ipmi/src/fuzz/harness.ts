import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { IpmiError } from '@bmc-exporter/ipmi';
import { mutated } from './mutate.js';

/**
 * The contract every decoder of BMC bytes keeps, checked for arbitrary and
 * mutated input (see README "Fuzzing"):
 *  - it returns a value or throws one of the library's own errors (IpmiError
 *    and subclasses): never a TypeError, RangeError or anything else;
 *  - it finishes within a time budget, and what it returns is no larger than
 *    a bound proportional to the input (no amplification a peer can drive);
 *  - valid encodings decode;
 *  - where an encoder exists, decode(encode(decode(b))) equals decode(b).
 */
export interface FuzzTarget<T = unknown> {
  /** Unique, stable name: `area/what`. `npm run fuzz -- --decoder NAME` selects by it (or a prefix). */
  readonly name: string;
  readonly decode: (bytes: Buffer) => T;
  /** Encodings that must decode; mutations start from these. */
  readonly valid: fc.Arbitrary<Uint8Array>;
  /** False when `valid` are mutation seeds that need not decode (a LAN frame whose command data is arbitrary). */
  readonly validDecodes?: boolean;
  /** Further input shapes (e.g. mutated packets resealed with a valid MAC). */
  readonly extra?: fc.Arbitrary<Uint8Array>;
  /** Longest random input; default 256. */
  readonly maxLength?: number;
  /** Re-encodes a decoded value; undefined where the value has no encoding (the check is skipped). */
  readonly reencode?: (value: T) => Uint8Array | undefined;
  /** Projection compared in the round trip (default: the whole value). */
  readonly roundTripView?: (value: T) => unknown;
  /** Extra invariant on a decoded value: throw to fail. */
  readonly check?: (value: T, bytes: Buffer) => void;
  /** Output size allowed per input byte (default 16), plus a constant 1024. */
  readonly outputFactor?: number;
}

export function target<T>(t: FuzzTarget<T>): FuzzTarget<unknown> {
  return t as FuzzTarget<unknown>;
}

export interface FuzzInput {
  bytes: Uint8Array;
  /** A valid encoding, unmutated: it must decode. */
  mustDecode: boolean;
}

export function inputArb(t: FuzzTarget): fc.Arbitrary<FuzzInput> {
  const random = fc.uint8Array({ maxLength: t.maxLength ?? 256 }).map((bytes) => ({ bytes, mustDecode: false }));
  const valid = t.valid.map((bytes) => ({ bytes, mustDecode: t.validDecodes !== false }));
  const mut = mutated(t.valid).map((bytes) => ({ bytes, mustDecode: false }));
  const arbs = [
    { weight: 2, arbitrary: random },
    { weight: 1, arbitrary: valid },
    { weight: 6, arbitrary: mut },
  ];
  if (t.extra) arbs.push({ weight: 4, arbitrary: t.extra.map((bytes) => ({ bytes, mustDecode: false })) });
  return fc.oneof(...arbs);
}

/**
 * A rough size of a decoded value: string lengths, buffer lengths, one per
 * number/boolean/key. Stops counting once past `limit`.
 */
export function outputSize(value: unknown, limit: number): number {
  let size = 0;
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0 && size <= limit) {
    const v = stack.pop();
    if (typeof v === 'string') size += v.length;
    else if (v instanceof Uint8Array) size += v.length;
    else if (v instanceof Date) size += 1;
    else if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) continue;
      seen.add(v);
      for (const [k, x] of Object.entries(v)) {
        size += 1 + k.length;
        stack.push(x);
      }
    } else size += 1;
  }
  return size;
}

/**
 * What no decoded value may contain, whatever the input: NaN (arithmetic on a
 * missing byte), an invalid Date, or a hole or undefined in an array (a table
 * looked up past its end).
 */
export function checkWellFormed(value: unknown): void {
  const seen = new Set<object>();
  const stack: Array<[unknown, string]> = [[value, '$']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'number' && Number.isNaN(v)) throw new Error(`${path} is NaN`);
    if (v instanceof Date && Number.isNaN(v.getTime())) throw new Error(`${path} is an invalid Date`);
    if (typeof v !== 'object' || v === null || v instanceof Uint8Array || v instanceof Date || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (v[i] === undefined) throw new Error(`${path}[${i}] is undefined`);
        stack.push([v[i], `${path}[${i}]`]);
      }
    } else for (const [k, x] of Object.entries(v)) stack.push([x, `${path}.${k}`]);
  }
}

/** Text the library derives from codes (names, descriptions) must never show a failed lookup. */
export function checkText(what: string, ...texts: unknown[]): void {
  for (const t of texts) {
    if (typeof t !== 'string') throw new Error(`${what}: ${String(t)} is not a string`);
    if (/\b(undefined|NaN|null)\b|\[object /.test(t)) throw new Error(`${what}: "${t}" shows a failed lookup`);
  }
}

/** A broken promise of the contract (as opposed to a decoder's own error, which is fine). */
export class FuzzFailure extends Error {
  override name = 'FuzzFailure';
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}: ${e.message}\n${e.stack ?? ''}`;
  return `non-Error thrown: ${String(e)}`;
}

export interface TargetStats {
  inputs: number;
  values: number;
  /** Errors by class name (all IpmiError subclasses when the target holds). */
  errors: Record<string, number>;
  maxMs: number;
}

export function newStats(): TargetStats {
  return { inputs: 0, values: 0, errors: {}, maxMs: 0 };
}

export interface CheckOptions {
  /** Per-input wall-clock budget for one decode (generous: it catches blow-ups, not slowness). */
  budgetMs: number;
}

/** Runs one input through a target and throws FuzzFailure if the contract breaks. */
export function checkInput(t: FuzzTarget, input: FuzzInput, stats: TargetStats, opts: CheckOptions): void {
  const bytes = Buffer.from(input.bytes);
  stats.inputs++;
  let value: unknown;
  let thrown: unknown;
  let threw = false;
  const start = performance.now();
  try {
    value = t.decode(bytes);
  } catch (e) {
    threw = true;
    thrown = e;
  }
  const ms = performance.now() - start;
  if (ms > stats.maxMs) stats.maxMs = ms;
  // Decoders read their input; one that writes to it corrupts a datagram another reader may still hold.
  if (Buffer.compare(bytes, input.bytes) !== 0) throw new FuzzFailure(`${t.name}: the decoder modified its input`);
  if (threw) {
    const name = thrown instanceof Error ? thrown.constructor.name : typeof thrown;
    stats.errors[name] = (stats.errors[name] ?? 0) + 1;
    if (!(thrown instanceof IpmiError)) {
      throw new FuzzFailure(`${t.name}: threw ${describeError(thrown)}`);
    }
    if (input.mustDecode) throw new FuzzFailure(`${t.name}: a valid encoding failed to decode: ${describeError(thrown)}`);
  } else stats.values++;
  if (ms > opts.budgetMs) {
    // On a shared machine a descheduled thread or a GC pause looks like a slow decode:
    // only a decode that is slow every time it runs is a failure.
    const again = Math.min(timeDecode(t, bytes), timeDecode(t, bytes));
    if (again > opts.budgetMs) {
      throw new FuzzFailure(`${t.name}: one decode took ${again.toFixed(1)} ms, three times over (budget ${opts.budgetMs} ms)`);
    }
  }
  if (threw) return;

  const limit = (t.outputFactor ?? 16) * bytes.length + 1024;
  const size = outputSize(value, limit);
  if (size > limit) throw new FuzzFailure(`${t.name}: output size > ${limit} for ${bytes.length} input bytes`);
  try {
    checkWellFormed(value);
    t.check?.(value, bytes);
  } catch (e) {
    throw new FuzzFailure(`${t.name}: invariant broken: ${describeError(e)}`);
  }
  if (t.reencode) roundTrip(t, value);
}

function timeDecode(t: FuzzTarget, bytes: Buffer): number {
  const start = performance.now();
  try {
    t.decode(Buffer.from(bytes));
  } catch {
    // Already classified on the first run.
  }
  return performance.now() - start;
}

function roundTrip(t: FuzzTarget, value: unknown): void {
  let encoded: Uint8Array | undefined;
  try {
    encoded = t.reencode!(value);
  } catch (e) {
    // The encoder's domain can be narrower than what the decoder tolerates (a 17-byte name): fine.
    if (e instanceof IpmiError) return;
    throw new FuzzFailure(`${t.name}: re-encoding a decoded value threw ${describeError(e)}`);
  }
  if (encoded === undefined) return;
  let again: unknown;
  try {
    again = t.decode(Buffer.from(encoded));
  } catch (e) {
    throw new FuzzFailure(`${t.name}: its own re-encoding (${Buffer.from(encoded).toString('hex')}) fails to decode: ${describeError(e)}`);
  }
  const view = t.roundTripView ?? ((v: unknown) => v);
  if (!isDeepStrictEqual(view(again), view(value))) {
    throw new FuzzFailure(`${t.name}: decode(encode(v)) differs from v\n  v:     ${inspectShort(view(value))}\n  again: ${inspectShort(view(again))}`);
  }
}

function inspectShort(v: unknown): string {
  const s = JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && (x as { type?: string }).type === 'Buffer' ? Buffer.from((x as { data: number[] }).data).toString('hex') : x,
  );
  return s === undefined ? String(v) : s.length > 2000 ? `${s.slice(0, 2000)}...` : s;
}

export interface RunResult {
  name: string;
  stats: TargetStats;
  /** Set when the contract broke: everything needed to reproduce it. */
  failure?: { seed: number; path: string; counterexampleHex: string; error: string };
}

export interface RunOptions extends CheckOptions {
  numRuns: number;
  seed: number;
  /** Replays one counterexample (from a failure's `path`). */
  path?: string;
}

/** Runs `numRuns` inputs against one target with fast-check (shrinking a failure to a small input). */
export function runTarget(t: FuzzTarget, opts: RunOptions): RunResult {
  const stats = newStats();
  const prop = fc.property(inputArb(t), (input) => checkInput(t, input, stats, opts));
  const details = fc.check(prop, {
    numRuns: opts.numRuns,
    seed: opts.seed,
    ...(opts.path !== undefined && { path: opts.path }),
    endOnFailure: false,
  });
  if (!details.failed) return { name: t.name, stats };
  const input = details.counterexample?.[0];
  return {
    name: t.name,
    stats,
    failure: {
      seed: details.seed >>> 0,
      path: details.counterexamplePath ?? '',
      counterexampleHex: input ? Buffer.from(input.bytes).toString('hex') : '',
      error: details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance),
    },
  };
}

/** A failure as text: the broken promise and how to replay it. */
export function formatFailure(r: RunResult): string {
  if (!r.failure) return `${r.name}: ok`;
  const f = r.failure;
  return `${f.error}\ncounterexample: ${f.counterexampleHex}\nreplay: npm run fuzz -- --decoder '${r.name}' --seed ${f.seed} --path '${f.path}'`;
}
