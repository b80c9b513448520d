/**
 * Session-setup commands, checked against the request/response data bytes of
 * fixtures/captures/lan-md5-mc-info.json and lanplus-c3-mc-info.json
 * (ipmitool 1.8.19 <-> ipmi_sim 2.0.33).
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, MalformedPacketError } from '../errors.js';
import { activateSession } from './activate-session.js';
import { closeSession } from './close-session.js';
import type { Command, Execute } from './command.js';
import { getChannelAuthCapabilities } from './get-channel-auth-capabilities.js';
import { getChannelCipherSuites, readCipherSuites } from './get-channel-cipher-suites.js';
import { getSessionChallenge } from './get-session-challenge.js';
import { setSessionPrivilegeLevel } from './set-session-privilege-level.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');

describe('Get Channel Authentication Capabilities (§22.13)', () => {
  it('encodes like ipmitool: channel 0x0E, bit 7 for v2.0 data', () => {
    expect(getChannelAuthCapabilities.encode({ privilege: 4 })).toEqual(hex('8e 04'));
    expect(getChannelAuthCapabilities.encode({ privilege: 4, ipmi20: false })).toEqual(hex('0e 04'));
    expect([getChannelAuthCapabilities.netFn, getChannelAuthCapabilities.cmd]).toEqual([0x06, 0x38]);
  });

  it.each([
    ['ipmi_sim answering a v2.0 query', '01 97 04 03 000000 00', { ipmi20Supported: true, ipmi15Supported: true, extendedCapabilities: true }],
    ['ipmi_sim answering a v1.5 query', '01 17 04 00 000000 00', { ipmi20Supported: false, ipmi15Supported: true, extendedCapabilities: false }],
  ])('decodes %s', (_n, data, ext) => {
    expect(getChannelAuthCapabilities.decode(hex(data))).toEqual({
      channel: 1,
      authTypes: { none: true, md2: true, md5: true, password: true, oem: false },
      kgSet: false,
      perMessageAuthDisabled: false,
      userLevelAuthDisabled: false,
      nonNullUsernames: true,
      nullUsernames: false,
      anonymousLogin: false,
      oemId: 0,
      oemAuxiliary: 0,
      ...ext,
    });
  });

  it('decodes every flag bit and the OEM id', () => {
    const d = getChannelAuthCapabilities.decode(hex('02 a4 3b 02 a20200 07'));
    expect(d).toMatchObject({
      authTypes: { none: false, md2: false, md5: true, password: false, oem: true },
      kgSet: true,
      perMessageAuthDisabled: true,
      userLevelAuthDisabled: true,
      nonNullUsernames: false,
      nullUsernames: true,
      anonymousLogin: true,
      ipmi15Supported: false,
      ipmi20Supported: true,
      oemId: 0x2a2,
      oemAuxiliary: 7,
    });
  });

  it('rejects a truncated response', () => {
    expect(() => getChannelAuthCapabilities.decode(hex('01 97 04'))).toThrow(MalformedPacketError);
  });
});

describe('Get Session Challenge (§22.16)', () => {
  it('round-trips the captured MD5 exchange', () => {
    expect(getSessionChallenge.encode({ authType: 2, username: 'admin' })).toEqual(hex('02 61646d696e 0000000000000000000000'));
    expect(getSessionChallenge.decode(hex('05000000 fdbb88dabbabe17e70cae6bb894bc660'))).toEqual({
      temporarySessionId: 5,
      challenge: hex('fdbb88dabbabe17e70cae6bb894bc660'),
    });
  });

  it('rejects a user name over 16 bytes', () => {
    expect(() => getSessionChallenge.encode({ authType: 2, username: 'x'.repeat(17) })).toThrow(InvalidArgumentError);
  });
});

describe('Activate Session (§22.17)', () => {
  it('round-trips the captured MD5 exchange', () => {
    expect(activateSession.encode({ authType: 2, privilege: 4, challenge: hex('fdbb88dabbabe17e70cae6bb894bc660'), initialOutboundSeq: 0xb48d0f14 })).toEqual(
      hex('02 04 fdbb88dabbabe17e70cae6bb894bc660 140f8db4'),
    );
    expect(activateSession.decode(hex('02 82030000 a8f0f46d 04'))).toEqual({
      authType: 2,
      sessionId: 0x382,
      initialInboundSeq: 0x6df4f0a8,
      maxPrivilege: 4,
    });
  });

  it('rejects a challenge that is not 16 bytes', () => {
    expect(() => activateSession.encode({ authType: 2, privilege: 4, challenge: Buffer.alloc(15), initialOutboundSeq: 1 })).toThrow(InvalidArgumentError);
  });
});

describe('Set Session Privilege Level (§22.18) and Close Session (§22.19)', () => {
  it('round-trips the captured bytes', () => {
    expect(setSessionPrivilegeLevel.encode({ privilege: 4 })).toEqual(hex('04'));
    expect(setSessionPrivilegeLevel.decode(hex('04'))).toEqual({ privilege: 4 });
    expect(closeSession.encode({ sessionId: 0x382 })).toEqual(hex('82030000'));
    expect(closeSession.decode(Buffer.alloc(0))).toBeUndefined();
    expect([setSessionPrivilegeLevel.cmd, closeSession.cmd]).toEqual([0x3b, 0x3c]);
  });
});

describe('Get Channel Cipher Suites (§22.15)', () => {
  it('asks for records by cipher suite at a list index', () => {
    expect(getChannelCipherSuites.encode({ index: 2 })).toEqual(hex('0e 00 82'));
    expect(getChannelCipherSuites.decode(hex('01 c0 03 01 41 81'))).toEqual({ channel: 1, recordData: hex('c0 03 01 41 81') });
  });

  it('readCipherSuites walks indexes until a short chunk and joins records split across chunks', async () => {
    // Records for suites 0,1,2,3,17 (22 bytes): the first chunk is a full 16 bytes, ending mid-record.
    const records = hex('c0 00 00 40 80 c0 01 01 40 80 c0 02 01 41 80 c0 03 01 41 81 c0 11 03 44 81');
    const asked: number[] = [];
    const execute = (async (cmd: Command<{ index: number }, unknown>, req: { index: number }) => {
      expect(cmd).toBe(getChannelCipherSuites);
      asked.push(req.index);
      return { channel: 1, recordData: records.subarray(req.index * 16, req.index * 16 + 16) };
    }) as unknown as Execute;
    expect(await readCipherSuites(execute)).toEqual([0, 1, 2, 3, 17]);
    expect(asked).toEqual([0, 1]);
  });

  it('stops after index 63 even if every chunk is full', async () => {
    let calls = 0;
    const execute = (async () => {
      calls++;
      return { channel: 1, recordData: Buffer.alloc(16, 0x40) };
    }) as unknown as Execute;
    expect(await readCipherSuites(execute)).toEqual([]);
    expect(calls).toBe(64);
  });
});
