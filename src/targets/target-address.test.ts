import { InvalidArgumentError } from '@bmc-exporter/ipmi';
import { describe, expect, it } from 'vitest';
import { parseSecrets } from '../config/secrets.js';
import { parseTargetAddress } from './target-address.js';

describe('parseTargetAddress', () => {
  // The secrets file and /bmc?target= once had parsers of their own: the file
  // took `bmc_01.example` and /bmc refused it, so that entry answered 400 on
  // every scrape. Both go through the library's parseHostPort now.
  it.each(['bmc_01.example.net:623', 'bmc_01.example.net', 'BMC-2.Example.:624', '127.0.0.5', '127.0.0.5:623', '[::1]:623', '::1'])(
    'a secrets key %s is a target /bmc accepts, and it finds that entry',
    (key) => {
      const secrets = parseSecrets(`"${key}":\n  username: u\n  password: p\n`, 'secrets.yml');
      const address = parseTargetAddress(key);
      expect(secrets.lookup(address.key)).toEqual({ username: 'u', password: 'p' });
    },
  );

  it('keys one BMC the same however it is spelled', () => {
    const keys = ['[::1]', '[0:0:0:0:0:0:0:1]:623', '::1'].map((t) => parseTargetAddress(t).key);
    expect(new Set(keys)).toEqual(new Set(['[::1]:623']));
    expect(parseTargetAddress('BMC_01.example.:623').key).toBe('bmc_01.example:623');
  });

  it.each(['', 'bmc one', '<b>', '[bmc]:623', '127.0.0.1:0', 'x'.repeat(301)])('refuses %j with InvalidArgumentError', (target) => {
    expect(() => parseTargetAddress(target)).toThrow(InvalidArgumentError);
  });
});
