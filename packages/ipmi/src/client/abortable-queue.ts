import PQueue from 'p-queue';

/** What a caller whose signal fired is rejected with (the signal's reason, or a typed error made from it). */
export type AbortReason = (signal: AbortSignal) => unknown;

/**
 * Told how a caller is answered, just before it hears of it: whether its
 * task ever started, whether it failed, and the value or error. Called once
 * per caller that gets as far as the queue.
 */
export type Answered = (started: boolean, failed: boolean, outcome: unknown) => void;

/**
 * The caller of a task started at once (tryDirect), while that task runs:
 * `promise` is what the caller awaits, and the task ends it through
 * `settle`, once; so a call on an idle queue costs that one promise.
 */
export class DirectCall<T = unknown> {
  answered = false;
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (err: unknown) => void;
  constructor(
    private readonly queue: AbortableQueue,
    readonly signal: AbortSignal | undefined,
    readonly told: Answered | undefined,
  ) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** The task is over: its slot is released, then its caller answered (unless an abort answered it already). */
  settle(failed: boolean, outcome: unknown): void {
    this.queue.directEnded(this as unknown as DirectCall<unknown>);
    if (this.answered) return;
    this.answered = true;
    tell(this.told, true, failed, outcome);
    if (failed) this.reject(outcome);
    else this.resolve(outcome as T);
  }
}

const signalReason: AbortReason = (signal) => signal.reason;

/** Tell `told`, if any: a listener that throws neither keeps the caller waiting nor changes its outcome. */
function tell(told: Answered | undefined, started: boolean, failed: boolean, outcome: unknown): void {
  if (told === undefined) return;
  try {
    told(started, failed, outcome);
  } catch {
    // Only the listener's own work is lost.
  }
}

export interface AbortableQueueOptions {
  /**
   * Whether a task already running lets its caller go when the caller's
   * signal fires. `true`: the caller is rejected at once, but the task keeps
   * its place until it settles, so the next task still waits for it (what the
   * client needs: an abandoned request holds the BMC until it is answered or
   * timed out). `false`: the signal only bounds the wait; a running task
   * answers its caller itself (a scrape returns what it collected by its
   * deadline).
   */
  detachRunning: boolean;
  /** The rejection for a caller whose signal fired; the signal's reason by default. */
  abortReason?: AbortReason;
}

/**
 * The one FIFO on the way from a scrape to the wire: tasks run one at a
 * time, in order, on a p-queue of concurrency 1, each bounded by its
 * caller's AbortSignal with one abort listener for its whole life.
 *
 * p-queue is never handed the signal itself: it would free the slot the
 * moment the signal fires, while the task is still running, and let the next
 * one start beside it. Here an abort rejects a waiting caller at once and
 * its task, when its turn comes, is skipped; a running task is detached or
 * not as `detachRunning` says, and always keeps the slot until it settles.
 *
 * A task that finds nothing waiting or running starts at once, without
 * p-queue (the common case: one caller issuing commands one after another);
 * one that answers through a DirectCall (tryDirect) then costs its caller
 * one promise and nothing else.
 * While it runs, later tasks go to p-queue as usual and each first waits for
 * it to settle, so the order and the one-at-a-time rule are the same either
 * way. Such tasks share one abort listener per signal: the queue keeps its
 * listener on the last signal they came with (a scrape's deadline, over all
 * of that scrape's commands) until a task comes with another signal, the
 * signal fires, or release(signal) says its caller is done with it; so at
 * most one listener of this queue is ever left on a signal.
 *
 * The p-queue and the set of waiting callers exist only while something
 * waits: an exporter holds two of these per target, idle between scrapes
 * most of the time, and a p-queue costs ~0.7 KiB of heap.
 */
export class AbortableQueue {
  private queue: PQueue | undefined;
  /** Rejects each caller still waiting for its turn (cancelWaiting). */
  private waiting: Set<(err: unknown) => void> | undefined;
  private readonly abortReason: AbortReason;
  /** A task started without p-queue is running. */
  private direct = false;
  /** Settles when the direct task does; made only when something waits for it. */
  private directDone: Promise<void> | undefined;
  private releaseDirect: (() => void) | undefined;
  /** The caller of the direct task, when it came with a signal and is detached on abort. */
  private directCall: DirectCall<unknown> | undefined;
  /** The signal `onWatchedAbort` listens to, for the tasks started at once. */
  private watched: AbortSignal | undefined;
  /** release() came for the watched signal while its task ran: let go of it when the task settles. */
  private releaseWatched = false;
  /** The one listener on `watched`, made on first use (a queue whose tasks never come with a signal has none). */
  private onWatchedAbort: (() => void) | undefined;

  constructor(private readonly options: AbortableQueueOptions) {
    this.abortReason = options.abortReason ?? signalReason;
  }

  /** Tasks waiting or running. */
  get size(): number {
    return (this.queue ? this.queue.size + this.queue.pending : 0) + (this.direct ? 1 : 0);
  }

  /** Resolves when no task is waiting or running. */
  async onIdle(): Promise<void> {
    for (;;) {
      if (this.direct) await this.directSettled();
      else if (this.queue && this.queue.size + this.queue.pending > 0) await this.queue.onIdle();
      else return;
    }
  }

  /**
   * The caller is done with `signal` (its scrape is over): the listener kept
   * on it is removed now, or when the task running with it settles.
   */
  release(signal: AbortSignal): void {
    if (this.watched !== signal) return;
    if (this.directCall?.signal === signal) this.releaseWatched = true;
    else this.unwatch();
  }

  private unwatch(): void {
    if (this.watched !== undefined) this.watched.removeEventListener('abort', this.onWatchedAbort!);
    this.watched = undefined;
    this.releaseWatched = false;
  }

  /** The watched signal fired: answer the direct task's caller if that signal is its own. */
  private watchedFired(): void {
    const signal = this.watched;
    this.watched = undefined;
    this.releaseWatched = false;
    const call = this.directCall;
    if (signal === undefined || call === undefined || call.signal !== signal || call.answered) return;
    call.answered = true;
    const reason = this.abortReason(signal);
    tell(call.told, true, true, reason);
    call.reject(reason);
  }

  /** `signal` becomes the watched one (one listener, kept across the tasks that share it). */
  private watch(signal: AbortSignal): void {
    if (this.watched === signal) {
      this.releaseWatched = false;
      return;
    }
    this.unwatch();
    this.watched = signal;
    signal.addEventListener('abort', (this.onWatchedAbort ??= () => this.watchedFired()), { once: true });
  }

  /** Reject every caller still waiting with `err`; their tasks never run. The running task is left alone. */
  cancelWaiting(err: unknown): void {
    if (this.waiting) for (const cancel of [...this.waiting]) cancel(err);
  }

  private newQueue(): PQueue {
    const queue = new PQueue({ concurrency: 1 });
    // Emitted once the last task has settled and none waits: the next run() makes a new one.
    queue.on('idle', () => {
      if (this.queue === queue) this.queue = undefined;
    });
    return (this.queue = queue);
  }

  private unwait(cancel: (err: unknown) => void): void {
    if (this.waiting?.delete(cancel) && this.waiting.size === 0) this.waiting = undefined;
  }

  /**
   * Run `task` after every earlier one has settled, unless `signal` fires
   * first. `told`, if given, hears how the caller is answered just before it
   * does (no extra promise in between).
   */
  run<T>(task: () => Promise<T>, signal?: AbortSignal, told?: Answered): Promise<T> {
    if (signal?.aborted) return Promise.reject(this.abortReason(signal));
    const call = this.tryDirect<T>(signal, told);
    if (call !== undefined) return this.runDirect(task, call);
    return new Promise<T>((resolve, reject) => {
      /** The caller has been answered (rejected while waiting, or detached): the task's outcome goes nowhere. */
      let answered = false;
      let started = false;
      const cancel = (err: unknown) => {
        if (answered) return;
        answered = true;
        this.unwait(cancel);
        if (!started) signal?.removeEventListener('abort', onAbort);
        tell(told, started, true, err);
        reject(err);
      };
      const onAbort = () => {
        if (started && !this.options.detachRunning) return;
        cancel(this.abortReason(signal!));
      };
      if (signal) signal.addEventListener('abort', onAbort, { once: true });
      (this.waiting ??= new Set()).add(cancel);
      void (this.queue ?? this.newQueue()).add(async () => {
        // A task started without p-queue holds the slot until it settles.
        if (this.direct) await this.directSettled();
        if (answered) return; // rejected while waiting: skipped
        started = true;
        this.unwait(cancel);
        if (signal && !this.options.detachRunning) signal.removeEventListener('abort', onAbort);
        try {
          const value = await task();
          if (!answered) {
            tell(told, true, false, value);
            resolve(value);
          }
        } catch (err) {
          if (!answered) {
            tell(told, true, true, err);
            reject(err);
          }
        } finally {
          answered = true;
          if (signal && this.options.detachRunning) signal.removeEventListener('abort', onAbort);
        }
      });
    });
  }

  /**
   * The start of run() for a task that answers through a DirectCall instead
   * of returning a promise: when nothing waits or runs and `signal` has not
   * fired, the slot is taken and the DirectCall returned, whose `promise` the
   * caller awaits and which the task settles once (the slot is released
   * before its caller hears of it). Otherwise undefined, and nothing taken:
   * the caller uses run().
   */
  tryDirect<T>(signal?: AbortSignal, told?: Answered): DirectCall<T> | undefined {
    if (this.direct || (this.queue !== undefined && this.queue.size + this.queue.pending > 0)) return undefined;
    if (signal !== undefined && signal.aborted) return undefined;
    this.direct = true;
    const call = new DirectCall<T>(this, signal, told);
    if (signal !== undefined && this.options.detachRunning) {
      // Detached: the caller whose signal fires is answered at once (onWatchedAbort); the task keeps the slot.
      this.watch(signal);
      this.directCall = call as DirectCall<unknown>;
    }
    return call;
  }

  /** `task` run at once, answering through `call` (tryDirect took the slot for it). */
  private runDirect<T>(task: () => Promise<T>, call: DirectCall<T>): Promise<T> {
    let running: Promise<T>;
    try {
      running = task();
    } catch (err) {
      call.settle(true, err);
      return call.promise;
    }
    running.then(
      (value) => call.settle(false, value),
      (err: unknown) => call.settle(true, err),
    );
    return call.promise;
  }

  /** The direct task of `call` is over (DirectCall.settle): release its slot and what it watched. */
  directEnded(call: DirectCall<unknown>): void {
    if (this.directCall === call) this.directCall = undefined;
    if (this.releaseWatched && this.watched === call.signal) this.unwatch();
    this.endDirect();
  }

  private endDirect(): void {
    this.direct = false;
    const release = this.releaseDirect;
    if (release) {
      this.releaseDirect = undefined;
      this.directDone = undefined;
      release();
    }
  }

  private directSettled(): Promise<void> {
    return (this.directDone ??= new Promise<void>((resolve) => (this.releaseDirect = resolve)));
  }
}
