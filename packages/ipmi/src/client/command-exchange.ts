import type { Command } from '../commands/command.js';
import { CompletionCode, CompletionCodeError, MalformedPacketError, TimeoutError } from '../errors.js';
import { decodeLanResponse, encodeLanRequest, type LanResponse } from '../message/lan-message.js';
import { Drop, type Exchanger, type RmcpDatagram } from './exchanger.js';
import type { Framer } from './framers.js';
import type { ClientHooks, CommandOutcome, RetryPolicy } from './options.js';

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
  retry: RetryPolicy;
  hooks: ClientHooks;
  /** How many sends before giving up with TimeoutError. */
  attempts: number;
  /** Set during session set-up when someone listens (ClientHooks.sessionStep): told of each exchange's end. */
  setupSteps?: SetupSteps;
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
  if (ctx.setupSteps) return reportStep(ctx.setupSteps, command.name, () => exchange(ctx, command, request, options), CompletionCode.ok);
  return exchange(ctx, command, request, options);
}

/**
 * The one retry loop: `attempt(timeoutMs)` is sent again on silence (a
 * TimeoutError), up to `ctx.attempts` sends, each waiting `retry.backoff`
 * times longer than the last (capped at `retry.maxTimeoutMs`). Any other
 * error, or the caller's signal having fired, ends it at once. `attempt`
 * builds what it sends: a command takes a fresh rqSeq each time, so the
 * first send's late answer is never taken for the retransmit's.
 */
export async function withRetries<T>(
  ctx: Pick<SendCommandContext, 'retry' | 'hooks' | 'attempts'>,
  name: string,
  signal: AbortSignal | undefined,
  attempt: (timeoutMs: number) => Promise<T>,
): Promise<T> {
  let timeoutMs = ctx.retry.initialTimeoutMs;
  for (let sent = 1; ; sent++) {
    try {
      return await attempt(timeoutMs);
    } catch (err) {
      if (!(err instanceof TimeoutError) || signal?.aborted) throw err;
      if (sent >= ctx.attempts) throw new TimeoutError(`${name}: no answer after ${sent} attempt(s)`, { cause: err });
      ctx.hooks.retry?.(name);
      timeoutMs = Math.min(timeoutMs * ctx.retry.backoff, ctx.retry.maxTimeoutMs);
    }
  }
}

async function exchange<Req, Rsp>(
  ctx: SendCommandContext,
  command: Command<Req, Rsp>,
  request: Req,
  options: { lun?: number; signal?: AbortSignal },
): Promise<Rsp> {
  const data = command.encode(request);
  const rsp = await withRetries(ctx, command.name, options.signal, (timeoutMs) => {
    // Every send, retransmits included, takes a fresh rqSeq (and, in a session, sequence number).
    const rqSeq = ctx.rqSeq.next();
    const lan = encodeLanRequest({ netFn: command.netFn, cmd: command.cmd, rqSeq, rsLun: options.lun ?? 0, data });
    const accept = (d: RmcpDatagram): LanResponse | Drop => {
      const inner = ctx.framer.unwrap(d);
      if (inner instanceof Drop) return inner;
      let answer: LanResponse;
      try {
        answer = decodeLanResponse(inner);
      } catch (err) {
        if (err instanceof MalformedPacketError) return new Drop('malformed');
        throw err;
      }
      if (answer.rqSeq !== rqSeq || answer.netFn !== command.netFn + 1 || answer.cmd !== command.cmd) return new Drop('no-match');
      return answer;
    };
    return ctx.exchanger.roundTrip(ctx.framer.wrap(lan), accept, timeoutMs, options.signal);
  });
  if (rsp.completionCode !== 0) throw new CompletionCodeError(command.name, rsp.completionCode);
  return command.decode(rsp.data);
}
