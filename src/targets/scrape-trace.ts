import { completionCodeName, type CommandOutcome, type DropReason, type SessionDescription } from '@bmc-exporter/ipmi';

/**
 * Lines kept per traced scrape. A BMC can send any number of packets within
 * the deadline, and each dropped one is a line: past this many, events are
 * only counted.
 */
export const MAX_TRACE_LINES = 5000;

const hex2 = (n: number) => n.toString(16).padStart(2, '0');
const secs = (s: number) => `${s.toFixed(3)}s`;
const describeSession = (d: SessionDescription) =>
  `IPMI ${d.ipmiVersion}, ${d.ipmiVersion === '2.0' ? `cipher suite ${d.cipherSuite}` : `auth type ${d.authType}`}, privilege ${d.privilege}`;

/**
 * The log of one scrape for /bmc?debug=true: what the client's hooks report
 * while it runs (commands with duration and completion code, retries, dropped
 * packets, session events), each line stamped with the time since the scrape
 * began. Only a debug scrape makes one; a normal scrape allocates nothing for
 * it. Lines hold command names, numbers and the library's fixed words, never
 * text from the BMC or a credential; error texts come in through `note`,
 * already scrubbed by the caller.
 */
export class ScrapeTrace {
  readonly lines: string[] = [];
  commands = 0;
  retries = 0;
  dropped = 0;
  /** Events past MAX_TRACE_LINES, counted but not written. */
  omitted = 0;
  private retriesSinceCommand = 0;
  private droppedSinceCommand = 0;
  private readonly started: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.started = now();
  }

  command(name: string, seconds: number, outcome: CommandOutcome, completionCode?: number): void {
    this.commands++;
    this.exchange('command', name, seconds, outcome, completionCode);
  }

  /** An exchange of session set-up (not counted as a command, as the console does not). */
  sessionStep(name: string, seconds: number, outcome: CommandOutcome, completionCode?: number): void {
    this.exchange('session set-up', name, seconds, outcome, completionCode);
  }

  private exchange(kind: string, name: string, seconds: number, outcome: CommandOutcome, completionCode?: number): void {
    let result: string;
    if (completionCode !== undefined) result = `cc=0x${hex2(completionCode)} (${completionCodeName(completionCode)})`;
    else result = outcome === 'ok' ? 'ok' : outcome === 'timeout' ? 'no answer' : 'failed';
    const extra =
      (this.retriesSinceCommand > 0 ? ` retries=${this.retriesSinceCommand}` : '') +
      (this.droppedSinceCommand > 0 ? ` dropped=${this.droppedSinceCommand}` : '');
    this.retriesSinceCommand = 0;
    this.droppedSinceCommand = 0;
    this.add(`${kind} ${name}: ${secs(seconds)} ${result}${extra}`);
  }

  retry(what: string): void {
    this.retries++;
    this.retriesSinceCommand++;
    this.add(`retry ${what}: no answer in time, sent again`);
  }

  packetDropped(reason: DropReason): void {
    this.dropped++;
    this.droppedSinceCommand++;
    this.add(`dropped packet: ${reason}`);
  }

  sessionOpened(d: SessionDescription): void {
    this.add(`session opened: ${describeSession(d)}`);
  }

  /** The scrape found a session open from an earlier one: no set-up commands. */
  sessionReused(d: SessionDescription): void {
    this.add(`session reused: ${describeSession(d)}`);
  }

  sessionClosed(reason: 'closed' | 'expired' | 'error'): void {
    this.add(`session closed: ${reason}`);
  }

  sessionRefused(backoffMs: number): void {
    this.add(`session refused: no new attempt for ${secs(backoffMs / 1000)}`);
  }

  /** A line of the caller's own (scrubbed of credentials by it). */
  note(text: string): void {
    this.add(text);
  }

  /** The lines, then the totals, as the text of the debug answer's log part. */
  render(): string {
    const out = [...this.lines];
    if (this.omitted > 0) out.push(`(${this.omitted} more events not shown)`);
    out.push(`totals: ${this.commands} commands, ${this.retries} retries, ${this.dropped} dropped packets`);
    return out.join('\n') + '\n';
  }

  private add(text: string): void {
    if (this.lines.length >= MAX_TRACE_LINES) {
      this.omitted++;
      return;
    }
    this.lines.push(`+${secs((this.now() - this.started) / 1000).padStart(8)} ${text}`);
  }
}
