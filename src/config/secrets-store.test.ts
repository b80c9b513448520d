import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './secrets.js';
import { SecretsStore } from './secrets-store.js';

const GOOD_A = '127.0.2.1:623:\n  username: alice\n  password: pa\n';
const GOOD_B = '127.0.2.2:623:\n  username: bob\n  password: pb\n';

describe('SecretsStore', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'secrets-store-'));
    path = join(dir, 'secrets.yml');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('first load of a bad file throws ConfigError with the line', async () => {
    await writeFile(path, '127.0.2.1:623:\n  username: a\n  passwd: x\n');
    const store = new SecretsStore(path);
    await expect(store.load()).rejects.toThrow(`${path}:3:3: unknown field "passwd"`);
  });

  it('first load of a missing file throws ConfigError', async () => {
    const store = new SecretsStore(join(dir, 'nope.yml'));
    const err = await store.load().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(`${join(dir, 'nope.yml')}: cannot read the secrets file: no such file`);
  });

  it('a reload of an unchanged file keeps the entries it already had (the same objects)', async () => {
    await writeFile(path, GOOD_A + GOOD_B);
    const store = new SecretsStore(path);
    await store.load();
    const before = store.current.lookup('127.0.2.2:623');
    expect(await store.reload()).toEqual({ ok: true });
    expect(store.current.lookup('127.0.2.2:623')).toBe(before);
    await writeFile(path, GOOD_A + GOOD_B.replace('pb', 'pc'));
    expect(await store.reload()).toEqual({ ok: true });
    expect(store.current.lookup('127.0.2.2:623')).toEqual({ username: 'bob', password: 'pc' });
  });

  it('reload swaps in a good file and reports it', async () => {
    await writeFile(path, GOOD_A);
    const events: Array<[boolean, ConfigError | undefined]> = [];
    const store = new SecretsStore(path, { reloaded: (ok, error) => events.push([ok, error]) });
    await store.load();
    expect(store.current.lookup('127.0.2.1:623')?.username).toBe('alice');
    await writeFile(path, GOOD_B);
    expect(await store.reload()).toEqual({ ok: true });
    expect(store.current.lookup('127.0.2.1:623')).toBeUndefined();
    expect(store.current.lookup('127.0.2.2:623')?.username).toBe('bob');
    expect(events).toEqual([[true, undefined]]);
  });

  it('a bad reload keeps the old config and reports the error', async () => {
    await writeFile(path, GOOD_A);
    const events: Array<[boolean, ConfigError | undefined]> = [];
    const store = new SecretsStore(path, { reloaded: (ok, error) => events.push([ok, error]) });
    await store.load();
    await writeFile(path, GOOD_A + '127.0.2.1:623:\n  username: x\n  password: leaked\n');
    const result = await store.reload();
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.line).toBe(4);
      expect(result.error.message).not.toContain('leaked');
    }
    expect(store.current.lookup('127.0.2.1:623')?.username).toBe('alice');
    expect(events.map(([ok]) => ok)).toEqual([false]);
    expect(events[0]?.[1]).toBeInstanceOf(ConfigError);

    await rm(path);
    expect((await store.reload()).ok).toBe(false);
    expect(store.current.lookup('127.0.2.1:623')?.username).toBe('alice');
  });

  it('concurrent reloads apply in call order', async () => {
    await writeFile(path, GOOD_A);
    const store = new SecretsStore(path);
    await store.load();
    await writeFile(path, GOOD_B);
    const [a, b] = await Promise.all([store.reload(), store.reload()]);
    expect(a.ok && b.ok).toBe(true);
    expect(store.current.lookup('127.0.2.2:623')?.username).toBe('bob');
  });
});
