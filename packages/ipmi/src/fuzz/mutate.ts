import fc from 'fast-check';

/**
 * Mutations of valid encodings. Random bytes rarely get past a decoder's
 * first check (RMCP version, checksums, header lengths); a valid encoding with
 * a byte flipped, a length field set to 0xFF, a tail cut off or a piece of
 * another message spliced in reaches the code behind those checks. Positions
 * are taken modulo the current length, so fast-check shrinks a failure toward
 * position 0 and toward fewer, simpler mutations.
 */
export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'set16'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'extend'; bytes: Uint8Array }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'splice'; at: number; from: number; other: Uint8Array };

/** Byte values that sit on boundaries: lengths, signs, masks, the RMCP+ auth type. */
const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x06, 0x07, 0x0f, 0x10, 0x1f, 0x3f, 0x40, 0x7f, 0x80, 0x81, 0xc0, 0xc1, 0xfe, 0xff];
const INTERESTING_WORDS = [0x0000, 0x0001, 0x00ff, 0x0100, 0x7fff, 0x8000, 0xfffe, 0xffff];

const position = fc.nat({ max: 0xffff });
const byteValue = fc.oneof(fc.constantFrom(...INTERESTING_BYTES), fc.integer({ min: 0, max: 0xff }));
const shortBytes = fc.uint8Array({ maxLength: 24 });

/** One mutation; `others` supplies material to splice in (another valid encoding). */
export function mutationArb(others: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Mutation> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), at: position, value: byteValue }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('set16' as const),
        at: position,
        value: fc.oneof(fc.constantFrom(...INTERESTING_WORDS), fc.integer({ min: 0, max: 0xffff })),
      }),
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: position }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('extend' as const), bytes: shortBytes }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: position, bytes: shortBytes }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 16 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: position, length: fc.integer({ min: 1, max: 32 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('splice' as const), at: position, from: position, other: others }) },
  );
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

export function applyMutation(input: Uint8Array, m: Mutation): Uint8Array {
  const n = input.length;
  const at = (p: number, span = n) => (span === 0 ? 0 : p % span);
  switch (m.kind) {
    case 'flip': {
      if (n === 0) return input;
      const out = Uint8Array.from(input);
      out[at(m.at)]! ^= 1 << m.bit;
      return out;
    }
    case 'set': {
      if (n === 0) return input;
      const out = Uint8Array.from(input);
      out[at(m.at)] = m.value;
      return out;
    }
    case 'set16': {
      if (n < 2) return input;
      const out = Uint8Array.from(input);
      const i = at(m.at, n - 1);
      out[i] = m.value & 0xff;
      out[i + 1] = m.value >> 8;
      return out;
    }
    case 'truncate':
      return input.subarray(0, at(m.at, n + 1));
    case 'extend':
      return concat(input, m.bytes);
    case 'insert': {
      const i = at(m.at, n + 1);
      return concat(input.subarray(0, i), m.bytes, input.subarray(i));
    }
    case 'delete': {
      const i = at(m.at, n + 1);
      return concat(input.subarray(0, i), input.subarray(i + m.length));
    }
    case 'duplicate': {
      const i = at(m.at, n + 1);
      return concat(input.subarray(0, i + m.length), input.subarray(i));
    }
    case 'splice': {
      const i = at(m.at, n + 1);
      const j = at(m.from, m.other.length + 1);
      return concat(input.subarray(0, i), m.other.subarray(j));
    }
  }
}

/** A valid encoding with one to four mutations applied. */
export function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.tuple(valid, fc.array(mutationArb(valid), { minLength: 1, maxLength: 4 })).map(([bytes, ms]) => ms.reduce(applyMutation, bytes));
}
