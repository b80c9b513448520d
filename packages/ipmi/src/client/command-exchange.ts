import { checksum8 } from '../codec/writer.js';
import type { Command } from '../commands/command.js';
import { CompletionCode, CompletionCodeError, TimeoutError } from '../errors.js';
import { Drop, DROP, type Exchanger } from './exchanger.js';
import type { Framer } from './framers.js';
import type { CommandOutcome } from './options.js';
import type { RetrySchedule } from './retry-schedule.js';

/** rqSeq is 6 bits (§13.8); every send, retransmits included, takes a fresh one. */
export class RqSeq {
  private n: number;
  constructor(start = 1) {
    this.n = start & 0x3f;
  }
  next(): number {
    this.n = (this.n + 1) & 0x3f;
    return this.n;
  }
}

export interface SendCommandContext {
  exchanger: Exchanger;
  framer: Framer;
  rqSeq: RqSeq;
  /** The retry rule: how long each send waits, how many sends before TimeoutError. */
  schedule: RetrySchedule;
  /** Set during session set-up when someone listens (ClientHooks.sessionStep): told of each exchange's end. */
  setupSteps?: SetupSteps;
  /**
   * A command of an established session given no answer after all its
   * attempts (and its caller's signal not fired) ends here instead of in
   * TimeoutError: the client looks into the session, re-establishes it if it
   * is gone and sends the command again. Absent: the TimeoutError is thrown.
   */
  recover?: Recover;
}

/** What to do about a command that got no answer: answer it some other way, or throw. */
export type Recover = <Req, Rsp>(
  command: Command<Req, Rsp>,
  request: Req,
  lun: number | undefined,
  signal: AbortSignal | undefined,
  silence: TimeoutError,
) => Promise<Rsp>;

/**
 * A SendCommandContext with its properties always in one order, so the
 * per-command path sees one object shape (property loads stay monomorphic)
 * whichever way the context was put together (spreads make other shapes).
 */
export function commandContext(c: SendCommandContext): SendCommandContext {
  return {
    exchanger: c.exchanger,
    framer: c.framer,
    rqSeq: c.rqSeq,
    schedule: c.schedule,
    setupSteps: c.setupSteps,
    recover: c.recover,
  };
}

export interface SetupSteps {
  now(): number;
  done(step: string, seconds: number, outcome: CommandOutcome, completionCode?: number): void;
}

/** Run one set-up exchange and report how it ended to `steps` (if any); `okCode` is 0 for IPMI commands, absent for RMCP+ handshake messages. */
export async function reportStep<T>(steps: SetupSteps | undefined, name: string, exchange: () => Promise<T>, okCode?: number): Promise<T> {
  if (!steps) return exchange();
  const started = steps.now();
  const elapsed = () => (steps.now() - started) / 1000;
  try {
    const result = await exchange();
    steps.done(name, elapsed(), 'ok', okCode);
    return result;
  } catch (err) {
    if (err instanceof CompletionCodeError) steps.done(name, elapsed(), 'completion-code', err.completionCode);
    else steps.done(name, elapsed(), err instanceof TimeoutError ? 'timeout' : 'error');
    throw err;
  }
}

/**
 * One command, retransmitted with a fresh rqSeq (and, in a session, a fresh
 * session sequence number) until a response matching rqSeq, NetFn+1 and
 * command arrives. A non-zero completion code becomes CompletionCodeError.
 */
export async function sendCommand<Req, Rsp>(
  ctx: SendCommandContext,
  command: Command<Req, Rsp>,
  request: Req,
  options: { lun?: number; signal?: AbortSignal },
): Promise<Rsp> {
  const c = commandContext(ctx);
  if (c.setupSteps) {
    return reportStep(c.setupSteps, command.name, () => exchangeCommand(c, command, request, options.lun, options.signal), CompletionCode.ok);
  }
  return exchangeCommand(c, command, request, options.lun, options.signal);
}

/**
 * `attempt(timeoutMs)` sent again on silence (a TimeoutError) as
 * `ctx.schedule` says. Any other error, or the caller's signal having fired,
 * ends it at once. `attempt` builds what it sends. Used for the RMCP+
 * handshake messages, which are sent unchanged each time.
 */
export async function withRetries<T>(
  ctx: Pick<SendCommandContext, 'schedule'>,
  name: string,
  signal: AbortSignal | undefined,
  attempt: (timeoutMs: number) => Promise<T>,
): Promise<T> {
  const schedule = ctx.schedule;
  let timeoutMs = schedule.firstTimeoutMs;
  for (let sent = 1; ; sent++) {
    try {
      return await attempt(timeoutMs);
    } catch (err) {
      if (!(err instanceof TimeoutError) || signal?.aborted) throw err;
      timeoutMs = schedule.next(name, sent, timeoutMs);
      if (timeoutMs === 0) throw schedule.giveUp(name, sent, err);
    }
  }
}

/**
 * One command's exchange with its retries in a single async function: the
 * request is framed in one buffer per send (fresh rqSeq and session sequence
 * each time), and one acceptor per command checks the answer in place:
 * §13.8 checksums, then rqSeq, NetFn+1 and command (a late answer to an
 * earlier attempt carries an old rqSeq and is dropped).
 */
export async function exchangeCommand<Req, Rsp>(
  ctx: SendCommandContext,
  command: Command<Req, Rsp>,
  request: Req,
  lun: number | undefined,
  signal: AbortSignal | undefined,
): Promise<Rsp> {
  const data = command.encode(request);
  const framer = ctx.framer;
  const netFn = command.netFn;
  const cmd = command.cmd;
  let rqSeq = 0;
  const accept = (d: Buffer): Buffer | Drop => {
    const inner = framer.unwrap(d);
    if (inner instanceof Drop) return inner;
    return matchResponse(inner, rqSeq, netFn, cmd);
  };
  const schedule = ctx.schedule;
  let timeoutMs = schedule.firstTimeoutMs;
  let answer: Buffer;
  for (let sent = 1; ; sent++) {
    rqSeq = ctx.rqSeq.next();
    try {
      answer = await ctx.exchanger.roundTrip(framer.wrapRequest(netFn, cmd, rqSeq, lun ?? 0, data), accept, timeoutMs, signal);
      break;
    } catch (err) {
      if (!(err instanceof TimeoutError) || signal?.aborted) throw err;
      timeoutMs = schedule.next(command.name, sent, timeoutMs);
      if (timeoutMs === 0) {
        const silence = schedule.giveUp(command.name, sent, err);
        if (ctx.recover === undefined) throw silence;
        return await ctx.recover(command, request, lun, signal, silence);
      }
    }
  }
  // [6] completion code, [7..len-1) data, [len-1] checksum (Table 13-4).
  const code = answer[6]!;
  if (code !== 0) throw new CompletionCodeError(command.name, code);
  return command.decode(answer.subarray(7, answer.length - 1));
}

/**
 * A LAN response (§13.8 Table 13-4) checked as decodeLanResponse does, then
 * matched to the request: the message itself, or why it is dropped.
 */
function matchResponse(m: Buffer, rqSeq: number, netFn: number, cmd: number): Buffer | Drop {
  const n = m.length;
  // Header, checksums and a completion code: at least 8 bytes.
  if (n < 8) return DROP.malformed;
  if (checksum8(m, 0, 3) !== 0 || checksum8(m, 3, n) !== 0) return DROP.malformed;
  if (m[4]! >> 2 !== rqSeq || m[1]! >> 2 !== netFn + 1 || m[5] !== cmd) return DROP.noMatch;
  return m;
}
