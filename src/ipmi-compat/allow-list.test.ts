import { describe, expect, it } from 'vitest';
import { ALLOW_ANY, AllowListError, parseAllowList } from './allow-list.js';

describe('parseAllowList (--ipmi.allowed-targets)', () => {
  it('the default allows every address and host name, and says it is wide open', () => {
    const a = parseAllowList(ALLOW_ANY);
    expect(a.any).toBe(true);
    for (const h of ['127.0.2.1', '2001:db8::1', 'bmc1.example.net']) expect(a.allows(h)).toBe(true);
  });

  it('ranges allow the addresses inside them only; host names are refused once narrowed (never resolved here)', () => {
    const a = parseAllowList(' 127.0.2.0/24, 2001:db8::/32 ,127.51.100.7');
    expect(a.any).toBe(false);
    expect(a.text).toBe('127.0.2.0/24,2001:db8::/32,127.51.100.7/32');
    expect(a.allows('127.0.2.200')).toBe(true);
    expect(a.allows('127.0.3.1')).toBe(false);
    expect(a.allows('127.51.100.7')).toBe(true);
    expect(a.allows('127.51.100.8')).toBe(false);
    expect(a.allows('2001:db8:ffff::1')).toBe(true);
    expect(a.allows('2001:db9::1')).toBe(false);
    expect(a.allows('::ffff:127.0.2.9')).toBe(true);
    expect(a.allows('bmc1.example.net')).toBe(false);
  });

  it.each([
    ['', 'is empty'],
    ['127.0.0.0/33', 'prefix length must be 0 to 32'],
    ['bmc.example/24', 'is not an address range'],
    ['fd00::/129', '0 to 128'],
  ])('%j is refused: %s', (text, message) => {
    expect(() => parseAllowList(text)).toThrow(AllowListError);
    expect(() => parseAllowList(text)).toThrow(message);
  });
});
