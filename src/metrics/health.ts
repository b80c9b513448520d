/**
 * The health meta metric's state (metrics.md, "A health meta metric"): 1
 * before any scrape, 1 while first collections are in flight, 1 when the most
 * recent completed collection of every active target had no read failure; 0
 * when the transport could not start or some active target's most recent
 * collection failed. A target that was never collected (its first collection
 * is still running) does not count either way: the start is optimistic.
 */
export class HealthTracker {
  private transportFailed = false;
  /** Active targets whose most recent completed collection failed. */
  private readonly failing = new Set<string>();

  /** The shared UDP transport could not bind: nothing can be collected. */
  markTransportFailed(): void {
    this.transportFailed = true;
  }

  /** A collection of `target` finished; `failed` = a genuine read failure (timeout, BMC error). */
  recordCollection(target: string, failed: boolean): void {
    if (failed) this.failing.add(target);
    else this.failing.delete(target);
  }

  /** The target left the pool (idle eviction, lost credentials): it is no longer active. */
  forget(target: string): void {
    this.failing.delete(target);
  }

  get healthy(): boolean {
    return !this.transportFailed && this.failing.size === 0;
  }

  /** Targets currently counted as failing (for logs and the homepage). */
  get failingTargets(): readonly string[] {
    return [...this.failing];
  }
}
