import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { ConfigError } from './config-error.js';
import { defaultSchema, scanPlainSecrets } from './yaml-fast.js';
import { YamlSource } from './yaml-source.js';

/**
 * What YamlSource and parseSecrets read of a tree: kinds, values, types,
 * source texts and start offsets (and a scalar's end; where a node's range
 * ends after trailing comments and blank lines is read by nothing).
 */
function project(node: unknown): unknown {
  if (isScalar(node)) return { scalar: node.value, type: node.type, source: node.source, range: node.range?.slice(0, 2) };
  if (isMap(node)) return { map: node.items.map((p) => (isPair(p) ? [project(p.key), project(p.value)] : 'not a pair')), start: node.range?.[0] };
  if (isSeq(node)) return { seq: node.items.map(project) };
  return { other: String(node) };
}

function full(text: string): { tree: unknown; lineStarts: number[]; errors: number } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  return { tree: project(doc.contents), lineStarts: lines.lineStarts, errors: doc.errors.length };
}

function fast(text: string): { tree: unknown; lineStarts: number[] } | null {
  const lines = new LineCounter();
  const plain = scanPlainSecrets(text, lines, defaultSchema());
  if (plain === null) return null;
  // The entries one at a time, as parseSecrets reads them, must be the whole tree's entries.
  const tree = project(plain.tree());
  expect(Array.from({ length: plain.count }, (_, i) => project(plain.entry(i).value))).toEqual((tree as { map: unknown[][] }).map.map((p) => p[1]));
  return { tree, lineStarts: lines.lineStarts };
}

/** The fast reader either declines or agrees with the yaml package exactly (and the package found no error). */
function expectSameOrDeclined(text: string): 'fast' | 'declined' {
  const quick = fast(text);
  if (quick === null) return 'declined';
  const slow = full(text);
  expect(slow.errors, text).toBe(0);
  expect(quick.tree, text).toEqual(slow.tree);
  expect(quick.lineStarts, text).toEqual(slow.lineStarts);
  return 'fast';
}

const ACCEPTED: Record<string, string> = {
  'as bmc-sim writes it':
    '# bmc-sim fleet credentials\n127.0.0.1:623:\n  username: admin\n  password: pw1\n127.0.0.2:623:\n  username: admin\n  password: pw2\n',
  'quoted keys with colon, hash and spaces':
    '"[::1]:623":\n  username: a\n  password: b\n\'[fd00::5]:623\':\n  username: "a # b"\n  password: \'x: y\'\n"h#x: y":\n  username: u\n  password: p\n',
  'IPv6 and CIDR keys':
    '"[2001:db8::1]:623":\n  username: u\n  password: p\n127.1.0.0/24:\n  username: u\n  password: p\n"[fd00::/64]:623":\n  username: u\n  password: p\n',
  'comments, blank lines, trailing spaces, no final newline':
    '\n# a\n\n127.0.0.1:623:   \n\n    # indented comment\n    username: admin   \n# at column 0 inside an entry\n    password: "p w"  \n\n127.0.0.2:\n  username: x\n  password: y',
  'typed plain values as yaml types them':
    '127.0.0.1:623:\n  username: 0123\n  password: true\n  redfish_port: 0x1bb\n  privilege: null\n  ipmi_version: 2.0\n  transport: ~\n  x: .inf\n  y: 1e3\n  z: +.5\n  w: +12\n  v: 0o17\n',
  'typed plain keys': '123:\n  username: u\n  password: p\ntrue:\n  username: u\n  password: p\n1.5:\n  username: u\n  password: p\n',
  'duplicates (refused later, by YamlSource)': 'a:\n  username: u\n  password: p\na:\n  username: u\n  username: v\n',
  'empty quoted values': 'a:\n  username: ""\n  password: \'\'\n',
  'passwords with punctuation inside': 'a:\n  username: u\n  password: p@ss!w0rd$%^&*()[]{},|>-?#no-space-before:x\n',
  'unknown fields (refused later)': 'a:\n  usename: u\n  pass_word: p\n',
  'flow maps and lists of scalars, as secrets.example.yml writes them':
    'a:\n  username: u\n  password: p\n  labels: {rack: r12, site: par1, model: r650}\n  cipher_suites: [17, 3]\n  collectors: [bmc_info, chassis]\nb:\n  username: u\n  password: p\n  labels: {  rack: "r 1" ,site: \'x: y\',n: 0x1F}   \n  cipher_suites: [ 3 ]\n',
  'a repeated label (refused later, by YamlSource)': 'a:\n  labels: {rack: a, rack: b}\n',
  'different indentation per entry': 'a:\n  username: u\n  password: p\nb:\n      username: u\n      password: p\n',
};

const DECLINED: Record<string, string> = {
  'anchors and aliases': 'a: &x\n  username: u\n  password: p\nb: *x\n',
  'merge key': 'a:\n  username: u\n  password: p\nb:\n  <<: *x\n',
  'anchor on a value': 'a:\n  username: &u admin\n  password: p\n',
  'alias as a value': 'a:\n  username: *u\n  password: p\n',
  'literal block scalar': 'a:\n  username: u\n  password: |\n    line1\n    line2\n',
  'folded block scalar': 'a:\n  username: u\n  password: >-\n    folded\n',
  'plain continuation line': 'a:\n  username: u\n  password: first\n    second\n',
  'double-quoted over two lines': 'a:\n  username: u\n  password: "first\n    second"\n',
  'flow map value': 'a: {username: u, password: p}\n',
  'empty flow map': 'a:\n  username: u\n  labels: {}\n',
  'empty flow list': 'a:\n  username: u\n  collectors: []\n',
  'nested flow map': 'a:\n  username: u\n  labels: {rack: {row: 1}}\n',
  'nested flow list': 'a:\n  username: u\n  cipher_suites: [17, [3]]\n',
  'trailing comma in a flow map': 'a:\n  username: u\n  labels: {rack: r1,}\n',
  'space inside a plain flow value': 'a:\n  username: u\n  labels: {rack: r 1}\n',
  'colon inside a plain flow value': 'a:\n  username: u\n  labels: {rack: r:1}\n',
  'flow map key without a space after its colon': 'a:\n  username: u\n  labels: {rack:r1}\n',
  'flow map over two lines': 'a:\n  username: u\n  labels: {rack: r1,\n    site: s}\n',
  'comment after a flow map': 'a:\n  username: u\n  labels: {rack: r1} # where\n',
  'alias in a flow list': 'a:\n  username: u\n  collectors: [*x]\n',
  'explicit key in a flow map': 'a:\n  username: u\n  labels: {? rack: r1}\n',
  'quoted flow key': 'a:\n  username: u\n  labels: {"rack": r1}\n',
  'escape in a quoted flow value': 'a:\n  username: u\n  labels: {rack: "r\\"1"}\n',
  'text after a flow list': 'a:\n  username: u\n  collectors: [a] b\n',
  'block list': 'a:\n  username: u\n  password: p\n  collectors:\n    - sel\n',
  'nested map': 'a:\n  username: u\n  password: p\n  labels:\n    rack: r1\n',
  'trailing comment': 'a:\n  username: u # the user\n  password: p\n',
  'comment after a key': 'a: # first\n  username: u\n  password: p\n',
  'explicit tag': 'a:\n  username: !!str 123\n  password: p\n',
  'local tag on a key': '!k a:\n  username: u\n  password: p\n',
  'escape in double quotes': 'a:\n  username: "\\u0041"\n  password: p\n',
  'doubled single quote': "a:\n  username: 'it''s'\n  password: p\n",
  'tab indentation': 'a:\n\tusername: u\n\tpassword: p\n',
  'tab inside a value': 'a:\n  username: u\tv\n  password: p\n',
  'CRLF line ends': 'a:\r\n  username: u\r\n  password: p\r\n',
  BOM: '\ufeffa:\n  username: u\n  password: p\n',
  'non-ASCII password': 'a:\n  username: u\n  password: pässwort\n',
  'document marker': '---\na:\n  username: u\n  password: p\n',
  'document end': 'a:\n  username: u\n  password: p\n...\n',
  directive: '%YAML 1.1\n---\na:\n  username: u\n  password: yes\n',
  'key with value on its line': 'a: b\n',
  'key without fields': 'a:\nb:\n  username: u\n  password: p\n',
  'last key without fields': 'a:\n  username: u\n  password: p\nb:\n',
  'empty field value': 'a:\n  username:\n  password: p\n',
  'inconsistent field indentation': 'a:\n  username: u\n   password: p\n',
  'less indented field': 'a:\n    username: u\n  password: p\n',
  'indented top level': '  a:\n    username: u\n    password: p\n',
  'top-level list': '- a\n- b\n',
  'complex key': '? a\n: b\n',
  'bracketed plain key (a flow list in YAML)': '[::1]:623:\n  username: u\n  password: p\n',
  'key ending in two colons': 'a::\n  username: u\n  password: p\n',
  'space before the colon': 'a :\n  username: u\n  password: p\n',
  'value with colon-space': 'a:\n  username: u: v\n  password: p\n',
  'value ending in colon': 'a:\n  username: u:\n  password: p\n',
  'empty file': '',
  'comments only': '# nothing\n',
  'scalar document': 'just text\n',
  'quoted key then space before colon': '"a" :\n  username: u\n  password: p\n',
  'quoted value then text': 'a:\n  username: "u" x\n  password: p\n',
  'field name with a dash': 'a:\n  user-name: u\n  password: p\n',
  'huge plain key': `${'k'.repeat(1500)}:\n  username: u\n  password: p\n`,
  'dash-started value': 'a:\n  username: -u\n  password: p\n',
  'question-mark-started key': '?a:\n  username: u\n  password: p\n',
  'NEL character': 'a:\n  username: u\u0085v\n  password: p\n',
};

describe('scanPlainSecrets', () => {
  for (const [name, text] of Object.entries(ACCEPTED)) {
    it(`reads ${name} exactly as the yaml package does`, () => {
      expect(expectSameOrDeclined(text)).toBe('fast');
    });
  }

  for (const [name, text] of Object.entries(DECLINED)) {
    it(`declines ${name}`, () => {
      expect(fast(text)).toBeNull();
    });
  }

  it('reads a 50,000-entry file as bmc-sim writes it, the same as the yaml package', () => {
    let text = '# bmc-sim fleet credentials\n';
    for (let i = 0; i < 50_000; i++) text += `127.${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}:623:\n  username: admin\n  password: pw${i.toString(36)}\n`;
    expect(expectSameOrDeclined(text)).toBe('fast');
  }, 120_000); // the yaml package's parse of the same file takes seconds on a loaded machine

  it('on random documents mixing plain and tricky lines, declines or agrees with the yaml package', () => {
    const key = fc.oneof(
      { arbitrary: fc.constantFrom('127.0.0.1:623', '"[::1]:623"', "'a: b'", '"x #y"', 'host-1.example:623', '1.5', 'yes'), weight: 12 },
      fc.constantFrom(
        '127.0.0.1:623',
        '"[::1]:623"',
        "'a:b'",
        '"x #y"',
        'a',
        '123',
        'true',
        'null',
        '~',
        '0x1F',
        '-a',
        '[a]',
        '&a k',
        '*a',
        '!t k',
        '? k',
        'k k',
        'a#b',
        'a #b',
      ),
      fc.stringMatching(/^[ -~]{0,12}$/),
    );
    const scalar = fc.oneof(
      { arbitrary: fc.constantFrom('admin', 'p@ss!', '"a: b # c"', "'q'", '0123', 'a#b', '2.0', 'False', '~', '""'), weight: 12 },
      {
        arbitrary: fc.constantFrom(
          '{rack: r1}',
          '{rack: r1, site: "p 1"}',
          '{a: 1,b: 2}',
          '{a: 1, a: 2}',
          '{a: x, b: y, a: z}',
          '[17, 3]',
          '[ a ,b ]',
          '[1.5, true]',
        ),
        weight: 4,
      },
      fc.constantFrom(
        '{}',
        '[]',
        '{a: {b: c}}',
        '[a, [b]]',
        '{a: b c}',
        '{a: x,}',
        '{? a}',
        '{a: "x\\"y"}',
        '{a:b}',
        '[a, *b]',
        '{a: 1} x',
        '[,]',
        '{a: [1]}',
        '{a: -1}',
      ),
      fc.constantFrom(
        'admin',
        '"q"',
        "'s'",
        "'it''s'",
        '"a\\tb"',
        '|',
        '>',
        '&x v',
        '*x',
        '!!str 1',
        '{a: 1}',
        '[1, 2]',
        'v # c',
        'a: b',
        '',
        '12',
        '1.5',
        'yes',
        '.nan',
        'x:',
        '#c',
      ),
      fc.stringMatching(/^[ -~\t]{0,12}$/),
    );
    const field = fc.oneof(
      { arbitrary: fc.constantFrom('username', 'password', 'labels', 'x_1'), weight: 12 },
      fc.constantFrom('<<', 'a b', '"q"', '-', 'true', 'null', '1'),
    );
    const entry = fc
      .tuple(
        key,
        fc.constantFrom('  ', '    ', ' '),
        fc.array(fc.tuple(field, scalar, fc.constantFrom('', '', '', '', '', '', ' ', ' # c')), { minLength: 1, maxLength: 4 }),
      )
      .map(([k, indent, fields]) => [`${k}:`, ...fields.map(([f, v, tail]) => `${indent}${f}: ${v}${tail}`)].join('\n'));
    const other = fc.oneof(
      fc.constantFrom('', '# c', '  # c', '---', '...', '- a', '    more', '\t', '  - x', 'k: v', '  k:', '%YAML 1.2', 'k:'),
      fc.stringMatching(/^[ -~]{0,16}$/),
    );
    const block = fc.oneof({ arbitrary: entry, weight: 10 }, { arbitrary: other, weight: 1 });
    const outcomes = { fast: 0, declined: 0 };
    fc.assert(
      fc.property(fc.array(block, { maxLength: 8 }), fc.boolean(), (ls, finalNewline) => {
        const text = ls.join('\n') + (finalNewline ? '\n' : '');
        outcomes[expectSameOrDeclined(text)]++;
        // Repeated keys included (the generator repeats them often): the same error or entries.
        expect(verdict(text, true)).toBe(verdict(text, false));
      }),
      { numRuns: 3000 },
    );
    // The generator must reach both sides of the decision for the comparison to mean anything.
    expect(outcomes.fast).toBeGreaterThan(100);
    expect(outcomes.declined).toBeGreaterThan(100);
  }, 60_000); // 3,000 documents through both parsers on a loaded machine: a limit against a hang
});

/** YamlSource's verdict on a file: the ConfigError message, or the entries it reads. */
function verdict(text: string, plainSecrets: boolean): string {
  try {
    const src = new YamlSource(text, 's.yml', { plainSecrets });
    const map = src.rootMap('targets');
    return JSON.stringify(map ? [...src.entries(map, 'keys')].map((e) => [e.key, src.position(e.keyNode), project(e.value)]) : null);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
}

describe('YamlSource with the plain reader', () => {
  it.each([
    ['a repeated target key', 'a:\n  username: u\n  password: p\nb:\n  username: u\n  password: p\na:\n  username: v\n  password: q\n', true],
    ['two repeated target keys: the first repeat is named', 'a:\n  x: 1\nb:\n  x: 1\nb:\n  x: 1\na:\n  x: 1\n', true],
    ['a repeat spelled differently: quoted and plain', '"a":\n  x: 1\na:\n  x: 1\n', true],
    ['keys equal as numbers', '1.0:\n  x: 1\n1:\n  x: 1\n', true],
    ['keys equal as booleans', 'true:\n  x: 1\nTrue:\n  x: 1\n', true],
    ['repeated fields in two entries: the last entry is named', 'a:\n  x: 1\n  x: 2\nb:\n  y: 1\n  y: 2\n  y: 3\nc:\n  z: 1\n', true],
    ['a repeated field and a repeated key: the key is named', 'a:\n  x: 1\n  x: 2\na:\n  y: 1\n', true],
    ['a repeat, then a line only the full parse reads', 'a:\n  x: 1\na:\n  x: 1\nb: {x: 1}\n', false],
    ['a repeat, then bad YAML', 'a:\n  x: 1\na:\n  x: 1\nb: "open\n', false],
    ['fields equal as booleans', 'a:\n  true: 1\n  True: 2\n', true],
    ['a repeated label', 'a:\n  x: 1\n  labels: {rack: a, site: b, rack: c}\n', true],
    ['a repeated label and a repeated field: the field is named', 'a:\n  labels: {r: a, r: b}\n  x: 1\n  x: 2\n', true],
    ['repeats in two flow maps of one entry: the last map is named', 'a:\n  l1: {r: a, r: b}\n  l2: {s: a, s: b}\n', true],
    ['a repeated label, then a later entry with a repeated field: the later one is named', 'a:\n  l: {r: a, r: b}\nb:\n  x: 1\n  x: 2\n', true],
    ['no repeat', '# c\na:\n  x: 1\n\n"b c":\n    y: 2\n', true],
  ])('%s: the same error or entries as the full parse', (_name, text, plain) => {
    expect(scanPlainSecrets(text, new LineCounter(), defaultSchema()) !== null).toBe(plain);
    expect(verdict(text, true)).toBe(verdict(text, false));
  });

  it('names both lines of a repeated key', () => {
    expect(verdict('a:\n  x: 1\nb:\n  x: 1\na:\n  x: 1\n', true)).toBe('s.yml:5:1: this key appears twice in the same map (first on line 1); keep one');
  });
});
