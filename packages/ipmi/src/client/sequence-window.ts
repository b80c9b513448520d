/**
 * Inbound session sequence check (IPMI v2.0 §6.12.13 describes the BMC's
 * side; we apply the same idea as the console). A response may arrive out of
 * order behind the highest one seen, but not from long ago: a replayed or
 * stale packet outside the window is dropped. Sequence numbers are 32-bit and
 * wrap; 0 is never used inside a session.
 */
export class SequenceWindow {
  private highest: number | undefined;

  constructor(private readonly behind = 16) {}

  accept(seq: number): boolean {
    if (seq === 0) return false;
    if (this.highest === undefined) {
      this.highest = seq;
      return true;
    }
    const delta = (seq - this.highest) | 0; // signed 32-bit distance, wraps correctly
    if (delta > 0) {
      this.highest = seq;
      return true;
    }
    return -delta <= this.behind;
  }
}
