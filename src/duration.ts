/**
 * Prometheus-style durations ("500ms", "5s", "1m30s", "2h"), as every flag
 * in the CLI takes them. Units: ms, s, m, h, d, w, y; largest first, each once.
 */
const UNIT_MS = { y: 365 * 86_400_000, w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
const ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'] as const;

export class DurationError extends Error {
  readonly code = 'BAD_DURATION';
}

export function parseDuration(text: string): number {
  const t = text.trim();
  if (t === '0') return 0;
  const re = /(\d+)(ms|y|w|d|h|m|s)/gy;
  let total = 0;
  let last = -1;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(t)) !== null) {
    const unit = m[2] as keyof typeof UNIT_MS;
    const rank = ORDER.indexOf(unit);
    if (rank <= last) throw new DurationError(`invalid duration "${text}": units must go from largest to smallest, each once`);
    last = rank;
    total += Number(m[1]) * UNIT_MS[unit];
    consumed = re.lastIndex;
  }
  if (t === '' || consumed !== t.length) {
    throw new DurationError(`invalid duration "${text}": use a number with a unit, e.g. 500ms, 5s, 1m30s`);
  }
  return total;
}
