import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SdrFileCache, type SdrCacheKey } from './sdr-file-cache.js';

const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length) await rm(dirs.pop()!, { recursive: true, force: true });
});

async function fresh(maxRecordBytes?: number) {
  const dir = await mkdtemp(join(tmpdir(), 'sdr-cache-test-'));
  dirs.push(dir);
  const warnings: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const cache = new SdrFileCache(dir, { warn: (obj, msg) => warnings.push({ obj: obj as Record<string, unknown>, msg }) }, maxRecordBytes);
  return { dir, cache, warnings };
}

const KEY: SdrCacheKey = { target: '127.0.0.1:623', identity: 'guid/32/1/1.2//343/1', stamp: '1767000000/null/47' };
const RECORDS = [Buffer.from('0100510b', 'hex'), Buffer.from('02005101ffee', 'hex')];

describe('SdrFileCache', () => {
  it('gives back what was saved under the same target, identity and stamp', async () => {
    const { cache, warnings } = await fresh();
    expect(await cache.load(KEY)).toBeUndefined();
    await cache.save(KEY, RECORDS);
    expect(await cache.load(KEY)).toEqual(RECORDS);
    expect(warnings).toEqual([]);
  });

  it('a changed stamp or BMC identity finds nothing, without a warning', async () => {
    const { cache, warnings } = await fresh();
    await cache.save(KEY, RECORDS);
    expect(await cache.load({ ...KEY, stamp: '1767000060/null/47' })).toBeUndefined();
    expect(await cache.load({ ...KEY, stamp: '1767000000/null/48' })).toBeUndefined();
    expect(await cache.load({ ...KEY, identity: 'guid/32/1/1.3//343/1' })).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('writes through a temporary file and rename: nothing else is left in the directory; a later save replaces the file', async () => {
    const { dir, cache } = await fresh();
    await Promise.all([cache.save(KEY, RECORDS), cache.save({ ...KEY, stamp: 'new' }, RECORDS.slice(0, 1))]);
    expect(await readdir(dir)).toEqual([cache.fileOf(KEY.target).slice(dir.length + 1)]);
    expect(await cache.load({ ...KEY, stamp: 'new' })).toEqual(RECORDS.slice(0, 1));
    expect(await cache.load(KEY)).toBeUndefined();
  });

  it("keeps the session's cipher suite with the records: read() gives it back for any stamp, load() still matches on the key", async () => {
    const { cache, warnings } = await fresh();
    expect(await cache.read(KEY.target)).toBeUndefined();
    await cache.save(KEY, RECORDS, 17);
    expect(await cache.read(KEY.target)).toEqual({ identity: KEY.identity, stamp: KEY.stamp, records: RECORDS, cipherSuite: 17 });
    expect(await cache.load(KEY)).toEqual(RECORDS);
    expect(await cache.load({ ...KEY, stamp: '1767000060/null/47' })).toBeUndefined();
    // IPMI 1.5: no suite, and the file checks as one written before suites were kept.
    await cache.save(KEY, RECORDS);
    expect(await cache.read(KEY.target)).toEqual({ identity: KEY.identity, stamp: KEY.stamp, records: RECORDS });
    expect(warnings).toEqual([]);
  });

  describe('SEL state files', () => {
    const STATE = { counts: [1, 2], nextId: 5 };
    it('gives back what was saved for the same target and BMC identity; another identity finds nothing, without a warning', async () => {
      const { dir, cache, warnings } = await fresh();
      expect(await cache.loadSel(KEY.target, KEY.identity)).toBeUndefined();
      await cache.saveSel(KEY.target, KEY.identity, STATE);
      expect(await cache.loadSel(KEY.target, KEY.identity)).toEqual(STATE);
      expect(await cache.loadSel(KEY.target, 'guid/32/1/1.3//343/1')).toBeUndefined();
      expect(await readdir(dir)).toEqual([cache.selFileOf(KEY.target).slice(dir.length + 1)]);
      expect(warnings).toEqual([]);
    });

    const damaged: Array<[string, (text: string) => string, RegExp]> = [
      ['cut short', (t) => t.slice(0, 20), /not valid JSON/],
      ['another format', (t) => t.replace('bmc-exporter-sel/1', 'bmc-exporter-sel/0'), /of this format/],
      ['the state altered', (t) => t.replace('"nextId":5', '"nextId":6'), /checksum mismatch/],
    ];
    for (const [name, damage, reason] of damaged) {
      it(`a file ${name} is ignored with a log line`, async () => {
        const { cache, warnings } = await fresh();
        await cache.saveSel(KEY.target, KEY.identity, STATE);
        const file = cache.selFileOf(KEY.target);
        const text = await readFile(file, 'utf8');
        expect(damage(text)).not.toEqual(text);
        await writeFile(file, damage(text));
        expect(await cache.loadSel(KEY.target, KEY.identity)).toBeUndefined();
        expect(warnings.map((w) => [w.msg, String(w.obj.reason)])).toEqual([
          ['ignoring the SEL cache file; counting the SEL from its first entry', expect.stringMatching(reason)],
        ]);
      });
    }

    it("another target's file under this target's name is ignored with a log line", async () => {
      const { cache, warnings } = await fresh();
      await cache.saveSel('127.0.0.2:623', KEY.identity, STATE);
      await writeFile(cache.selFileOf(KEY.target), await readFile(cache.selFileOf('127.0.0.2:623')));
      expect(await cache.loadSel(KEY.target, KEY.identity)).toBeUndefined();
      expect(warnings.map((w) => w.obj.reason)).toEqual(['written for another target']);
    });
  });

  it('holds no credential: only the target, identity, stamp and record bytes', async () => {
    const { cache } = await fresh();
    await cache.save(KEY, RECORDS);
    const file = JSON.parse(await readFile(cache.fileOf(KEY.target), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(file).sort()).toEqual(['checksum', 'format', 'identity', 'records', 'stamp', 'target']);
  });

  describe('a file that cannot be used is ignored with a log line, never thrown', () => {
    const cases: Array<[string, (text: string) => string | Buffer, RegExp]> = [
      ['garbage bytes', () => Buffer.from([0xff, 0x00, 0x13, 0x37]), /not valid JSON/],
      ['cut short', (t) => t.slice(0, t.length / 2), /not valid JSON/],
      ['JSON of another shape', () => '[1,2,3]', /not a cached SDR of this format/],
      ['another format', (t) => t.replace('bmc-exporter-sdr/1', 'bmc-exporter-sdr/0'), /not a cached SDR of this format/],
      ['a field missing', (t) => JSON.stringify({ ...JSON.parse(t), stamp: undefined }), /a field is missing/],
      ['records that are not base64', (t) => JSON.stringify({ ...JSON.parse(t), records: ['!!'] }), /not base64/],
      [
        'a record altered on disk',
        (t) => {
          const f = JSON.parse(t) as { records: string[] };
          f.records[0] = Buffer.from('0100510c', 'hex').toString('base64');
          return JSON.stringify(f);
        },
        /checksum mismatch/,
      ],
      ['the stamp altered (checksum no longer matches)', (t) => t.replace(KEY.stamp, '1767000000/null/46'), /checksum mismatch/],
      ['the cipher suite altered (checksum no longer matches)', (t) => t.replace('"cipherSuite":17', '"cipherSuite":3'), /checksum mismatch/],
      ['the cipher suite dropped (checksum no longer matches)', (t) => t.replace('"cipherSuite":17,', ''), /checksum mismatch/],
      ['a cipher suite that is not a suite id', (t) => t.replace('"cipherSuite":17', '"cipherSuite":"17"'), /cipherSuite is not 0-255/],
    ];
    for (const [name, damage, reason] of cases) {
      it(name, async () => {
        const { cache, warnings } = await fresh();
        await cache.save(KEY, RECORDS, 17);
        const file = cache.fileOf(KEY.target);
        const text = await readFile(file, 'utf8');
        expect(damage(text)).not.toEqual(text);
        await writeFile(file, damage(text));
        expect(await cache.load(KEY)).toBeUndefined();
        expect(warnings).toHaveLength(1);
        expect(warnings[0]!.msg).toBe('ignoring the SDR cache file; walking the SDR');
        expect(String(warnings[0]!.obj.reason)).toMatch(reason);
        // The next complete walk replaces it.
        await cache.save(KEY, RECORDS);
        expect(await cache.load(KEY)).toEqual(RECORDS);
      });
    }

    it('a file written for another target (copied, or a hash collision)', async () => {
      const { cache, warnings } = await fresh();
      await cache.save({ ...KEY, target: '127.0.0.9:623' }, RECORDS);
      await writeFile(cache.fileOf(KEY.target), await readFile(cache.fileOf('127.0.0.9:623')));
      expect(await cache.load(KEY)).toBeUndefined();
      expect(warnings.map((w) => w.obj.reason)).toEqual(['written for another target']);
    });

    it('a file larger than any valid one is not read', async () => {
      const { cache, warnings } = await fresh(1024);
      await writeFile(cache.fileOf(KEY.target), Buffer.alloc(1024 * 1024, 0x20));
      expect(await cache.load(KEY)).toBeUndefined();
      expect(String(warnings[0]!.obj.reason)).toMatch(/^unreadable: 1048576 bytes, more than the \d+ a cached SDR may take$/);
      // Nor is one written: an SDR over the limit is walked after every restart.
      await cache.save(KEY, [Buffer.alloc(100 * 1024)]);
      expect((await readFile(cache.fileOf(KEY.target))).length).toBe(1024 * 1024);
    });

    it('a directory where the file should be', async () => {
      const { cache, warnings } = await fresh();
      await mkdir(cache.fileOf(KEY.target));
      expect(await cache.load(KEY)).toBeUndefined();
      expect(String(warnings[0]!.obj.reason)).toMatch(/^unreadable: /);
      // Saving fails (rename onto a directory): logged, not thrown, no temporary file left.
      await cache.save(KEY, RECORDS);
      expect(warnings.at(-1)!.msg).toBe('cannot write the SDR cache file; the SDR will be walked after a restart');
      expect((await readdir(cache.dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  });

  it('a directory it cannot write to: saving logs and resolves', async () => {
    const { dir, warnings } = await fresh();
    const blocked = join(dir, 'file-not-dir');
    await writeFile(blocked, '');
    await chmod(blocked, 0o400);
    const cache = new SdrFileCache(join(blocked, 'cache'), { warn: (obj, msg) => warnings.push({ obj: obj as Record<string, unknown>, msg }) });
    await expect(cache.save(KEY, RECORDS)).resolves.toBeUndefined();
    await cache.flush();
    expect(warnings.map((w) => w.msg)).toEqual(['cannot write the SDR cache file; the SDR will be walked after a restart']);
    expect(await cache.load(KEY)).toBeUndefined();
  });

  it('a directory it cannot write to is logged once a minute, however many targets fail, with the count not logged', async () => {
    const { dir, warnings } = await fresh();
    const blocked = join(dir, 'file-not-dir');
    await writeFile(blocked, '');
    let now = 1_000_000;
    const cache = new SdrFileCache(
      join(blocked, 'cache'),
      { warn: (obj, msg) => warnings.push({ obj: obj as Record<string, unknown>, msg }) },
      undefined,
      () => now,
    );
    const keyOf = (i: number): SdrCacheKey => ({ ...KEY, target: `127.0.0.${i}:623` });
    // A restart's worth of walks: all fail alike.
    for (let i = 1; i <= 50; i++) await cache.save(keyOf(i), RECORDS);
    await cache.flush();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.obj).toMatchObject({ target: '127.0.0.1:623' });
    expect(warnings[0]!.obj).not.toHaveProperty('failedWritesNotLogged');

    now += 59_999;
    await cache.save(keyOf(51), RECORDS);
    expect(warnings).toHaveLength(1);
    now += 1;
    await cache.save(keyOf(52), RECORDS);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]!.msg).toBe('cannot write the SDR cache file; the SDR will be walked after a restart');
    expect(warnings[1]!.obj).toMatchObject({ target: '127.0.0.52:623', failedWritesNotLogged: 50 });
  });
});
