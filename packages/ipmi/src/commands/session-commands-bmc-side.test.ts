import { describe, expect, it } from 'vitest';
import { decodeCipherSuiteRecords, encodeCipherSuiteRecords } from '../session/cipher-suites.js';
import { activateSession, decodeActivateSessionRequest, encodeActivateSessionResponse } from './activate-session.js';
import { closeSession, decodeCloseSessionRequest } from './close-session.js';
import {
  decodeGetChannelAuthCapabilitiesRequest,
  encodeGetChannelAuthCapabilitiesResponse,
  getChannelAuthCapabilities,
} from './get-channel-auth-capabilities.js';
import { decodeGetChannelCipherSuitesRequest, encodeGetChannelCipherSuitesResponse, getChannelCipherSuites } from './get-channel-cipher-suites.js';
import { decodeGetSessionChallengeRequest, encodeGetSessionChallengeResponse, getSessionChallenge } from './get-session-challenge.js';
import { decodeSetSessionPrivilegeLevelRequest, encodeSetSessionPrivilegeLevelResponse, setSessionPrivilegeLevel } from './set-session-privilege-level.js';

// The BMC-side halves (decode request, encode response) must be exact inverses
// of the console-side codecs the client already proved against real peers.
describe('session-setup commands, BMC side', () => {
  it('Get Channel Authentication Capabilities round-trips', () => {
    expect(decodeGetChannelAuthCapabilitiesRequest(getChannelAuthCapabilities.encode({ privilege: 4 }))).toEqual({ ipmi20: true, channel: 0x0e, privilege: 4 });
    const rsp = {
      channel: 1,
      authTypes: { none: false, md2: true, md5: true, password: true, oem: false },
      extendedCapabilities: true,
      kgSet: false,
      perMessageAuthDisabled: false,
      userLevelAuthDisabled: false,
      nonNullUsernames: true,
      nullUsernames: false,
      anonymousLogin: false,
      ipmi15Supported: true,
      ipmi20Supported: true,
      oemId: 0,
      oemAuxiliary: 0,
    };
    const bytes = encodeGetChannelAuthCapabilitiesResponse(rsp);
    // §22.13: channel 1, md2/md5/password + extended bit, non-null names, v1.5 + v2.0
    expect(bytes.toString('hex')).toBe('0196040300000000');
    expect(getChannelAuthCapabilities.decode(bytes)).toEqual(rsp);
  });

  it('Get Channel Cipher Suites pages records 16 bytes per index', () => {
    const records = encodeCipherSuiteRecords([0, 1, 2, 3, 17]);
    expect(records.subarray(15, 20).toString('hex')).toBe('c003014181');
    expect(decodeCipherSuiteRecords(records)).toEqual([0, 1, 2, 3, 17]);
    expect(decodeGetChannelCipherSuitesRequest(getChannelCipherSuites.encode({ index: 1 }))).toEqual({
      channel: 0x0e,
      payloadType: 0,
      index: 1,
      bySuite: true,
    });
    const first = getChannelCipherSuites.decode(encodeGetChannelCipherSuitesResponse(1, records, 0));
    const second = getChannelCipherSuites.decode(encodeGetChannelCipherSuitesResponse(1, records, 1));
    expect(first.recordData.length).toBe(16);
    expect(Buffer.concat([first.recordData, second.recordData])).toEqual(records);
  });

  it('Get Session Challenge strips the name padding', () => {
    expect(decodeGetSessionChallengeRequest(getSessionChallenge.encode({ authType: 2, username: 'admin' }))).toEqual({ authType: 2, username: 'admin' });
    const challenge = Buffer.alloc(16, 0xab);
    expect(getSessionChallenge.decode(encodeGetSessionChallengeResponse({ temporarySessionId: 0x01020304, challenge }))).toEqual({
      temporarySessionId: 0x01020304,
      challenge,
    });
  });

  it('Activate Session round-trips', () => {
    const req = { authType: 2, privilege: 4, challenge: Buffer.alloc(16, 7), initialOutboundSeq: 0x11223344 };
    expect(decodeActivateSessionRequest(activateSession.encode(req))).toEqual(req);
    const rsp = { authType: 2, sessionId: 0xdeadbeef, initialInboundSeq: 5, maxPrivilege: 4 };
    expect(activateSession.decode(encodeActivateSessionResponse(rsp))).toEqual(rsp);
  });

  it('Set Session Privilege Level and Close Session round-trip', () => {
    expect(decodeSetSessionPrivilegeLevelRequest(setSessionPrivilegeLevel.encode({ privilege: 3 }))).toEqual({ privilege: 3 });
    expect(setSessionPrivilegeLevel.decode(encodeSetSessionPrivilegeLevelResponse({ privilege: 3 }))).toEqual({ privilege: 3 });
    expect(decodeCloseSessionRequest(closeSession.encode({ sessionId: 0x1234 }))).toEqual({ sessionId: 0x1234 });
    expect(decodeCloseSessionRequest(Buffer.from([0, 0, 0, 0, 9]))).toEqual({ sessionId: 0, sessionHandle: 9 });
  });
});
