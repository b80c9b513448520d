import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Command, Execute, ExecuteOptions } from './commands/command.js';
import { closeSession } from './commands/close-session.js';
import { getDeviceId } from './commands/get-device-id.js';
import { getChannelAuthCapabilities, type GetChannelAuthCapabilitiesRsp } from './commands/get-channel-auth-capabilities.js';
import { setSessionPrivilegeLevel } from './commands/set-session-privilege-level.js';
import { CommandExchange, commandContext, sendCommand, RqSeq, type Recover, type SendCommandContext, type SetupSteps } from './client/command-exchange.js';
import { AbortableQueue, type Answered } from './client/abortable-queue.js';
import { RetrySchedule } from './client/retry-schedule.js';
import { abortError, Exchanger, NEVER_ABORTS } from './client/exchanger.js';
import { sessionlessV15, type Framer } from './client/framers.js';
import { DEFAULT_SESSION_BACKOFF, isSessionRefusal, SessionBackoff } from './client/session-backoff.js';
import { loginV15 } from './client/login-v15.js';
import { loginV20 } from './client/login-v20.js';
import {
  DEFAULT_CIPHER_PREFERENCE,
  DEFAULT_RETRY,
  PRIVILEGE_LEVEL,
  realTimers,
  type AuthType15,
  type BmcClientOptions,
  type ClientHooks,
  type RetryPolicy,
  type SessionDescription,
  type Timers,
} from './client/options.js';
import {
  AuthenticationError,
  ClientClosedError,
  CompletionCode,
  CompletionCodeError,
  InvalidArgumentError,
  isCompletionCode,
  SessionBackoffError,
  TimeoutError,
  UnsupportedCipherSuiteError,
} from './errors.js';
import { USERNAME_MAX, V20_PASSWORD_MAX } from './session/auth-types.js';
import { DEFAULT_IPMI_PORT, formatPeer, peerFromIp, type Peer } from './transport/peer.js';
import { UdpTransport } from './transport/udp-transport.js';

interface ActiveSession {
  framer: Framer & { readonly sessionId: number };
  description: SessionDescription;
  /** This session's send contexts, made once: with the in-session attempts, and with a single send. */
  send: SendCommandContext;
  sendOnce: SendCommandContext;
  /**
   * What a caller's command is sent with: `send` and `sendOnce` (a session
   * idle long enough to be suspect) with the silence of an established
   * session looked into (SendCommandContext.recover).
   */
  command: SendCommandContext;
  suspect: SendCommandContext;
}

/**
 * One BMC, one session, one command in flight (invariant 1 in docs/architecture.md).
 * Commands queue behind each other; the session is opened on first use and
 * re-established transparently when it stops answering (BMC restart, idle
 * expiry). Every call can be bounded by an AbortSignal.
 */
export class BmcClient {
  /**
   * The per-BMC command queue: one command (with its session set-up and
   * retries) at a time, and a command whose caller gave up keeps the BMC
   * until its exchange on the wire is over (invariant 1 in docs/architecture.md).
   */
  private readonly commands = new AbortableQueue({ detachRunning: true, abortReason: abortError });
  private readonly retry: RetryPolicy;
  private readonly hooks: ClientHooks;
  private readonly password: Buffer;
  private readonly transport: UdpTransport;
  private readonly ownsTransport: boolean;
  private readonly rqSeq: RqSeq;
  private readonly random: (n: number) => Buffer;
  private readonly backoff: SessionBackoff;
  private readonly timers: Timers;
  /** The refusal that started the current back-off, for the message while it lasts. */
  private lastRefusal: string | undefined;
  private peer: Peer | undefined;
  private exchanger: Exchanger | undefined;
  private active: ActiveSession | undefined;
  private closed = false;
  /** The RMCP+ suite to try first at the next login (loginV20's hint): the last session's, or the caller's. */
  private suiteHint: number | undefined;

  constructor(private readonly options: BmcClientOptions) {
    if (Buffer.byteLength(options.username) > USERNAME_MAX) {
      throw new InvalidArgumentError(`user name longer than ${USERNAME_MAX} bytes`);
    }
    // Our own copy, kept for the client's life: Buffer.alloc, never Buffer.from,
    // whose small buffers are slices of Node's shared 8 KiB pool and would each
    // pin a whole pool slab (8 KiB per client when clients are made one by one).
    const given = Buffer.isBuffer(options.password) ? options.password : Buffer.from(options.password, 'utf8');
    this.password = Buffer.alloc(given.length);
    given.copy(this.password);
    if (this.password.length > V20_PASSWORD_MAX) {
      throw new InvalidArgumentError(`password longer than ${V20_PASSWORD_MAX} bytes`);
    }
    for (const id of options.cipherSuites ?? []) {
      if (!Number.isInteger(id) || id < 0 || id > 255) throw new InvalidArgumentError(`cipher suite ${id} is not 0-255`);
    }
    this.suiteHint = options.cipherSuiteHint;
    this.timers = options.timers ?? realTimers;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.hooks = options.hooks ?? {};
    this.random = options.random ?? randomBytes;
    this.rqSeq = new RqSeq(this.random(1)[0]!);
    this.backoff = new SessionBackoff(
      { ...DEFAULT_SESSION_BACKOFF, ...options.sessionBackoff },
      () => this.now(),
      () => this.random(4).readUInt32LE(0) / 2 ** 32,
    );
    this.ownsTransport = options.transport === undefined;
    this.transport = options.transport ?? new UdpTransport();
  }

  /** "host:port" as given, for messages and labels. */
  get target(): string {
    const port = this.options.port ?? DEFAULT_IPMI_PORT;
    return formatPeer({ address: this.options.host, port });
  }

  /** The open session, if any. */
  get session(): SessionDescription | undefined {
    return this.active?.description;
  }

  /**
   * The RMCP+ suite to try first at the next login, as the cipherSuiteHint
   * option says (e.g. one kept across restarts and read after the client was
   * made); undefined forgets it. An id outside 0-255 is ignored.
   */
  setCipherSuiteHint(id: number | undefined): void {
    if (id === undefined || (Number.isInteger(id) && id >= 0 && id <= 255)) this.suiteHint = id;
  }

  /** Milliseconds before the client will try to open a session again after refusals; 0 when not backing off. */
  get backoffRemainingMs(): number {
    return this.backoff.remainingMs();
  }

  /** Commands waiting or in flight. */
  get pending(): number {
    return this.commands.size;
  }

  /**
   * Send one command (opening a session first if needed) and decode its
   * answer. `commandCompleted` is told of every command that was started,
   * when its caller is answered: a deadline reports the command then, even
   * though its exchange may hold the BMC a little longer.
   */
  readonly execute: Execute = <Req, Rsp>(command: Command<Req, Rsp>, request: Req, options?: ExecuteOptions): Promise<Rsp> => {
    if (this.closed) return Promise.reject(new ClientClosedError('client is closed'));
    const signal = options?.signal;
    const lun = options?.lun;
    let started = 0;
    const told: Answered | undefined =
      this.hooks.commandCompleted === undefined
        ? undefined
        : (ran, failed, outcome) => {
            if (ran) this.commandCompleted(command.name, (this.now() - started) / 1000, failed, outcome);
          };
    // The queue idle (the common case): the command starts now and settles its caller's one promise itself.
    const call = this.commands.tryDirect<Rsp>(signal, told);
    if (call === undefined) {
      return this.commands.run(
        () => {
          started = this.now();
          return this.inSession(command, request, lun, signal ?? NEVER_ABORTS);
        },
        signal,
        told,
      );
    }
    if (told !== undefined) started = this.now();
    const session = this.active;
    if (session === undefined) {
      this.loginAndSend(command, request, lun, signal ?? NEVER_ABORTS).then(
        (value) => call.settle(false, value),
        (err: unknown) => call.settle(true, err),
      );
    } else CommandExchange.start(this.sendContext(session), command, request, lun, signal ?? NEVER_ABORTS, call);
    return call.promise;
  };

  /**
   * The caller is done with `signal`: the client keeps one abort listener
   * on the signal its commands came with, for all of them, until this, a
   * command with another signal, or the signal firing. A caller that sends
   * a scrape's worth of commands under one deadline calls it when the scrape
   * is over, so that no listener stays on that signal. With no command in
   * flight, the retransmit timer stops too (see Exchanger.idle).
   */
  releaseSignal(signal: AbortSignal): void {
    this.commands.release(signal);
    this.exchanger?.idle();
  }

  /** The caller of a command that started is being answered: tell the hook how it ended. */
  private commandCompleted(name: string, seconds: number, failed: boolean, outcome: unknown): void {
    if (!failed) this.hooks.commandCompleted?.(name, seconds, 'ok', CompletionCode.ok);
    else if (outcome instanceof CompletionCodeError) this.hooks.commandCompleted?.(name, seconds, 'completion-code', outcome.completionCode);
    else this.hooks.commandCompleted?.(name, seconds, outcome instanceof TimeoutError ? 'timeout' : 'error');
  }

  /** Open the session now (otherwise the first command does). */
  open(options: { signal?: AbortSignal } = {}): Promise<SessionDescription> {
    return this.enqueue(async (signal) => (this.active ?? (await this.login(signal))).description, options.signal);
  }

  /**
   * Close Session (best effort, one short attempt), then release the
   * transport channel. The command in flight finishes (within its own
   * deadline); queued ones reject with ClientClosedError.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.commands.cancelWaiting(new ClientClosedError('client closed'));
    await this.commands.onIdle();
    const session = this.active;
    this.active = undefined;
    if (session && this.exchanger) {
      try {
        await sendCommand(
          session.sendOnce,
          closeSession,
          { sessionId: session.framer.sessionId },
          { signal: AbortSignal.timeout(this.retry.initialTimeoutMs) },
        );
      } catch {
        // The BMC may already have dropped the session; it expires on its own.
      }
      this.hooks.sessionClosed?.('closed');
    }
    this.exchanger?.close();
    this.exchanger = undefined;
    if (this.ownsTransport) await this.transport.close();
  }

  /**
   * Run `task` on the command queue: a caller whose signal fires is
   * answered at once, waiting or not; closing cancels what is waiting; the
   * command running goes on under its caller's deadline so close() can
   * then end the session cleanly.
   */
  private enqueue<T>(task: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.closed) return Promise.reject(new ClientClosedError('client is closed'));
    return this.commands.run(() => task(signal ?? NEVER_ABORTS), signal);
  }

  /** Set-up exchanges are reported only when a sessionStep hook listens. */
  private setupSteps(): { setupSteps?: SetupSteps } {
    const hook = this.hooks.sessionStep;
    if (!hook) return {};
    const timers = this.options.timers ?? realTimers;
    return { setupSteps: { now: () => timers.now(), done: (step, seconds, outcome, code) => hook.call(this.hooks, step, seconds, outcome, code) } };
  }

  private context(attempts: number): Omit<SendCommandContext, 'framer'> {
    return { exchanger: this.exchanger!, rqSeq: this.rqSeq, schedule: new RetrySchedule(this.retry, attempts, this.hooks) };
  }

  /**
   * One command in the session, opened first if need be. In an established
   * session this is one CommandExchange, and its silence is looked into by
   * `recover` (SendCommandContext.recover), only on that failure path.
   */
  private inSession<Req, Rsp>(command: Command<Req, Rsp>, request: Req, lun: number | undefined, signal: AbortSignal): Promise<Rsp> {
    const session = this.active;
    if (session === undefined) return this.loginAndSend(command, request, lun, signal);
    return CommandExchange.run(this.sendContext(session), command, request, lun, signal);
  }

  /** What a caller's command in the established `session` is sent with. */
  private sendContext(session: ActiveSession): SendCommandContext {
    // Long idle: silence most likely means the BMC dropped the session, so
    // one unanswered send is enough to replace it (a second attempt and a
    // canary would cost a scrape seconds on every BMC that expires sessions
    // between scrapes).
    return this.now() - session.send.exchanger.lastAnswerAt >= this.retry.idleSuspectMs ? session.suspect : session.command;
  }

  /** No session yet: open one and send; silence of a session just opened is not looked into. */
  private async loginAndSend<Req, Rsp>(command: Command<Req, Rsp>, request: Req, lun: number | undefined, signal: AbortSignal): Promise<Rsp> {
    const session = await this.login(signal);
    return await CommandExchange.run(session.send, command, request, lun, signal);
  }

  /**
   * A command of `session` got no answer (its caller's signal not fired).
   * Silence inside an established session, used recently, means either the
   * session is gone (BMC restart) or the BMC ignores this one command (some
   * drop unsupported DCMI requests instead of rejecting them). A single
   * cheap canary tells the two apart; it is sent only on this failure path,
   * never on a healthy scrape. A `suspect` session (long idle) is replaced
   * without asking.
   */
  private async recover<Req, Rsp>(
    session: ActiveSession,
    suspect: boolean,
    command: Command<Req, Rsp>,
    request: Req,
    lun: number | undefined,
    signal: AbortSignal | undefined,
    silence: TimeoutError,
  ): Promise<Rsp> {
    const s = signal ?? NEVER_ABORTS;
    const silentMs = this.now() - session.send.exchanger.lastAnswerAt;
    if (!suspect && (await this.sessionAnswers(session, s))) throw silence;
    this.dropSession('expired');
    this.options.logger?.debug({ target: this.target, command: command.name, silentMs: Math.round(silentMs) }, 'session stopped answering; re-establishing');
    const fresh = await this.login(s);
    return await CommandExchange.run(fresh.send, command, request, lun, s);
  }

  private now(): number {
    return this.timers.now();
  }

  private async sessionAnswers(session: ActiveSession, signal: AbortSignal): Promise<boolean> {
    try {
      await sendCommand(session.sendOnce, getDeviceId, undefined, { signal });
      return true;
    } catch (err) {
      if (err instanceof TimeoutError && !signal.aborted) return false;
      if (err instanceof CompletionCodeError) return true;
      throw err;
    }
  }

  private dropSession(reason: 'expired' | 'error'): void {
    if (this.active) {
      this.active = undefined;
      this.hooks.sessionClosed?.(reason);
    }
  }

  private async resolvePeer(signal: AbortSignal): Promise<Peer> {
    if (this.peer) return this.peer;
    const port = this.options.port ?? DEFAULT_IPMI_PORT;
    let address = this.options.host;
    if (isIP(address) === 0) {
      try {
        address = (await lookup(address)).address;
      } catch (err) {
        throw new InvalidArgumentError(`cannot resolve "${this.options.host}": ${(err as Error).message}`, { cause: err });
      }
      if (signal.aborted) throw abortError(signal);
    }
    this.peer = peerFromIp(address, port);
    return this.peer;
  }

  /**
   * Open a session, unless the BMC refused one recently: then throw
   * SessionBackoffError without sending anything. A refusal starts or
   * lengthens the back-off; a session established ends it.
   */
  private async login(signal: AbortSignal): Promise<ActiveSession> {
    const waitMs = this.backoff.remainingMs();
    if (waitMs > 0) {
      throw new SessionBackoffError(
        `${this.target} refused a session (${this.lastRefusal ?? 'refused'}); not asking again for ${Math.ceil(waitMs / 1000)} s`,
        waitMs,
      );
    }
    try {
      const session = await this.establish(signal);
      this.backoff.succeeded();
      this.lastRefusal = undefined;
      return session;
    } catch (err) {
      if (isSessionRefusal(err)) {
        const backoffMs = this.backoff.refused();
        this.lastRefusal = (err as Error).message;
        this.hooks.sessionRefused?.(err as Error, backoffMs);
        this.options.logger?.debug(
          { target: this.target, backoffMs, refusals: this.backoff.consecutiveRefusals, error: this.lastRefusal },
          'session refused; backing off',
        );
      }
      throw err;
    }
  }

  private async establish(signal: AbortSignal): Promise<ActiveSession> {
    const peer = await this.resolvePeer(signal);
    if (!this.exchanger) {
      const channel = this.transport.open(peer, (d) => this.exchanger?.onDatagram(d));
      this.exchanger = new Exchanger(channel, this.options.timers ?? realTimers, this.hooks);
    }
    const ctx = { ...this.context(this.retry.attempts), ...this.setupSteps() };
    const privilegeName = this.options.privilege ?? 'user';
    const privilege = PRIVILEGE_LEVEL[privilegeName];
    const wanted = this.options.ipmiVersion ?? 'auto';

    const caps = await this.channelCapabilities(ctx, privilege, wanted !== '1.5', signal);
    const version = wanted === 'auto' ? (caps.ipmi20Supported ? '2.0' : '1.5') : wanted;
    const pinned = this.options.cipherSuites;
    const authTypes: readonly AuthType15[] = this.options.authTypes ?? ['md5', 'md2', 'password'];

    let login: Pick<ActiveSession, 'framer' | 'description'> | undefined;
    if (version === '2.0') {
      const hint = this.suiteHint;
      // Used once: a login that fails with it discovers next time; one that succeeds sets it again.
      this.suiteHint = undefined;
      const v20 = await loginV20(ctx, {
        username: this.options.username,
        password: this.password,
        kg: this.options.kg,
        privilege,
        pinned,
        preference: DEFAULT_CIPHER_PREFERENCE,
        hint,
        random: this.random,
        logger: this.options.logger,
        signal,
      });
      if (!(v20 instanceof UnsupportedCipherSuiteError)) {
        this.suiteHint = v20.suite.id;
        login = { framer: v20.framer, description: { ipmiVersion: '2.0', cipherSuite: v20.suite.id, authType: null, privilege: privilegeName } };
      } else if (wanted !== 'auto' || pinned?.length) {
        // Asked for RMCP+ (or for given suites) and no suite fits: a refusal.
        throw v20;
      }
      // Otherwise an automatic choice, and the BMC has no suite we can use: IPMI 1.5 it is.
    }
    if (!login) {
      const v15 = await loginV15(ctx, {
        username: this.options.username,
        password: this.password,
        privilege,
        authTypes,
        capabilities: caps,
        random: this.random,
        signal,
      });
      login = { framer: v15.framer, description: { ipmiVersion: '1.5', cipherSuite: null, authType: v15.authType, privilege: privilegeName } };
    }
    const { framer, description } = login;

    if (privilege > PRIVILEGE_LEVEL.user) {
      try {
        await sendCommand({ ...ctx, framer }, setSessionPrivilegeLevel, { privilege }, { signal });
      } catch (err) {
        // §22.18 Table 22-20: 0x80 level not available for user, 0x81 exceeds user/channel limit.
        if (err instanceof CompletionCodeError && err.completionCode >= 0x80 && err.completionCode <= 0x82) {
          throw new AuthenticationError('privilege-refused', `BMC refused ${privilegeName} privilege for this user`, { cause: err });
        }
        throw err;
      }
    }
    const base = commandContext({ ...this.context(this.retry.sessionAttempts), framer, uncheckedSends: true });
    const sendOnce = commandContext({ ...base, schedule: base.schedule.atMost(1) });
    const active: ActiveSession = { framer, description, send: base, sendOnce, command: base, suspect: sendOnce };
    const recover: Recover = (command, request, lun, signal, silence) => this.recover(active, false, command, request, lun, signal, silence);
    const recoverSuspect: Recover = (command, request, lun, signal, silence) => this.recover(active, true, command, request, lun, signal, silence);
    active.command = commandContext({ ...base, recover });
    active.suspect = commandContext({ ...sendOnce, recover: recoverSuspect });
    this.active = active;
    this.exchanger!.lastAnswerAt = this.now();
    this.hooks.sessionOpened?.(description);
    this.options.logger?.debug({ target: this.target, ...description }, 'session established');
    return this.active;
  }

  /** Get Channel Authentication Capabilities (§22.13): the first packet to a BMC; silence here means unreachable. */
  private async channelCapabilities(
    ctx: Omit<SendCommandContext, 'framer'>,
    privilege: number,
    askV20: boolean,
    signal: AbortSignal,
  ): Promise<GetChannelAuthCapabilitiesRsp> {
    const send = (ipmi20: boolean) => sendCommand({ ...ctx, framer: sessionlessV15 }, getChannelAuthCapabilities, { privilege, ipmi20 }, { signal });
    try {
      try {
        return await send(askV20);
      } catch (err) {
        // An IPMI-1.5-only BMC may reject the "IPMI v2.0 data" bit as an invalid field.
        if (askV20 && isCompletionCode(err, CompletionCode.invalidDataField)) return await send(false);
        throw err;
      }
    } catch (err) {
      if (err instanceof TimeoutError && !signal.aborted) {
        throw new TimeoutError(`no answer from ${this.target} (BMC unreachable or not speaking IPMI over LAN)`, { cause: err });
      }
      throw err;
    }
  }
}
