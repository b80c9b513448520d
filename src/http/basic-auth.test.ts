import bcrypt from 'bcryptjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { BasicAuthChecker } from './basic-auth.js';

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('BasicAuthChecker', () => {
  let hash: string;
  beforeAll(async () => {
    // Cost 4 keeps the test fast; the code path is the same as cost 10.
    hash = await bcrypt.hash('correct horse', 4);
  });

  it('accepts the right password, for each hash prefix htpasswd and others write', async () => {
    for (const prefix of ['$2a$', '$2b$', '$2y$']) {
      const checker = new BasicAuthChecker(new Map([['prom', prefix + hash.slice(4)]]));
      expect(await checker.check(basic('prom', 'correct horse'))).toBe(true);
    }
  });

  it('refuses a wrong password, an unknown user and malformed headers', async () => {
    const checker = new BasicAuthChecker(new Map([['prom', hash]]));
    expect(await checker.check(basic('prom', 'correct hors'))).toBe(false);
    expect(await checker.check(basic('prom', ''))).toBe(false);
    expect(await checker.check(basic('nobody', 'correct horse'))).toBe(false);
    for (const header of [undefined, '', 'Basic', 'Bearer abc', 'Basic !!!notbase64', `Basic ${Buffer.from('no-colon').toString('base64')}`]) {
      expect(await checker.check(header)).toBe(false);
    }
    // Scheme names are case-insensitive (RFC 7617).
    expect(await checker.check(basic('prom', 'correct horse').replace('Basic', 'basic'))).toBe(true);
  });

  it('caches a good check and never a bad one', async () => {
    const checker = new BasicAuthChecker(new Map([['prom', hash]]));
    const spy = vi.spyOn(bcrypt, 'hash');
    spy.mockClear();
    expect(await checker.check(basic('prom', 'correct horse'))).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(await checker.check(basic('prom', 'correct horse'))).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1); // cache hit: no bcrypt
    expect(await checker.check(basic('prom', 'wrong'))).toBe(false);
    expect(await checker.check(basic('prom', 'wrong'))).toBe(false);
    expect(spy).toHaveBeenCalledTimes(3); // each failure pays bcrypt again
    spy.mockRestore();
  });

  it('an unknown user costs a bcrypt too (no user-enumeration timing oracle)', async () => {
    const checker = new BasicAuthChecker(new Map([['prom', hash]]));
    const spy = vi.spyOn(bcrypt, 'hash');
    spy.mockClear();
    expect(await checker.check(basic('mallory', 'x'))).toBe(false);
    expect(spy).toHaveBeenCalledTimes(1);
    // …and the decoy has the configured cost, so it takes as long as a real check.
    const salt = spy.mock.calls[0]?.[1];
    expect(typeof salt === 'string' && bcrypt.getRounds(salt)).toBe(4);
    spy.mockRestore();
  });

  it('refuses to build with something that is not a bcrypt hash', () => {
    expect(() => new BasicAuthChecker(new Map([['prom', 'plaintext']]))).toThrow('not a bcrypt hash');
  });
});
