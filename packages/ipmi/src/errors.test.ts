import { describe, expect, it } from 'vitest';
import {
  COMPLETION_CODES,
  CompletionCode,
  isCompletionCode,
  AbortedError,
  AuthenticationError,
  ClientClosedError,
  CompletionCodeError,
  completionCodeName,
  IntegrityError,
  InvalidArgumentError,
  IpmiError,
  MalformedPacketError,
  SdrIncompleteError,
  SessionBackoffError,
  SessionError,
  TimeoutError,
  TransportError,
  UnsupportedCipherSuiteError,
} from './errors.js';

describe('every error has a stable code, its own name and a temporary flag', () => {
  it.each([
    [new TimeoutError('t'), 'IPMI_TIMEOUT', 'TimeoutError', true],
    [new AbortedError('a'), 'IPMI_ABORTED', 'AbortedError', true],
    [new ClientClosedError('c'), 'IPMI_CLIENT_CLOSED', 'ClientClosedError', false],
    [new AuthenticationError('wrong-password', 'w'), 'IPMI_AUTH_FAILED', 'AuthenticationError', false],
    [new UnsupportedCipherSuiteError([17], [3]), 'IPMI_UNSUPPORTED_CIPHER_SUITE', 'UnsupportedCipherSuiteError', false],
    [new SessionError('s', 0x01, { temporary: true }), 'IPMI_SESSION_FAILED', 'SessionError', true],
    [new SessionError('s', 0x12), 'IPMI_SESSION_FAILED', 'SessionError', false],
    [new MalformedPacketError('m', { want: 4, got: 2 }), 'IPMI_MALFORMED', 'MalformedPacketError', false],
    [new IntegrityError('i'), 'IPMI_INTEGRITY', 'IntegrityError', false],
    [new InvalidArgumentError('x'), 'IPMI_INVALID_ARGUMENT', 'InvalidArgumentError', false],
    [new TransportError('t'), 'IPMI_TRANSPORT', 'TransportError', true],
    [new SdrIncompleteError('cycle', 'c'), 'IPMI_SDR_INCOMPLETE', 'SdrIncompleteError', false],
    [new SessionBackoffError('b', 5000), 'IPMI_SESSION_BACKOFF', 'SessionBackoffError', true],
    [new CompletionCodeError('Get SDR', 0xc5), 'IPMI_COMPLETION_CODE', 'CompletionCodeError', true],
    [new CompletionCodeError('Get Sensor Reading', 0xcb), 'IPMI_COMPLETION_CODE', 'CompletionCodeError', false],
  ] as const)('%s', (err, code, name, temporary) => {
    expect(err).toBeInstanceOf(IpmiError);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe(code);
    expect(err.name).toBe(name);
    expect(err.temporary).toBe(temporary);
  });
});

describe('CompletionCodeError', () => {
  it('names the command, the code and its meaning', () => {
    const e = new CompletionCodeError('Get SDR', 0xca);
    expect(e.message).toBe('Get SDR: completion code 0xca (Cannot return number of requested data bytes)');
    expect(e.completionCode).toBe(0xca);
    expect(e.command).toBe('Get SDR');
  });

  it('names unknown and command-specific codes without inventing a meaning', () => {
    expect(completionCodeName(0x81)).toBe('Unknown completion code 0x81');
    expect(completionCodeName(0xd4)).toBe('Insufficient privilege level');
  });
});

describe('CompletionCode and isCompletionCode', () => {
  it('every named code has its meaning in the table, and each number has one name', () => {
    const numbers = Object.values(CompletionCode);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const code of numbers) expect(completionCodeName(code)).not.toMatch(/^Unknown/);
    expect(
      Object.keys(COMPLETION_CODES)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([...numbers].sort((a, b) => a - b));
  });

  it('is true only for a CompletionCodeError carrying one of the codes', () => {
    const notPresent = new CompletionCodeError('Get SDR', CompletionCode.notPresent);
    expect(isCompletionCode(notPresent, CompletionCode.notPresent)).toBe(true);
    expect(isCompletionCode(notPresent, CompletionCode.invalidCommand, CompletionCode.notPresent)).toBe(true);
    expect(isCompletionCode(notPresent, CompletionCode.invalidCommand)).toBe(false);
    expect(isCompletionCode(notPresent)).toBe(false);
    expect(isCompletionCode(new Error('completion code 0xcb'), CompletionCode.notPresent)).toBe(false);
    expect(isCompletionCode({ completionCode: CompletionCode.notPresent }, CompletionCode.notPresent)).toBe(false);
  });

  it('marks busy, timeout, cancelled reservations and initialising as temporary', () => {
    const temporary = Object.values(CompletionCode).filter((c) => new CompletionCodeError('x', c).temporary);
    expect(temporary.sort((a, b) => a - b)).toEqual([0xc0, 0xc3, 0xc5, 0xce, 0xd0, 0xd1, 0xd2]);
  });
});

describe('UnsupportedCipherSuiteError', () => {
  it('says what was asked for and what the BMC offers', () => {
    const e = new UnsupportedCipherSuiteError([17], [0, 1, 2, 3]);
    expect(e.message).toBe('BMC supports none of the requested cipher suites [17] (it offers [0, 1, 2, 3])');
    expect(e.requested).toEqual([17]);
    expect(e.offered).toEqual([0, 1, 2, 3]);
  });
});

describe('AuthenticationError', () => {
  it('keeps which credential was refused', () => {
    for (const reason of ['unknown-user', 'wrong-password', 'privilege-refused', 'unknown'] as const) {
      expect(new AuthenticationError(reason, 'x').reason).toBe(reason);
    }
  });
});
