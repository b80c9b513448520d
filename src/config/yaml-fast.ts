import { Document, isScalar, Pair, Scalar, YAMLMap } from 'yaml';
import type { LineCounter, Schema } from 'yaml';

/**
 * A fast reader for the plain shape of a secrets file: a top-level map whose
 * keys (plain, or quoted without escapes) each hold a map of one-line
 * scalars, as `bmc-sim --secrets-out` writes it and as people write it:
 *
 *     # comment
 *     127.0.0.1:623:
 *       username: admin
 *       password: "s3cret"
 *
 * It builds the same yaml nodes (values, types, sources, start offsets) and
 * fills the LineCounter the way the yaml package's parser does, so every
 * check and message downstream is the same; for a 50,000-entry file it is
 * some 20 times cheaper than the package's general parser. It answers null
 * for anything outside that shape, however harmless (a tab, CR, a character
 * outside printable ASCII, a trailing comment, a quote escape, an indicator
 * that starts a scalar, a flow collection, a block scalar, a nested map or
 * list, a continuation line, an empty value, a document marker or
 * directive): the caller then parses the file with the yaml package. Any
 * doubt means null; yaml-fast.test.ts compares both on tricky inputs.
 */
export function parsePlainSecretsTree(text: string, lines: LineCounter, schema: Schema): YAMLMap | null {
  // Printable ASCII and LF only: no tab (YAML forbids tabs in indentation), no CR, no BOM, no NEL or U+2028.
  if (!PRINTABLE.test(text)) return null;
  const root = new YAMLMap(schema);
  let entry: YAMLMap | null = null;
  let indent = 0;
  let lastEnd = 0;
  const lineStarts: number[] = [];
  for (let start = 0; start < text.length; ) {
    lineStarts.push(start);
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    const next = nl === -1 ? text.length : nl + 1;
    let at = start;
    while (at < end && text.charCodeAt(at) === SPACE) at++;
    if (at === end || text.charCodeAt(at) === HASH) {
      // A blank or comment-only line.
      start = next;
      continue;
    }
    if (at === start) {
      // A target key alone on its line: `KEY:`.
      if (entry !== null && !closeEntry(entry, lastEnd)) return null;
      const key = scalarAt(text, start, end, true, schema);
      if (key === null) return null;
      entry = new YAMLMap(schema);
      indent = 0;
      root.items.push(new Pair(key, entry));
    } else {
      // `field: value` inside the current target's map, all fields at one indentation.
      if (entry === null) return null;
      if (indent === 0) {
        indent = at - start;
        entry.range = [at, at, at];
      } else if (at - start !== indent) return null;
      const colon = fieldNameEnd(text, at, end);
      if (colon === -1 || text.charCodeAt(colon + 1) !== SPACE) return null;
      let v = colon + 1;
      while (v < end && text.charCodeAt(v) === SPACE) v++;
      if (v === end) return null;
      const value = scalarAt(text, v, end, false, schema);
      if (value === null) return null;
      const field = resolved(text.slice(at, colon), at, colon, colon, schema);
      if (field === null) return null;
      entry.items.push(new Pair(field, value));
      // The value's range runs to the start of the next line, as the yaml package's does.
      value.range = [v, value.range![1], next];
      lastEnd = next;
    }
    start = next;
  }
  if (entry === null || !closeEntry(entry, lastEnd)) return null;
  // The yaml package's parser also counts the empty line after a final newline.
  if (text.endsWith('\n')) lineStarts.push(text.length);
  for (const offset of lineStarts) lines.addNewLine(offset);
  const first = root.items[0]!.key as Scalar;
  root.range = [first.range![0], text.length, text.length];
  return root;
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
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The yaml package refuses implicit keys longer than this. */
const MAX_KEY = 1000;

function closeEntry(entry: YAMLMap, end: number): boolean {
  // `KEY:` with no fields is an error or a null: the yaml package says which.
  if (entry.items.length === 0) return false;
  entry.range = [entry.range![0], end, end];
  return true;
}

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
function scalarAt(text: string, at: number, end: number, atKey: boolean, schema: Schema): Scalar | null {
  const first = text.charCodeAt(at);
  let valueEnd: number;
  let node: Scalar;
  if (first === 0x22 || first === 0x27) {
    // "..." or '...' on one line, without escapes ('' or \).
    const close = text.indexOf(first === 0x22 ? '"' : "'", at + 1);
    if (close === -1 || close >= end) return null;
    const inner = text.slice(at + 1, close);
    if (first === 0x22 && inner.includes('\\')) return null;
    if (first === 0x27 && text.charCodeAt(close + 1) === 0x27) return null;
    valueEnd = close + 1;
    node = new Scalar(inner);
    node.range = [at, valueEnd, valueEnd];
    node.source = inner;
    node.type = first === 0x22 ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE';
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
    const resolvedNode = resolved(source, at, last, last, schema);
    if (resolvedNode === null) return null;
    node = resolvedNode;
    valueEnd = atKey ? last + 1 : last;
  }
  // Nothing after the scalar (and a key's colon) but spaces.
  for (let i = valueEnd; i < end; i++) if (text.charCodeAt(i) !== SPACE) return null;
  return node;
}

/** A plain scalar typed as the yaml package types it: the schema's first default tag whose pattern matches (null, bool, int, float), else a string. */
function resolved(source: string, start: number, valueEnd: number, nodeEnd: number, schema: Schema): Scalar | null {
  let value: unknown = source;
  let node: Scalar | null = null;
  // The core schema's null, bool, int and float forms all start with one of these; most keys and values do not.
  const tagged = source === '' || TYPED_START.has(source.charCodeAt(0));
  for (const tag of tagged ? schema.tags : []) {
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
      if (isScalar(res)) node = res;
      else value = res;
      break;
    }
  }
  node ??= new Scalar(value);
  node.range = [start, valueEnd, nodeEnd];
  node.source = source;
  node.type = 'PLAIN';
  return node;
}
