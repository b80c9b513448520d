import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, decodeSecrets, encodeSecrets, loadSecretsFile, parseSecrets } from './secrets.js';
import { loadSecretsFileOffThread } from './secrets-loader.js';

/** A secrets file as `npm run sim -- --count N --secrets-out` writes one: an entry per BMC. */
function fleetSecrets(count: number): string {
  let text = '# generated\n';
  for (let i = 1; i <= count; i++) {
    text += `127.${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}:623:\n  username: admin\n  password: pw${i.toString(36)}\n`;
  }
  return text;
}

/** The nice value of each of this process's threads (proc(5): field 19 of /proc/PID/task/TID/stat). */
function threadNiceValues(): number[] {
  const nice: number[] = [];
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    nice.push(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return nice;
}

describe('loading a secrets file off the event loop', () => {
  let dir: string;
  const big = fleetSecrets(50_000);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'secrets-loader-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads 50,000 entries while the event loop keeps turning, on a thread of lower priority', async () => {
    const path = join(dir, 'fleet.yml');
    await writeFile(path, big);
    const ownNice = getPriority();
    // Counted in event-loop turns, not time: parsed on the main thread, the
    // loop would not turn once until the whole file was read.
    let turns = 0;
    let spinning = true;
    let lowest = ownNice;
    const spin = (): void => {
      turns++;
      // Now and then, the process's threads: the parsing one shows with its lower priority.
      if (turns % 64 === 0) lowest = Math.max(lowest, ...threadNiceValues());
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const secrets = await loadSecretsFileOffThread(path);
    spinning = false;
    expect(lowest).toBe(Math.min(ownNice + 10, 19));
    expect(getPriority()).toBe(ownNice); // the event loop's thread is not lowered with it
    expect(secrets.size).toBe(50_000);
    expect(secrets.lookup('127.10.0.1:623')).toEqual({ username: 'admin', password: 'pw1' });
    expect(secrets.lookup('127.10.195.80:623')).toEqual({ username: 'admin', password: `pw${(50_000).toString(36)}` });
    expect(turns).toBeGreaterThan(10);

    // One password rotated (entry 70): the entries of the slices it is not in stay the very same objects.
    const unchanged = secrets.lookup('127.10.39.16:623'); // entry 10,000
    await writeFile(path, big.replace('  password: pw1y\n', '  password: rotated\n'));
    const reloaded = await loadSecretsFileOffThread(path, {}, secrets);
    expect(reloaded.size).toBe(50_000);
    expect(reloaded.lookup('127.10.0.70:623')).toEqual({ username: 'admin', password: 'rotated' });
    expect(reloaded.lookup('127.10.39.16:623')).toBe(unchanged);
    expect(reloaded.lookup('127.10.0.1:623')).toEqual({ username: 'admin', password: 'pw1' });
    expect(reloaded.targets()).toEqual(secrets.targets());
    // Applied to the table in force, not a rebuilt one: the old table answers with the new entry too.
    expect(secrets.lookup('127.10.0.70:623')).toBe(reloaded.lookup('127.10.0.70:623'));
  }, 60_000); // seconds of parsing on a loaded 2-core machine; a limit against a hang, not a speed check

  it('refuses a repeated key at the end of a 50,000-entry file, naming both lines', async () => {
    const path = join(dir, 'dup.yml');
    await writeFile(path, `${big}127.10.0.7:623:\n  username: other\n  password: s3cret\n`);
    const err = await loadSecretsFileOffThread(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    // Entry 7's key is on line 2 + 3 * 6 = 20; the repeat after the 150,001 generated lines.
    expect((err as ConfigError).message).toBe(`${path}:150002:1: this key appears twice in the same map (first on line 20); keep one`);
    expect((err as ConfigError).line).toBe(150002);
  }, 60_000);

  it('gives the same ConfigError as reading on the main thread', async () => {
    const path = join(dir, 'bad.yml');
    await writeFile(path, '127.0.2.1:623:\n  username: a\n  password: s3cret\n  privilege: root\n');
    const inline = await loadSecretsFile(path).catch((e: unknown) => e);
    const threaded = await loadSecretsFileOffThread(path).catch((e: unknown) => e);
    expect(threaded).toBeInstanceOf(ConfigError);
    expect((threaded as ConfigError).message).toBe((inline as ConfigError).message);
    expect([(threaded as ConfigError).line, (threaded as ConfigError).column]).toEqual([4, 14]);
    expect((threaded as ConfigError).message).not.toContain('s3cret');
  });

  it('hands a table over as slices that decode to the same lookups, ranges and discovery groups', async () => {
    const text =
      '127.0.3.1:623:\n  username: a\n  password: pa\n  labels: {rack: r1}\n' +
      '"[::1]:623":\n  username: b\n  password: pb\n  cipher_suites: [17, 3]\n' +
      '127.0.4.0/24:\n  username: c\n  password: pc\n' +
      '127.0.4.0/28:\n  username: d\n  password: pd\n  privilege: operator\n' +
      '"[::2/127]:624":\n  username: e\n  password: pe\n' +
      'bmc.example:\n  username: f\n  password: pf\n  labels: {rack: r1}\n';
    const parsed = parseSecrets(text, 's.yml');
    let turns = 0;
    const decoded = await decodeSecrets(encodeSecrets(parsed, 2), async () => {
      turns++;
    });
    expect(turns).toBe(3); // six rows, two a slice: a turn before each slice
    for (const target of [
      '127.0.3.1:623',
      '127.0.3.1',
      '[::1]:623',
      '::1',
      '127.0.4.5:623',
      '127.0.4.5',
      '127.0.4.200',
      '127.0.5.1',
      '[::3]:624',
      '[::3]:623',
      'bmc.example',
      'bmc.example:623',
    ]) {
      expect(decoded.lookup(target), target).toEqual(parsed.lookup(target));
    }
    expect(decoded.lookup('127.0.4.5')?.username).toBe('d'); // the /28 wins over the /24
    expect(decoded.targets()).toEqual(parsed.targets());
    expect(decoded.discovery()).toEqual(parsed.discovery());
    expect(decoded.size).toBe(6);
  });

  it("reuses the previous table's objects for slices that did not change, and only those", async () => {
    const entry = (i: number, password = `p${i}`) => `127.0.3.${i}:623:\n  username: u\n  password: ${password}\n`;
    const text = (changed?: number) =>
      Array.from({ length: 7 }, (_, i) => entry(i + 1, i + 1 === changed ? 'new' : undefined)).join('') + '127.0.4.0/24:\n  username: r\n  password: pr\n';
    const none = async () => {};
    const first = await decodeSecrets(encodeSecrets(parseSecrets(text(), 's.yml'), 3), none);
    const original = new Map([1, 2, 3, 4, 5, 6, 7].map((i) => [i, first.lookup(`127.0.3.${i}`)]));
    const range = first.lookup('127.0.4.9');
    const same = await decodeSecrets(encodeSecrets(parseSecrets(text(), 's.yml'), 3), none, first);
    const changed = await decodeSecrets(encodeSecrets(parseSecrets(text(5), 's.yml'), 3), none, same);
    expect(same).toBe(first); // nothing changed: the table in force stays
    // Rows 4-6 share a slice with the changed entry 5: parsed again; the other slices are reused.
    for (const i of [1, 2, 3, 7]) expect(changed.lookup(`127.0.3.${i}`)).toBe(original.get(i));
    for (const i of [4, 6]) {
      expect(changed.lookup(`127.0.3.${i}`)).not.toBe(original.get(i));
      expect(changed.lookup(`127.0.3.${i}`)).toEqual(original.get(i));
    }
    expect(changed.lookup('127.0.3.5:623')).toEqual({ username: 'u', password: 'new' });
    expect(changed.lookup('127.0.4.9')).toEqual({ username: 'r', password: 'pr' });
    expect(changed.lookup('127.0.4.9')).toBe(range);
    expect(changed.targets()).toEqual(first.targets());
    // The table that was patched answers like its successor (a reader holding it sees the new file, whole).
    expect(first.lookup('127.0.3.5')).toBe(changed.lookup('127.0.3.5'));
    // Sliced differently, nothing matches: every row parsed, same answers.
    const resliced = await decodeSecrets(encodeSecrets(parseSecrets(text(5), 's.yml'), 2), none, changed);
    expect(resliced.lookup('127.0.3.1')).not.toBe(changed.lookup('127.0.3.1'));
    for (let i = 1; i <= 7; i++) expect(resliced.lookup(`127.0.3.${i}:623`)).toEqual(changed.lookup(`127.0.3.${i}:623`));
    expect(resliced.discovery()).toEqual(changed.discovery());
  });

  it('applies a small change in one step: until the last slice is read every lookup answers from the old file', async () => {
    const entry = (i: number, rack = 'r1', password = `p${i}`) => `127.0.3.${i}:623:\n  username: u\n  password: ${password}\n  labels: {rack: ${rack}}\n`;
    const file = (edit: (i: number) => string) => Array.from({ length: 12 }, (_, i) => edit(i + 1)).join('');
    const none = async () => {};
    const old = await decodeSecrets(encodeSecrets(parseSecrets(file(entry), 's.yml'), 2), none);
    expect(old.discovery()).toEqual([{ targets: Array.from({ length: 12 }, (_, i) => `127.0.3.${i + 1}:623`), labels: { rack: 'r1' } }]);
    // Entries 2 and 9 change (slices 0 and 4 of six): a password and a label.
    const next = file((i) => (i === 2 ? entry(i, 'r1', 'rotated') : i === 9 ? entry(i, 'r2') : entry(i)));
    let turns = 0;
    const table = await decodeSecrets(
      encodeSecrets(parseSecrets(next, 's.yml'), 2),
      async () => {
        turns++;
        // Whatever a scrape or /discover reads between the turns is the old file, all of it.
        expect(old.lookup('127.0.3.2')?.password).toBe('p2');
        expect(old.lookup('127.0.3.9')?.labels).toEqual({ rack: 'r1' });
        expect(old.discovery()).toHaveLength(1);
      },
      old,
    );
    expect(turns).toBe(2); // one turn per changed slice; the four others are not read
    expect(table.lookup('127.0.3.2')?.password).toBe('rotated');
    expect(table.discovery()).toEqual([
      {
        targets: [
          '127.0.3.1:623',
          '127.0.3.2:623',
          '127.0.3.3:623',
          '127.0.3.4:623',
          '127.0.3.5:623',
          '127.0.3.6:623',
          '127.0.3.7:623',
          '127.0.3.8:623',
          '127.0.3.10:623',
          '127.0.3.11:623',
          '127.0.3.12:623',
        ],
        labels: { rack: 'r1' },
      },
      { targets: ['127.0.3.9:623'], labels: { rack: 'r2' } },
    ]);
    expect(old.discovery()).toEqual(table.discovery());
    // The same answers as a table built from nothing.
    const fresh = parseSecrets(next, 's.yml');
    for (let i = 1; i <= 12; i++) expect(table.lookup(`127.0.3.${i}`)).toEqual(fresh.lookup(`127.0.3.${i}`));
  });

  it('two decodes taking over the same table at once (reloads not chained) each answer from their own file', async () => {
    const entry = (i: number, password = `p${i}`) => `127.0.3.${i}:623:\n  username: u\n  password: ${password}\n`;
    const file = (changed: number, password: string) => Array.from({ length: 6 }, (_, i) => entry(i + 1, i + 1 === changed ? password : undefined)).join('');
    const none = async () => {};
    const old = await decodeSecrets(encodeSecrets(parseSecrets(file(0, ''), 's.yml'), 2), none);
    const [a, b] = await Promise.all([
      decodeSecrets(encodeSecrets(parseSecrets(file(1, 'a'), 's.yml'), 2), none, old),
      decodeSecrets(encodeSecrets(parseSecrets(file(3, 'b'), 's.yml'), 2), none, old),
    ]);
    for (let i = 1; i <= 6; i++) {
      expect(a.lookup(`127.0.3.${i}`)?.password).toBe(i === 1 ? 'a' : `p${i}`);
      expect(b.lookup(`127.0.3.${i}`)?.password).toBe(i === 3 ? 'b' : `p${i}`);
    }
  });

  it.each([
    ['a key renamed', (i: number) => (i === 4 ? '127.0.3.40:623:\n  username: u\n  password: p4\n' : undefined)],
    ['a key added', (i: number) => (i === 4 ? '127.0.3.4:623:\n  username: u\n  password: p4\n127.0.3.99:623:\n  username: u\n  password: p99\n' : undefined)],
    ['a key removed', (i: number) => (i === 4 ? '' : undefined)],
    [
      'two keys swapped',
      (i: number) => (i === 4 ? '127.0.3.5:623:\n  username: u\n  password: p5\n' : i === 5 ? '127.0.3.4:623:\n  username: u\n  password: p4\n' : undefined),
    ],
    ['more than four slices changed', (i: number) => (i >= 3 && i % 2 === 0 ? `127.0.3.${i}:623:\n  username: u\n  password: rotated\n` : undefined)],
  ])('builds a new table for %s, and the old one still answers from the old file', async (_what, edit) => {
    const entry = (i: number) => `127.0.3.${i}:623:\n  username: u\n  password: p${i}\n`;
    const file = (e: (i: number) => string | undefined) => Array.from({ length: 12 }, (_, i) => e(i + 1) ?? entry(i + 1)).join('');
    const none = async () => {};
    const old = await decodeSecrets(
      encodeSecrets(
        parseSecrets(
          file(() => undefined),
          's.yml',
        ),
        2,
      ),
      none,
    );
    const before = old.lookup('127.0.3.1');
    const text = file(edit);
    const table = await decodeSecrets(encodeSecrets(parseSecrets(text, 's.yml'), 2), none, old);
    const fresh = parseSecrets(text, 's.yml');
    expect(table.targets()).toEqual(fresh.targets());
    for (const key of [...fresh.targets(), '127.0.3.4:623', '127.0.3.40:623']) expect(table.lookup(key), key).toEqual(fresh.lookup(key));
    expect(table.lookup('127.0.3.1')).toBe(before); // the first slice did not change: its objects are reused
    // The old table was not touched.
    expect(old.targets()).toEqual(Array.from({ length: 12 }, (_, i) => `127.0.3.${i + 1}:623`));
    for (let i = 1; i <= 12; i++) expect(old.lookup(`127.0.3.${i}`)).toEqual({ username: 'u', password: `p${i}` });
  });

  it('a file that cannot be read is a ConfigError without a position', async () => {
    const err = await loadSecretsFileOffThread(join(dir, 'missing.yml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(`${join(dir, 'missing.yml')}: cannot read the secrets file: no such file`);
  });
});
