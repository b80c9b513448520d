/** Records asked for in one readSelEntries call at most: a batch cut off by the deadline loses no more than this. */
export const SEL_MAX_BATCH = 64;
/** Time left unused at the end of the scrape, in round trips of this BMC... */
export const SEL_HEADROOM_ROUND_TRIPS = 3;
/** ...and never less than this (ms): the scrape still has to write bmc_up and answer. */
export const SEL_MIN_HEADROOM_MS = 25;

/**
 * Sizes the SEL collector's batches from the scrape deadline and the round
 * trip it measures, so the read stops with a few round trips to spare
 * instead of being aborted mid-command. Each batch asks for at most half of
 * what the spare time would hold, so one slow answer does not overrun.
 */
export class SelPacer {
  private perRecordMs: number | undefined;

  constructor(
    private readonly deadline: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** `records` records (or one Get SEL Info: 1) took `elapsedMs`. */
  observe(records: number, elapsedMs: number): void {
    if (records <= 0) return;
    const per = elapsedMs / records;
    // Weighted towards the slower of old and new: an underestimate costs the deadline.
    this.perRecordMs = this.perRecordMs === undefined ? per : Math.max(per, (this.perRecordMs + per) / 2);
  }

  headroomMs(): number {
    return Math.max(SEL_MIN_HEADROOM_MS, SEL_HEADROOM_ROUND_TRIPS * (this.perRecordMs ?? 0));
  }

  /** How many records to ask for next; 0: stop, the deadline is near. */
  nextBatch(): number {
    const spare = this.deadline - this.clock() - this.headroomMs();
    if (spare === Infinity) return SEL_MAX_BATCH;
    const per = Math.max(this.perRecordMs ?? 1, 0.01);
    if (spare < per) return 0;
    return Math.min(SEL_MAX_BATCH, Math.max(1, Math.floor(spare / per / 2)));
  }
}
