import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadSecretsFile, parseSecrets } from './secrets.js';
import { SecretsStore } from './secrets-store.js';

const entry = (passwordFile: string) => `127.0.2.1:623:\n  username: alice\n  password_file: ${passwordFile}\n`;

describe('password_file', () => {
  let dir: string;
  let secrets: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'password-file-'));
    secrets = join(dir, 'secrets.yml');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function loadError(): Promise<ConfigError> {
    const err = await loadSecretsFile(secrets).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }

  it.each([
    ['no newline', 's3cret', 's3cret'],
    ['one trailing newline dropped', 's3cret\n', 's3cret'],
    ['a CRLF ending dropped', 's3cret\r\n', 's3cret'],
    ['only one newline dropped', 's3cret\n\n', 's3cret\n'],
    ['spaces kept', ' s3 cret ', ' s3 cret '],
  ])('%s', async (_what, content, password) => {
    await writeFile(join(dir, 'pw'), content);
    await writeFile(secrets, entry(join(dir, 'pw')));
    expect((await loadSecretsFile(secrets)).lookup('127.0.2.1:623')).toEqual({ username: 'alice', password });
  });

  it('a relative path is read from the secrets file’s directory, not the working directory', async () => {
    await mkdir(join(dir, 'creds'));
    await writeFile(join(dir, 'creds', 'bmc'), 'from-dir\n');
    await writeFile(secrets, entry('creds/bmc'));
    expect((await loadSecretsFile(secrets)).lookup('127.0.2.1')?.password).toBe('from-dir');
  });

  it('a missing file: the entry’s line and the path', async () => {
    await writeFile(secrets, `127.0.2.9:623:\n  username: a\n  password: x\n${entry('missing.txt')}`);
    const err = await loadError();
    expect(err.message).toBe(`${secrets}:6:18: "127.0.2.1:623": cannot read password_file "missing.txt": no such file`);
  });

  it('an empty file (or only a newline) is refused', async () => {
    for (const content of ['', '\n']) {
      await writeFile(join(dir, 'pw'), content);
      await writeFile(secrets, entry('pw'));
      expect((await loadError()).message).toBe(`${secrets}:3:18: "127.0.2.1:623": password_file "pw" is empty; write the password in it`);
    }
  });

  it('an unreadable file is refused (as a user that may not read it)', async () => {
    await writeFile(join(dir, 'pw'), 's3cret');
    await chmod(join(dir, 'pw'), 0o000);
    await writeFile(secrets, entry('pw'));
    if (process.getuid?.() === 0) {
      // root reads anything: load through the built module in a process running as nobody.
      await chmod(dir, 0o755);
      await chmod(secrets, 0o644);
      const out = runAsNobody(secrets);
      expect(out).toContain(`${secrets}:3:18: "127.0.2.1:623": cannot read password_file "pw": permission denied`);
    } else {
      expect((await loadError()).message).toContain('cannot read password_file "pw": permission denied');
    }
  });

  it('a directory or a FIFO is not a password file (a FIFO would block the reload)', async () => {
    await mkdir(join(dir, 'd'));
    await writeFile(secrets, entry('d'));
    expect((await loadError()).message).toBe(`${secrets}:3:18: "127.0.2.1:623": cannot read password_file "d": not a regular file`);
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    await writeFile(secrets, entry('fifo'));
    expect((await loadError()).message).toBe(`${secrets}:3:18: "127.0.2.1:623": cannot read password_file "fifo": not a regular file`);
  });

  it('a huge file is refused without being read whole', async () => {
    await writeFile(join(dir, 'big'), Buffer.alloc(1024 * 1024, 0x61));
    await writeFile(secrets, entry('big'));
    expect((await loadError()).message).toContain('cannot read password_file "big": larger than 64 KiB, not a password file');
  });

  it('password and password_file together are refused', () => {
    expect(() => parseSecrets('127.0.2.1:623:\n  username: a\n  password: s3cret\n  password_file: pw\n', 'secrets.yml', { passwordFile: () => 'x' })).toThrow(
      'secrets.yml:4:18: "127.0.2.1:623" has both password and password_file; keep one',
    );
  });

  it('an empty path is refused', () => {
    expect(() => parseSecrets('127.0.2.1:623:\n  username: a\n  password_file: ""\n', 'secrets.yml', { passwordFile: () => 'x' })).toThrow(
      'secrets.yml:3:18: "127.0.2.1:623": password_file is empty; give the path of a file holding the password',
    );
  });

  it('parsing text alone (no file to resolve against) refuses password_file with its line', () => {
    expect(() => parseSecrets(entry('pw'), 'secrets.yml')).toThrow(
      'secrets.yml:3:18: "127.0.2.1:623": password_file is only read when the secrets are loaded from a file',
    );
  });

  it('the password never appears in an error, even when a later entry is broken', async () => {
    await writeFile(join(dir, 'pw'), 'topsecret-value\n');
    await writeFile(secrets, `${entry('pw')}127.0.2.2:623:\n  username: b\n  pasword: x\n`);
    const err = await loadError();
    expect(err.message).toContain('unknown field "pasword"');
    expect(err.message).not.toContain('topsecret-value');
  });

  it('is read again on every reload: a rotated password is picked up, a broken file keeps the old one', async () => {
    const pw = join(dir, 'pw');
    await writeFile(pw, 'first\n');
    await writeFile(secrets, entry('pw'));
    const results: boolean[] = [];
    const store = new SecretsStore(secrets, { reloaded: (ok) => results.push(ok) });
    await store.load();
    expect(store.current.lookup('127.0.2.1:623')?.password).toBe('first');

    await writeFile(pw, 'second\n');
    expect(await store.reload()).toEqual({ ok: true });
    expect(store.current.lookup('127.0.2.1:623')?.password).toBe('second');

    await rm(pw);
    const failed = await store.reload();
    expect(failed.ok).toBe(false);
    expect(!failed.ok && failed.error.message).toContain('cannot read password_file "pw": no such file');
    expect(store.current.lookup('127.0.2.1:623')?.password).toBe('second');
    expect(results).toEqual([true, false]);
  });
});

/** Load the secrets file in a child node process running as nobody (uid 65534); prints the error message. */
function runAsNobody(file: string): string {
  const dist = new URL('../../dist/src/config/secrets.js', import.meta.url).pathname;
  const code = `import(${JSON.stringify(dist)}).then((m) => m.loadSecretsFile(${JSON.stringify(file)})).then(() => console.log('loaded'), (e) => console.log(e.message))`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', code], { uid: 65534, gid: 65534, encoding: 'utf8' });
}

describe('password_file at scale', () => {
  it('500 entries with a file each load, each with its own password', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'password-files-'));
    try {
      let text = '';
      for (let i = 0; i < 500; i++) {
        await writeFile(join(dir, `pw-${i}`), `password-${i}\n`);
        text += `127.0.2.${i % 250}:${623 + Math.floor(i / 250)}:\n  username: u\n  password_file: pw-${i}\n`;
      }
      await writeFile(join(dir, 'secrets.yml'), text);
      const s = await loadSecretsFile(join(dir, 'secrets.yml'));
      expect(s.size).toBe(500);
      expect(s.lookup('127.0.2.7:623')?.password).toBe('password-7');
      expect(s.lookup('127.0.2.7:624')?.password).toBe('password-257');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
