import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node, Pair, YAMLMap } from 'yaml';
import { ConfigError } from './config-error.js';
import { defaultSchema, parsePlainSecretsTree } from './yaml-fast.js';

/**
 * A YAML document read for validation: every error names file:line:column.
 * Shared by the secrets file and the web config file.
 */
export class YamlSource {
  readonly file: string;
  private readonly lines = new LineCounter();
  readonly root: Node | null;

  /**
   * `plainSecrets`: try parsePlainSecretsTree first (the secrets file's plain
   * shape, read without the yaml package's general parser); anything else
   * is parsed as below.
   */
  constructor(text: string, file: string, options: { plainSecrets?: boolean } = {}) {
    this.file = file;
    const plain = options.plainSecrets ? parsePlainSecretsTree(text, this.lines, defaultSchema()) : null;
    if (plain) {
      this.root = plain;
      this.refuseDuplicateKeys(this.root);
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
    this.root = (doc.contents as Node | null) ?? null;
    this.refuseDuplicateKeys(this.root);
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
        if (earlier && key) {
          const at = this.position(earlier);
          throw this.error(key, `this key appears twice in the same map${at ? ` (first on line ${at.line})` : ''}; keep one`);
        }
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

  error(node: Node | null | undefined, what: string): ConfigError {
    return new ConfigError(this.file, what, this.position(node));
  }

  /** The root as a map, or null for an empty document (comments only). */
  rootMap(what: string): YAMLMap | null {
    if (this.root === null || (isScalar(this.root) && this.root.value === null)) return null;
    if (!isMap(this.root)) throw this.error(this.root, `the file must be a YAML map of ${what}`);
    return this.root;
  }

  /** A map's entries with string keys; `where` names the map in messages. */
  pairs(map: YAMLMap, where: string): Array<{ key: string; keyNode: Node; value: Node | null; pair: Pair }> {
    return map.items.map((pair) => {
      const keyNode = pair.key as Node | null;
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
        throw this.error(keyNode ?? map, `${where}: keys must be plain strings`);
      }
      return { key: rawText(keyNode), keyNode, value: (pair.value as Node | null) ?? null, pair };
    });
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
