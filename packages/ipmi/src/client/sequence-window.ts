/**
 * Inbound session sequence check, for both ends of a session (IPMI v2.0
 * §6.12.13 describes the BMC's side; the console applies the same idea to
 * answers). A packet may arrive out of order behind the highest number seen,
 * but not from long ago: a replayed or stale packet outside the window is
 * dropped. Sequence numbers are 32-bit and wrap; 0 is never used inside a
 * session. Repeats inside the window are not tracked (a retransmitted
 * request or a duplicated answer is matched by what it carries, not here).
 *
 * The two ends differ only in the window's edges:
 *  - the console (BmcClient) takes any forward move (answers it gave up on
 *    or that were lost leave gaps of any size) and up to 16 behind;
 *  - the BMC (packages/bmc-sim) bounds the jump ahead to 32 and takes up to
 *    15 behind, so a console cannot move the window arbitrarily far with one
 *    packet.
 */
export interface SequenceWindowRules {
  /** Largest distance behind the highest number seen that is still accepted. */
  readonly behind: number;
  /** Largest distance ahead of the highest number seen that is accepted; Infinity: any forward move. */
  readonly ahead: number;
}

/** The console's rules: answers may jump any distance forward. */
export const CONSOLE_SEQUENCE_RULES: SequenceWindowRules = { behind: 16, ahead: Infinity };

/** The simulated BMC's rules: a bounded jump forward, one fewer behind. */
export const BMC_SEQUENCE_RULES: SequenceWindowRules = { behind: 15, ahead: 32 };

export class SequenceWindow {
  private highest: number | undefined;
  private readonly rules: SequenceWindowRules;

  /** `behind` alone: the console's rules with another distance behind. */
  constructor(rules: SequenceWindowRules | number = CONSOLE_SEQUENCE_RULES) {
    this.rules = typeof rules === 'number' ? { ...CONSOLE_SEQUENCE_RULES, behind: rules } : rules;
  }

  /** Treats `seq` as the highest number seen, before any packet arrives (a number the other end was told to start after). */
  anchor(seq: number): void {
    this.highest = seq >>> 0;
  }

  /** Whether `seq` is inside the window; a forward move becomes the new highest. */
  accept(seq: number): boolean {
    if (seq === 0) return false;
    if (this.highest === undefined) {
      this.highest = seq;
      return true;
    }
    const delta = (seq - this.highest) | 0; // signed 32-bit distance, wraps correctly
    if (delta > 0) {
      if (delta > this.rules.ahead) return false;
      this.highest = seq;
      return true;
    }
    return -delta <= this.rules.behind;
  }
}

/** The session sequence number after `seq`: 32-bit, wrapping past 0, which sessions never use. */
export function nextSessionSeq(seq: number): number {
  return (seq + 1) >>> 0 || 1;
}
