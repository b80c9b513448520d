import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node, Pair, YAMLMap } from 'yaml';
import { ConfigError } from './config-error.js';
import { defaultSchema, scanPlainSecrets } from './yaml-fast.js';
import type { PlainSecrets } from './yaml-fast.js';

/**
 * A YAML document read for validation: every error names file:line:column.
 * Shared by the secrets file and the web config file.
 */
export class YamlSource {
  readonly file: string;
  private readonly lines = new LineCounter();
  /** A secrets file in the plain shape: its entries are built one at a time by entries(). */
  private readonly plain: PlainSecrets | null = null;
  private parsedRoot: Node | null = null;

  /**
   * `plainSecrets`: try scanPlainSecrets first (the secrets file's plain
   * shape, read without the yaml package's general parser); anything else
   * is parsed as below.
   */
  constructor(text: string, file: string, options: { plainSecrets?: boolean } = {}) {
    this.file = file;
    this.plain = options.plainSecrets ? scanPlainSecrets(text, this.lines, defaultSchema()) : null;
    if (this.plain) {
      // The same check as refuseDuplicateKeys, made by the scan: the same key reported.
      const repeat = this.plain.duplicate;
      if (repeat) throw this.duplicateKey({ range: [repeat.at, repeat.at, repeat.at] }, this.lines.linePos(repeat.first).line);
      return;
    }
    // uniqueKeys is off: the yaml package's own check compares every key with
    // every earlier one (quadratic: a 50,000-entry secrets file took a minute);
    // refuseDuplicateKeys below does the same job with one Map per map.
    const doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: false });
    const first = doc.errors[0];
    if (first) {
      // prettyErrors is off because it quotes the source line, which may hold a password.
      const { line, col } = this.lines.linePos(first.pos[0]);
      throw new ConfigError(file, `not valid YAML: ${first.message}`, { line, column: col });
    }
    this.parsedRoot = (doc.contents as Node | null) ?? null;
    this.refuseDuplicateKeys(this.parsedRoot);
  }

  /** The document's root node (for a plain secrets file, built whole on first use). */
  get root(): Node | null {
    return this.plain ? (this.parsedRoot ??= this.plain.tree()) : this.parsedRoot;
  }

  private duplicateKey(key: Node | { range: [number, number, number] }, firstLine: number | undefined): ConfigError {
    return this.error(key as Node, `this key appears twice in the same map${firstLine ? ` (first on line ${firstLine})` : ''}; keep one`);
  }

  /**
   * A key repeated in one map is an error, as Go's yaml.v3 makes it (a second
   * `password:` silently winning would be a nasty surprise). Both lines are
   * named. Scalar keys are compared by the text a reader sees (`"a"` and `a`
   * are the same key); a key that is itself a collection is compared by its
   * YAML form.
   */
  private refuseDuplicateKeys(root: Node | null): void {
    const pending: Node[] = root ? [root] : [];
    for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
      if (isSeq(node)) {
        for (const item of node.items) if (isCollectionNode(item)) pending.push(item);
        continue;
      }
      if (!isMap(node)) continue;
      const seen = new Map<string, Node>();
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        const id = isScalar(key) ? `s:${String(key.value)}` : `c:${String(key)}`;
        const earlier = seen.get(id);
        if (earlier && key) throw this.duplicateKey(key, this.position(earlier)?.line);
        if (key) seen.set(id, key);
        if (isCollectionNode(pair.value)) pending.push(pair.value);
      }
    }
  }

  position(node: Node | null | undefined): { line: number; column: number } | undefined {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** The line an offset of the text is on. */
  lineAt(offset: number): number {
    return this.lines.linePos(offset).line;
  }

  error(node: Node | null | undefined, what: string): ConfigError {
    return new ConfigError(this.file, what, this.position(node));
  }

  /** The root as a map, or null for an empty document (comments only). */
  rootMap(what: string): YAMLMap | null {
    if (this.plain) return this.plain.handle;
    if (this.root === null || (isScalar(this.root) && this.root.value === null)) return null;
    if (!isMap(this.root)) throw this.error(this.root, `the file must be a YAML map of ${what}`);
    return this.root;
  }

  /** A map's entries with string keys; `where` names the map in messages. */
  pairs(map: YAMLMap, where: string): Array<{ key: string; keyNode: Node; value: Node | null; pair: Pair }> {
    return map.items.map((pair) => this.keyed(map, pair, where));
  }

  /**
   * pairs(), one at a time: the entries of rootMap() for a plain secrets
   * file are built as they are read (the scan checked every key), and each
   * one's nodes are garbage once the caller moves on.
   */
  *entries(map: YAMLMap, where: string): Iterable<{ key: string; keyNode: Node; value: Node | null; pair: Pair }> {
    const plain = this.plain;
    if (plain && map === plain.handle) {
      for (let i = 0; i < plain.count; i++) yield this.keyed(map, plain.entry(i), where);
    } else yield* this.pairs(map, where);
  }

  private keyed(map: YAMLMap, pair: Pair, where: string): { key: string; keyNode: Node; value: Node | null; pair: Pair } {
    const keyNode = pair.key as Node | null;
    if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
      throw this.error(keyNode ?? map, `${where}: keys must be plain strings`);
    }
    return { key: rawText(keyNode), keyNode, value: (pair.value as Node | null) ?? null, pair };
  }

  /**
   * A scalar read as a string the way Go's yaml.v3 decodes into a string
   * field: the text as written, so `password: 0123` is "0123", not 123.
   */
  string(node: Node | null, field: string): string {
    if (node === null || (isScalar(node) && node.value === null && rawText(node) === '')) {
      throw this.error(node, `${field} is empty; give a value (quote it, e.g. ${field}: "", if it really is empty)`);
    }
    if (!isScalar(node)) throw this.error(node, `${field} must be a string, not a ${isSeq(node) ? 'list' : 'map'}`);
    return rawText(node);
  }

  int(node: Node | null, field: string, min: number, max: number): number {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value) || node.value < min || node.value > max) {
      throw this.error(node, `${field} must be a whole number from ${min} to ${max}`);
    }
    return node.value;
  }

  list(node: Node | null, field: string): Node[] {
    if (!isSeq(node)) throw this.error(node, `${field} must be a list, e.g. ${field}: [3, 17]`);
    return node.items as Node[];
  }

  map(node: Node | null, field: string): YAMLMap {
    if (!isMap(node)) throw this.error(node, `${field} must be a map of name: value`);
    return node;
  }

  bool(node: Node | null, field: string): boolean {
    if (!isScalar(node) || typeof node.value !== 'boolean') throw this.error(node, `${field} must be true or false`);
    return node.value;
  }
}

function isCollectionNode(value: unknown): value is Node {
  return isMap(value) || isSeq(value);
}

function rawText(node: { value: unknown; source?: string; type?: string }): string {
  // Plain scalars keep their source text; quoted and block scalars their parsed value.
  if (node.type === 'PLAIN' && typeof node.source === 'string') return node.source;
  return String(node.value);
}
