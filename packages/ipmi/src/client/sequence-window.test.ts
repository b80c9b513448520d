import { describe, expect, it } from 'vitest';
import { BMC_SEQUENCE_RULES, CONSOLE_SEQUENCE_RULES, SequenceWindow, nextSessionSeq } from './sequence-window.js';

describe('SequenceWindow with the console rules', () => {
  it('is what a window without arguments uses', () => {
    const w = new SequenceWindow();
    expect(w.accept(100)).toBe(true);
    expect(w.accept(100 + 1_000_000)).toBe(true); // any forward move
    expect(w.accept(100 + 1_000_000 - CONSOLE_SEQUENCE_RULES.behind)).toBe(true);
    expect(w.accept(100 + 1_000_000 - CONSOLE_SEQUENCE_RULES.behind - 1)).toBe(false);
  });

  it('takes a number as the distance behind, keeping the unbounded jump ahead', () => {
    const w = new SequenceWindow(4);
    expect(w.accept(10)).toBe(true);
    expect(w.accept(6)).toBe(true);
    expect(w.accept(5)).toBe(false);
    expect(w.accept(0x7fff_0000)).toBe(true);
  });

  it('accepts repeats of the highest number and refuses 0', () => {
    const w = new SequenceWindow(CONSOLE_SEQUENCE_RULES);
    expect(w.accept(0)).toBe(false);
    expect(w.accept(7)).toBe(true);
    expect(w.accept(7)).toBe(true);
  });
});

describe('SequenceWindow with the BMC rules', () => {
  it('bounds the jump ahead to 32 and the distance behind to 15', () => {
    const w = new SequenceWindow(BMC_SEQUENCE_RULES);
    expect(w.accept(1000)).toBe(true);
    expect(w.accept(1000 + 33)).toBe(false); // too far ahead: refused, and the window does not move
    expect(w.accept(1000 - 15)).toBe(true);
    expect(w.accept(1000 - 16)).toBe(false);
    expect(w.accept(1000 + 32)).toBe(true); // the furthest allowed jump moves the window
    expect(w.accept(1000 + 32 + 32)).toBe(true);
    expect(w.accept(1000 + 32)).toBe(false); // now 32 behind
  });

  it('anchors before the first packet: the number the console was told to start after', () => {
    const w = new SequenceWindow(BMC_SEQUENCE_RULES);
    w.anchor(0xffff_ffff);
    expect(w.accept(0xffff_ffff - 16)).toBe(false);
    expect(w.accept(33)).toBe(false); // 34 ahead across the wrap
    expect(w.accept(1)).toBe(true); // wrapped forward (0 is skipped)
    expect(w.accept(0xffff_fff5)).toBe(true); // 12 behind across the wrap
  });
});

describe('nextSessionSeq', () => {
  it('counts up and skips 0 on the wrap', () => {
    expect(nextSessionSeq(1)).toBe(2);
    expect(nextSessionSeq(0xffff_fffe)).toBe(0xffff_ffff);
    expect(nextSessionSeq(0xffff_ffff)).toBe(1);
  });
});
