import { Document, isScalar, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type { LineCounter, Schema } from 'yaml';

/**
 * A fast reader for the plain shape of a secrets file: a top-level map whose
 * keys (plain, or quoted without escapes) each hold a map of one-line
 * values, each a scalar or a flow map or list of scalars, as `bmc-sim
 * --secrets-out` and secrets.example.yml write them and as people write them:
 *
 *     # comment
 *     127.0.0.1:623:
 *       username: admin
 *       password: "s3cret"
 *       labels: {rack: r12, site: par1}
 *       cipher_suites: [17, 3]
 *
 * It builds the same yaml nodes (values, types, sources, start offsets) and
 * fills the LineCounter the way the yaml package's parser does, so every
 * check and message downstream is the same; for a 50,000-entry file it is
 * several times cheaper than the package's general parser. It answers null
 * for anything outside that shape, however harmless (a tab, CR, a character
 * outside printable ASCII, a trailing comment, a quote escape, an indicator
 * that starts a scalar, an empty or nested flow collection, a block scalar,
 * a block map or list, a continuation line, an empty value, a document
 * marker or directive): the caller then parses the file with the yaml
 * package. Any doubt means null; yaml-fast.test.ts compares both on tricky
 * and random inputs.
 */
/** A plain secrets file, scanned: its entries are built as yaml nodes one at a time, on demand. */
export interface PlainSecrets {
  /** Entries (top-level keys) in file order. */
  readonly count: number;
  /** Entry `i` as the yaml package's nodes: the key and its map of fields. */
  entry(i: number): Pair<Scalar, YAMLMap>;
  /** The top-level map, empty: a handle whose entries come from entry(). */
  readonly handle: YAMLMap;
  /** The whole tree, as the yaml package would give it. */
  tree(): YAMLMap;
  /**
   * The repeated key the yaml-node check (YamlSource's refuseDuplicateKeys)
   * would report first, as offsets of the repeat and of the earlier key.
   */
  readonly duplicate: { at: number; first: number } | undefined;
}

/**
 * Scans `text`; null when it is not in the plain shape. On success the
 * LineCounter holds the lines the yaml package's parser would count. The
 * scan keeps only offsets: building 50,000 entries' nodes at once, all alive
 * until the end, costs more in garbage collection than the nodes cost to make.
 */
export function scanPlainSecrets(text: string, lines: LineCounter, schema: Schema): PlainSecrets | null {
  // Printable ASCII and LF only: no tab (YAML forbids tabs in indentation), no CR, no BOM, no NEL or U+2028.
  if (!PRINTABLE.test(text)) return null;
  const keyStarts: number[] = [];
  const lineStarts: number[] = [];
  const seen = new Map<string, number>();
  let fields = new Map<string, number>();
  let topDuplicate: { at: number; first: number } | undefined;
  let innerDuplicate: { at: number; first: number } | undefined;
  // Within an entry, YamlSource checks its map first, then its flow maps from the last one back.
  let entryDuplicate: { at: number; first: number } | undefined;
  let nestedDuplicate: { at: number; first: number } | undefined;
  const closeEntry = (): void => {
    const found = entryDuplicate ?? nestedDuplicate;
    if (found) innerDuplicate = found;
    entryDuplicate = nestedDuplicate = undefined;
  };
  const ok = walk(text, 0, text.length, schema, lineStarts, {
    key(token) {
      if (token.value === null) return false; // refused by YamlSource.pairs: let the full parse say where
      closeEntry();
      keyStarts.push(token.start);
      fields = new Map();
      const id = `s:${String(token.value)}`;
      const first = seen.get(id);
      if (first !== undefined) topDuplicate ??= { at: token.start, first };
      else seen.set(id, token.start);
      return true;
    },
    field(name, value) {
      const id = `s:${String(name.value)}`;
      const first = fields.get(id);
      if (first !== undefined) entryDuplicate ??= { at: name.start, first };
      else fields.set(id, name.start);
      if ('kind' in value && value.kind === 'map') {
        const names = new Map<string, number>();
        let found: { at: number; first: number } | undefined;
        for (const [k] of value.items as Array<[Token, Token]>) {
          const kid = `s:${String(k.value)}`;
          const earlier = names.get(kid);
          if (earlier !== undefined) found ??= { at: k.start, first: earlier };
          else names.set(kid, k.start);
        }
        if (found) nestedDuplicate = found;
      }
    },
  });
  closeEntry();
  if (!ok || keyStarts.length === 0) return null;
  // The yaml package's parser also counts the empty line after a final newline.
  if (text.endsWith('\n')) lineStarts.push(text.length);
  for (const offset of lineStarts) lines.addNewLine(offset);

  const handle = new YAMLMap(schema);
  handle.range = [keyStarts[0]!, text.length, text.length];
  const entry = (i: number): Pair<Scalar, YAMLMap> => {
    const end = keyStarts[i + 1] ?? text.length;
    let pair: Pair<Scalar, YAMLMap> | undefined;
    let map: YAMLMap | undefined;
    walk(text, keyStarts[i]!, end, schema, null, {
      key(token) {
        map = new YAMLMap(schema);
        pair = new Pair(scalarNode(token), map);
        return true;
      },
      field(name, value, next) {
        const v = 'kind' in value ? flowNode(value, schema) : scalarNode(value);
        v.range![2] = next; // a value's range runs to the start of the next line, as the yaml package's does
        if (map!.items.length === 0) map!.range = [name.start, next, next];
        map!.items.push(new Pair(scalarNode(name), v));
        map!.range![1] = map!.range![2] = next;
      },
    });
    return pair!;
  };
  return {
    count: keyStarts.length,
    entry,
    handle,
    tree() {
      const root = new YAMLMap(schema);
      root.range = handle.range;
      for (let i = 0; i < keyStarts.length; i++) root.items.push(entry(i));
      return root;
    },
    // YamlSource checks the top-level map first, then the entries' maps from the last one back.
    duplicate: topDuplicate ?? innerDuplicate,
  };
}

/** A scalar as the walk reads it: where it is, how it is written, and its value as the yaml package types it. */
interface Token {
  start: number;
  end: number;
  type: 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE';
  source: string;
  value: unknown;
  /** A node the schema's tag made (a float keeps its digits there), to use as is. */
  node: Scalar | undefined;
}

/** A one-line flow collection: `{name: value, ...}` or `[value, ...]` of scalars. */
interface FlowToken {
  kind: 'map' | 'seq';
  start: number;
  end: number;
  items: Array<[Token, Token]> | Token[];
}

interface Sink {
  /** A top-level key; false stops the walk (not the plain shape after all). */
  key(token: Token): boolean;
  /** A field of the current entry; `next` is the offset of the next line. */
  field(name: Token, value: Token | FlowToken, next: number): void;
}

/** Reads the lines of text[from, to) into `sink`; false as soon as a line is outside the plain shape. */
function walk(text: string, from: number, to: number, schema: Schema, lineStarts: number[] | null, sink: Sink): boolean {
  let inEntry = false;
  let fieldCount = 0;
  let indent = 0;
  for (let start = from; start < to; ) {
    lineStarts?.push(start);
    const nl = text.indexOf('\n', start);
    const end = nl === -1 || nl > to ? to : nl;
    const next = nl === -1 || nl >= to ? to : nl + 1;
    let at = start;
    while (at < end && text.charCodeAt(at) === SPACE) at++;
    if (at === end || text.charCodeAt(at) === HASH) {
      // A blank or comment-only line.
      start = next;
      continue;
    }
    if (at === start) {
      // A target key alone on its line: `KEY:`. The previous one must have had fields (`KEY:` alone is a null).
      if (inEntry && fieldCount === 0) return false;
      const key = scalarAt(text, start, end, true, schema);
      if (key === null || !sink.key(key)) return false;
      inEntry = true;
      fieldCount = 0;
      indent = 0;
    } else {
      // `field: value` inside the current target's map, all fields at one indentation.
      if (!inEntry) return false;
      if (indent === 0) indent = at - start;
      else if (at - start !== indent) return false;
      const colon = fieldNameEnd(text, at, end);
      if (colon === -1 || text.charCodeAt(colon + 1) !== SPACE) return false;
      let v = colon + 1;
      while (v < end && text.charCodeAt(v) === SPACE) v++;
      if (v === end) return false;
      const c = text.charCodeAt(v);
      const value = c === 0x7b || c === 0x5b ? flowAt(text, v, end, schema) : scalarAt(text, v, end, false, schema);
      if (value === null) return false;
      const name = plainToken(text.slice(at, colon), at, colon, schema);
      if (name === null) return false;
      sink.field(name, value, next);
      fieldCount++;
    }
    start = next;
  }
  return inEntry && fieldCount > 0;
}

function flowNode(token: FlowToken, schema: Schema): YAMLMap | YAMLSeq {
  const node = token.kind === 'map' ? new YAMLMap(schema) : new YAMLSeq(schema);
  node.flow = true;
  node.range = [token.start, token.end, token.end];
  if (node instanceof YAMLMap) for (const [k, v] of token.items as Array<[Token, Token]>) node.items.push(new Pair(scalarNode(k), scalarNode(v)));
  else for (const item of token.items as Token[]) node.items.push(scalarNode(item));
  return node;
}

/**
 * `{name: value, ...}` or `[value, ...]` filling the rest of the line, at
 * least one item, names plain label-like words, values one-word plain
 * scalars or quoted ones without escapes. Null for anything else (an empty
 * or nested collection, a trailing comma, `? `, a space inside a plain
 * value, a comment...).
 */
function flowAt(text: string, at: number, end: number, schema: Schema): FlowToken | null {
  const isMap = text.charCodeAt(at) === 0x7b;
  const close = isMap ? 0x7d : 0x5d;
  const pairs: Array<[Token, Token]> = [];
  const list: Token[] = [];
  let i = skipSpaces(text, at + 1, end);
  if (text.charCodeAt(i) === close) return null;
  for (;;) {
    let key: Token | null = null;
    if (isMap) {
      const colon = text.indexOf(':', i);
      if (colon === -1 || colon >= end || !FIELD_NAME.test(text.slice(i, colon)) || text.charCodeAt(colon + 1) !== SPACE) return null;
      key = plainToken(text.slice(i, colon), i, colon, schema);
      if (key === null) return null;
      i = skipSpaces(text, colon + 1, end);
    }
    const value = flowScalarAt(text, i, end, schema);
    if (value === null) return null;
    if (key) pairs.push([key, value]);
    else list.push(value);
    i = skipSpaces(text, value.end, end);
    const c = text.charCodeAt(i);
    if (c === close) break;
    if (c !== 0x2c) return null;
    i = skipSpaces(text, i + 1, end);
    if (text.charCodeAt(i) === close) return null;
  }
  const after = i + 1;
  if (skipSpaces(text, after, end) !== end) return null;
  return { kind: isMap ? 'map' : 'seq', start: at, end: after, items: isMap ? pairs : list };
}

/** "..." or '...' on one line, without escapes ('' or \); null for anything else. */
function quotedAt(text: string, at: number, end: number): Token | null {
  const first = text.charCodeAt(at);
  const close = text.indexOf(first === 0x22 ? '"' : "'", at + 1);
  if (close === -1 || close >= end) return null;
  const inner = text.slice(at + 1, close);
  if (first === 0x22 && inner.includes('\\')) return null;
  if (first === 0x27 && text.charCodeAt(close + 1) === 0x27) return null;
  return { start: at, end: close + 1, type: first === 0x22 ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE', source: inner, value: inner, node: undefined };
}

/** A scalar inside a flow collection: quoted without escapes, or plain without spaces or flow indicators. */
function flowScalarAt(text: string, at: number, end: number, schema: Schema): Token | null {
  const first = text.charCodeAt(at);
  if (first === 0x22 || first === 0x27) return quotedAt(text, at, end);
  if (at >= end || INDICATORS.has(first)) return null;
  let i = at;
  while (i < end && !FLOW_STOP.has(text.charCodeAt(i))) i++;
  if (i === at) return null;
  return plainToken(text.slice(at, i), at, i, schema);
}

function skipSpaces(text: string, at: number, end: number): number {
  while (at < end && text.charCodeAt(at) === SPACE) at++;
  return at;
}

function scalarNode(token: Token): Scalar {
  const node = token.node ?? new Scalar(token.value);
  node.range = [token.start, token.end, token.end];
  node.source = token.source;
  node.type = token.type;
  return node;
}

/** A reusable schema (the yaml package's default, YAML 1.2 core) for parsePlainSecretsTree. */
export function defaultSchema(): Schema {
  return (schemaCache ??= new Document().schema);
}
let schemaCache: Schema | undefined;

const PRINTABLE = /^[\n\x20-\x7e]*$/;
const SPACE = 0x20;
const HASH = 0x23;
const COLON = 0x3a;
/** Characters that start something other than a plain scalar (YAML 1.2 §5.3 indicators); `-`, `?` and `:` are refused too. */
const INDICATORS = new Set([...'-?:,[]{}#&*!|>\'"%@`'].map((c) => c.charCodeAt(0)));
/** First characters of `~`, null, true, false, numbers, .inf and .nan in any of their spellings. */
const TYPED_START = new Set([...'~nNtTfF0123456789+-.'].map((c) => c.charCodeAt(0)));
/** Where a plain scalar inside a flow collection ends; a quote, colon or hash there is left to the full parse. */
const FLOW_STOP = new Set([...' ,[]{}:#"\''].map((c) => c.charCodeAt(0)));
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The yaml package refuses implicit keys longer than this. */
const MAX_KEY = 1000;

/** Where a field name's colon is, or -1 when the line does not start with a plain field name and a colon. */
function fieldNameEnd(text: string, at: number, end: number): number {
  const colon = text.indexOf(':', at);
  if (colon === -1 || colon >= end) return -1;
  return FIELD_NAME.test(text.slice(at, colon)) ? colon : -1;
}

/**
 * The scalar that starts at `at` and fills the rest of the line: a value
 * (`atKey` false), or a top-level key followed by its colon (`atKey` true).
 * Null for anything outside the plain shape.
 */
function scalarAt(text: string, at: number, end: number, atKey: boolean, schema: Schema): Token | null {
  const first = text.charCodeAt(at);
  let valueEnd: number;
  let token: Token;
  if (first === 0x22 || first === 0x27) {
    const quoted = quotedAt(text, at, end);
    if (!quoted) return null;
    token = quoted;
    valueEnd = quoted.end;
    if (atKey) {
      if (text.charCodeAt(valueEnd) !== COLON) return null;
      valueEnd++;
    }
  } else {
    if (INDICATORS.has(first)) return null;
    let last = end;
    while (text.charCodeAt(last - 1) === SPACE) last--;
    if (atKey) {
      // `KEY:` then nothing but spaces; the key itself ends neither in a space nor in a colon.
      if (text.charCodeAt(last - 1) !== COLON) return null;
      last--;
      const c = text.charCodeAt(last - 1);
      if (last === at || c === SPACE || c === COLON) return null;
    } else if (text.charCodeAt(last - 1) === COLON) return null;
    const source = text.slice(at, last);
    // `: ` would start a value, ` #` a comment.
    if (source.includes(': ') || source.includes(' #')) return null;
    if (atKey && source.length > MAX_KEY) return null;
    const plain = plainToken(source, at, last, schema);
    if (plain === null) return null;
    token = plain;
    valueEnd = atKey ? last + 1 : last;
  }
  // Nothing after the scalar (and a key's colon) but spaces.
  for (let i = valueEnd; i < end; i++) if (text.charCodeAt(i) !== SPACE) return null;
  return token;
}

/** A plain scalar typed as the yaml package types it: the schema's first default tag whose pattern matches (null, bool, int, float), else a string. */
function plainToken(source: string, start: number, end: number, schema: Schema): Token | null {
  const token: Token = { start, end, type: 'PLAIN', source, value: source, node: undefined };
  // The core schema's null, bool, int and float forms all start with one of these; most keys and values do not.
  if (source !== '' && !TYPED_START.has(source.charCodeAt(0))) return token;
  for (const tag of schema.tags) {
    if (tag.default === true && !tag.collection && 'test' in tag && tag.test?.test(source)) {
      let failed = false;
      const res = tag.resolve(
        source,
        () => {
          failed = true;
        },
        {},
      );
      if (failed) return null;
      if (isScalar(res)) {
        token.node = res;
        token.value = res.value;
      } else token.value = res;
      break;
    }
  }
  return token;
}
