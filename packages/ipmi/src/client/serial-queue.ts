/**
 * Runs async tasks one at a time in arrival order: the one-command-in-flight
 * rule of BmcClient (architecture invariant 1). What p-queue with
 * concurrency 1 did for us, without its per-task bookkeeping (ids, timing,
 * events), which cost more than the rest of a command's JavaScript.
 * A task that is free starts synchronously inside add(), as before.
 */
export class SerialQueue {
  private tasks: Array<(() => Promise<void>) | undefined> = [];
  private head = 0;
  private running = false;
  private idle: Array<() => void> = [];

  /** Tasks waiting (not counting the one running). */
  get size(): number {
    return this.tasks.length - this.head;
  }

  /** Tasks running: 0 or 1. */
  get pending(): number {
    return this.running ? 1 : 0;
  }

  /** Queue `task`; it must not reject (callers settle their own promises inside it). */
  add(task: () => Promise<void>): void {
    this.tasks.push(task);
    if (!this.running) void this.drain();
  }

  /** Resolves once nothing is queued or running. */
  onIdle(): Promise<void> {
    if (!this.running && this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.head < this.tasks.length) {
      const task = this.tasks[this.head]!;
      this.tasks[this.head++] = undefined;
      try {
        await task();
      } catch {
        // Tasks settle their callers themselves; a throw here must not stall the queue.
      }
    }
    this.tasks = [];
    this.head = 0;
    this.running = false;
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }
}
