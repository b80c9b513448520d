import { CloseSessionCode, CompletionCode, GetSessionChallengeCode, PRIVILEGE, SetSessionPrivilegeCode, THIS_CHANNEL } from '@bmc-exporter/ipmi';
import {
  AUTH_TYPE,
  decodeCloseSessionRequest,
  decodeGetChannelAuthCapabilitiesRequest,
  decodeGetChannelCipherSuitesRequest,
  decodeGetSessionChallengeRequest,
  decodeSetSessionPrivilegeLevelRequest,
  encodeGetChannelAuthCapabilitiesResponse,
  encodeGetChannelCipherSuitesResponse,
  encodeGetSessionChallengeResponse,
  encodeSetSessionPrivilegeLevelResponse,
} from '@bmc-exporter/ipmi/wire';
import type { CommandResult } from '../command-handler.js';
import type { AuthType15Name } from './config.js';
import { findUser, random32, type ProtocolState } from './protocol-state.js';
import type { SimSession } from './session-table.js';

/** The LAN channel number we report (§6.3: 1 is the usual primary LAN channel). */
export const LAN_CHANNEL = 1;
/** Outstanding challenges kept at most; the oldest is forgotten first (real BMCs keep a handful). */
const MAX_CHALLENGES = 32;

/** Generic completion codes (Table 5-2), by the library's names; command-specific ones come from each command's file. */
const CC = CompletionCode;

const AUTH_TYPE_NAMES: readonly AuthType15Name[] = ['none', 'md2', 'md5', 'password'];

function ok(data: Buffer): CommandResult {
  return { completionCode: CC.ok, data };
}

/** §22.13 / §22.15: THIS_CHANNEL (0x0E) in a request means "the channel this arrived on". */
function validChannel(channel: number): boolean {
  return channel === THIS_CHANNEL || channel === LAN_CHANNEL;
}

/** §22.13: what the channel offers; the v2.0 extended data only when asked for and when RMCP+ exists. */
export function answerGetChannelAuthCapabilities(state: ProtocolState, data: Buffer): CommandResult {
  const req = decodeGetChannelAuthCapabilitiesRequest(data);
  if (!validChannel(req.channel)) return { completionCode: CC.invalidDataField };
  const c = state.config;
  const t15 = c.authTypes15 ?? [];
  const extended = req.ipmi20 && c.ipmi20;
  return ok(
    encodeGetChannelAuthCapabilitiesResponse({
      channel: LAN_CHANNEL,
      authTypes: { none: t15.includes('none'), md2: t15.includes('md2'), md5: t15.includes('md5'), password: t15.includes('password'), oem: false },
      extendedCapabilities: extended,
      kgSet: false,
      perMessageAuthDisabled: false,
      userLevelAuthDisabled: false,
      nonNullUsernames: c.users.some((u) => u.name !== ''),
      nullUsernames: c.users.some((u) => u.name === ''),
      anonymousLogin: c.users.some((u) => u.name === '' && u.password === ''),
      ipmi15Supported: c.authTypes15 !== null,
      ipmi20Supported: c.ipmi20,
      oemId: 0,
      oemAuxiliary: 0,
    }),
  );
}

/** §22.15: the offered suites as 0xC0 records, 16 bytes per list index. */
export function answerGetChannelCipherSuites(state: ProtocolState, data: Buffer): CommandResult {
  if (!state.config.ipmi20) return { completionCode: CC.invalidCommand };
  const req = decodeGetChannelCipherSuitesRequest(data);
  if (!validChannel(req.channel)) return { completionCode: CC.invalidDataField };
  // Only IPMI payloads (type 0) have suites here; "list by algorithm" gets the same records (not distinguished).
  const records = req.payloadType === 0 ? state.cipherRecords : Buffer.alloc(0);
  return ok(encodeGetChannelCipherSuitesResponse(LAN_CHANNEL, records, req.index));
}

/** §22.16: remember a random challenge for the named user under a temporary session id. */
export function answerGetSessionChallenge(state: ProtocolState, data: Buffer, now: number): CommandResult {
  if (state.config.authTypes15 === null) return { completionCode: CC.invalidCommand };
  const req = decodeGetSessionChallengeRequest(data);
  const name = AUTH_TYPE_NAMES.find((n) => AUTH_TYPE[n] === req.authType);
  if (!name || !state.config.authTypes15.includes(name)) return { completionCode: CC.invalidDataField };
  const user = findUser(state.config, req.username);
  if (!user) return { completionCode: GetSessionChallengeCode.invalidUserName };
  let temporaryId: number;
  do temporaryId = state.table.freshId(() => random32(state.random));
  while (state.challenges.has(temporaryId));
  const challenge = Buffer.from(state.random(16));
  if (state.challenges.size >= MAX_CHALLENGES) {
    const oldest = state.challenges.keys().next();
    if (!oldest.done) state.challenges.delete(oldest.value);
  }
  state.challenges.set(temporaryId, { temporaryId, user, authType: req.authType, challenge, createdAt: now });
  return ok(encodeGetSessionChallengeResponse({ temporarySessionId: temporaryId, challenge }));
}

/** §22.18: 0 reports the level; anything up to the session's negotiated maximum is granted. */
export function answerSetSessionPrivilegeLevel(s: SimSession, data: Buffer): CommandResult {
  const { privilege } = decodeSetSessionPrivilegeLevelRequest(data);
  if (privilege !== 0) {
    if (privilege > PRIVILEGE.oem) return { completionCode: CC.invalidDataField };
    const userMax = s.user?.maxPrivilege ?? s.maxPrivilege;
    if (privilege > s.maxPrivilege || privilege > userMax) return { completionCode: SetSessionPrivilegeCode.exceedsLimit };
    s.privilege = privilege;
  }
  return ok(encodeSetSessionPrivilegeLevelResponse({ privilege: s.privilege }));
}

/**
 * §22.19: closing one's own session always works; an administrator may close
 * another one. The caller removes `s` after sending the answer under its keys.
 */
export function answerCloseSession(state: ProtocolState, s: SimSession, data: Buffer): { result: CommandResult; closeOwn: boolean } {
  const { sessionId } = decodeCloseSessionRequest(data);
  if (sessionId === s.id) return { result: { completionCode: CC.ok }, closeOwn: true };
  if (sessionId !== 0 && state.table.get(sessionId) && s.privilege >= PRIVILEGE.administrator) {
    state.table.remove(sessionId, 'closed');
    return { result: { completionCode: CC.ok }, closeOwn: false };
  }
  return { result: { completionCode: CloseSessionCode.invalidSessionId }, closeOwn: false };
}

/** Session setup commands sent inside a session answer "not in this state" rather than silence. */
export const NOT_IN_SESSION: CommandResult = { completionCode: CC.notSupportedInPresentState };
