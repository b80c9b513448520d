import { checksum8 } from '../codec/writer.js';
import type { Command } from '../commands/command.js';
import { CompletionCode, CompletionCodeError, TimeoutError } from '../errors.js';
import { Drop, DROP, type Exchange, type Exchanger } from './exchanger.js';
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
  /**
   * An established session's context: its commands are sent unchecked
   * (PeerChannel.sendUnchecked), so a send that fails is silence, looked
   * into by `recover` like any other; the new session set up then sends
   * checked and reports the transport's error. Absent: every send is
   * checked and a failed one ends the command with its TransportError.
   */
  uncheckedSends?: boolean;
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
    uncheckedSends: c.uncheckedSends,
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
    return reportStep(c.setupSteps, command.name, () => CommandExchange.run(c, command, request, options.lun, options.signal), CompletionCode.ok);
  }
  return CommandExchange.run(c, command, request, options.lun, options.signal);
}

/** Where an exchange's outcome goes: a promise's resolve or reject, or the caller a queue answers itself (AbortableQueue.tryDirect). */
export interface Settle {
  /** Called once. */
  settle(failed: boolean, outcome: unknown): void;
}

class PromiseSettle implements Settle {
  constructor(
    private readonly resolve: (value: unknown) => void,
    private readonly reject: (err: unknown) => void,
  ) {}

  settle(failed: boolean, outcome: unknown): void {
    if (failed) this.reject(outcome);
    else this.resolve(outcome);
  }
}

/**
 * One command's exchange with its retries, as the Exchanger drives it (an
 * Exchange): the request is encoded once and framed in one buffer per send
 * (a fresh rqSeq and session sequence each time), sent again as
 * ctx.schedule says, and each datagram from the peer is checked in place:
 * the framer (session, integrity, sequence window), §13.8 checksums, then
 * rqSeq, NetFn+1 and command (a late answer to an earlier send carries an
 * old rqSeq and is dropped). Its end goes to one Settle: a non-zero
 * completion code as CompletionCodeError, the decoded response, or the
 * error; silence after every send, in an established session, to
 * ctx.recover first. No promise per send and none of its own when its
 * caller gives it a Settle.
 */
export class CommandExchange<Req, Rsp> implements Exchange {
  readonly checked: boolean;
  private readonly data: Buffer;
  private rqSeq = 0;
  private sent = 0;
  private timeoutMs: number;
  /** The TimeoutError of giving up, when it did: the silence `recover` looks into. */
  private silent: TimeoutError | undefined;

  private constructor(
    private readonly ctx: SendCommandContext,
    private readonly command: Command<Req, Rsp>,
    private readonly request: Req,
    private readonly lun: number | undefined,
    readonly signal: AbortSignal | undefined,
    private readonly to: Settle,
  ) {
    this.data = command.encode(request);
    this.checked = ctx.uncheckedSends !== true;
    this.timeoutMs = ctx.schedule.firstTimeoutMs;
  }

  /** Start `command` on ctx.exchanger; its outcome goes to `to` (a Rsp, or the error). */
  static start<Req, Rsp>(
    ctx: SendCommandContext,
    command: Command<Req, Rsp>,
    request: Req,
    lun: number | undefined,
    signal: AbortSignal | undefined,
    to: Settle,
  ): void {
    let x: CommandExchange<Req, Rsp>;
    try {
      x = new CommandExchange(ctx, command, request, lun, signal, to);
    } catch (err) {
      to.settle(true, err);
      return;
    }
    ctx.exchanger.start(x, x.timeoutMs);
  }

  /** start() with its outcome as a promise. */
  static run<Req, Rsp>(
    ctx: SendCommandContext,
    command: Command<Req, Rsp>,
    request: Req,
    lun: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Rsp> {
    return new Promise<Rsp>((resolve, reject) =>
      CommandExchange.start(ctx, command, request, lun, signal, new PromiseSettle(resolve as (value: unknown) => void, reject)),
    );
  }

  datagram(): Buffer {
    this.sent++;
    this.rqSeq = this.ctx.rqSeq.next();
    const command = this.command;
    return this.ctx.framer.wrapRequest(command.netFn, command.cmd, this.rqSeq, this.lun ?? 0, this.data);
  }

  accept(datagram: Buffer): Buffer | Drop {
    const inner = this.ctx.framer.unwrap(datagram);
    if (inner instanceof Drop) return inner;
    return matchResponse(inner, this.rqSeq, this.command.netFn, this.command.cmd);
  }

  silence(): number | Error {
    const schedule = this.ctx.schedule;
    const next = schedule.next(this.command.name, this.sent, this.timeoutMs);
    if (next === 0) return (this.silent = schedule.giveUp(this.command.name, this.sent));
    this.timeoutMs = next;
    return next;
  }

  end(failed: boolean, outcome: unknown): void {
    const to = this.to;
    if (failed) {
      const recover = this.ctx.recover;
      const silent = this.silent;
      if (silent !== undefined && outcome === silent && recover !== undefined) {
        recover(this.command, this.request, this.lun, this.signal, silent).then(
          (value) => to.settle(false, value),
          (err: unknown) => to.settle(true, err),
        );
      } else to.settle(true, outcome);
      return;
    }
    // [6] completion code, [7..len-1) data, [len-1] checksum (Table 13-4).
    const answer = outcome as Buffer;
    const code = answer[6]!;
    if (code !== 0) {
      to.settle(true, new CompletionCodeError(this.command.name, code));
      return;
    }
    let value: Rsp;
    try {
      value = this.command.decode(answer.subarray(7, answer.length - 1));
    } catch (err) {
      to.settle(true, err);
      return;
    }
    to.settle(false, value);
  }
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
