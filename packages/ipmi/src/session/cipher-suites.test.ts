import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, UnsupportedCipherSuiteError } from '../errors.js';
import { CIPHER_SUITES, cipherSuite, decodeCipherSuiteRecords, isSupportedCipherSuite } from './cipher-suites.js';

describe('cipher suites (IPMI v2.0 §22.15.2 Table 22-20)', () => {
  it.each([0, 1, 2, 3, 6, 7, 8, 11, 12, 15, 16, 17])('supports suite %i', (id) => {
    expect(cipherSuite(id).id).toBe(id);
    expect(isSupportedCipherSuite(id)).toBe(true);
  });

  it.each([4, 5, 9, 10, 13, 14, 18, 19])('refuses xRC4 suite %i', (id) => {
    expect(() => cipherSuite(id)).toThrow(UnsupportedCipherSuiteError);
    expect(isSupportedCipherSuite(id)).toBe(false);
  });

  it('refuses unknown ids', () => {
    expect(() => cipherSuite(20)).toThrow(UnsupportedCipherSuiteError);
    expect(() => cipherSuite(-1)).toThrow(InvalidArgumentError);
  });

  it('names suites 3 and 17 as the spec does', () => {
    expect(CIPHER_SUITES[3]).toEqual({ id: 3, authentication: 'hmac-sha1', integrity: 'hmac-sha1-96', confidentiality: 'aes-cbc-128' });
    expect(CIPHER_SUITES[17]).toEqual({ id: 17, authentication: 'hmac-sha256', integrity: 'hmac-sha256-128', confidentiality: 'aes-cbc-128' });
    expect(CIPHER_SUITES[12]).toEqual({ id: 12, authentication: 'hmac-md5', integrity: 'md5-128', confidentiality: 'aes-cbc-128' });
  });
});

describe('decodeCipherSuiteRecords (§22.15.2 Table 22-19)', () => {
  it('parses standard records with their algorithm tags', () => {
    // ipmi_sim-style list: suites 0, 1, 2, 3 each as C0 id auth|00 integ|40 conf|80.
    const data = Buffer.from('c0000040 80 c0010140 80 c0020141 80 c0030141 81'.replace(/ /g, ''), 'hex');
    expect(decodeCipherSuiteRecords(data)).toEqual([0, 1, 2, 3]);
  });

  it('skips OEM records (C1 id IANA(3) tags) and tolerates several tags per family', () => {
    const data = Buffer.from(('c0 11 03 44 81' + 'c1 50 a20200 01 41 81' + 'c0 0f 03 40 80').replace(/ /g, ''), 'hex');
    expect(decodeCipherSuiteRecords(data)).toEqual([17, 15]);
  });

  it('returns nothing for empty data', () => {
    expect(decodeCipherSuiteRecords(Buffer.alloc(0))).toEqual([]);
  });
});
