import { timingSafeEqual } from 'node:crypto';
import { CIPHER_SUITES, PRIVILEGE, isSupportedCipherSuite, type CipherSuite } from '@bmc-exporter/ipmi';
import {
  BMC_SEQUENCE_RULES,
  RAKP1_NAME_ONLY_LOOKUP,
  RAKP1_ROLE_PRIVILEGE_MASK,
  RmcpPlusStatus,
  SequenceWindow,
  decodeOpenSessionRequest,
  decodeRakp1,
  decodeRakp3,
  deriveSessionKeys,
  deriveSik,
  encodeOpenSessionRefusal,
  encodeOpenSessionResponse,
  encodeRakp2,
  encodeRakp2Refusal,
  encodeRakp3Or4,
  padKey20,
  rakp2AuthCode,
  rakp3AuthCode,
  rakp4Icv,
  suiteAlgorithms,
  type OpenSessionRequest,
} from '@bmc-exporter/ipmi/wire';
import { findUser, random32, type ProtocolState } from './protocol-state.js';
import type { SimSession } from './session-table.js';

/** A handshake answer: the payload to send in a sessionless RMCP+ packet of `payloadType`. */
export interface HandshakeReply {
  payload: Buffer;
}

function offeredSuite(state: ProtocolState, m: OpenSessionRequest): CipherSuite | undefined {
  for (const id of state.config.cipherSuites) {
    const s = CIPHER_SUITES[id];
    if (!s || !isSupportedCipherSuite(id)) continue;
    const a = suiteAlgorithms(s);
    if (a.authentication === m.authentication && a.integrity === m.integrity && a.confidentiality === m.confidentiality) return s;
  }
  return undefined;
}

/**
 * §13.17-13.18 Open Session: take the proposed algorithms if they form an
 * offered suite (0x11 otherwise), hold a session slot (0x01 when full).
 */
export function openSession(state: ProtocolState, payload: Buffer, from: { address: string; port: number }, now: number): HandshakeReply {
  const m = decodeOpenSessionRequest(payload);
  // A retransmitted request (our answer was lost) gets the same answer, not a second slot.
  for (const s of state.table.all()) {
    const h = s.handshake;
    if (
      h &&
      !s.established &&
      !h.exchange &&
      s.peerId === m.consoleSessionId &&
      s.address === from.address &&
      s.port === from.port &&
      h.messageTag === m.messageTag
    ) {
      return { payload: h.openSessionResponse };
    }
  }
  const refuse = (status: number) => ({
    payload: encodeOpenSessionRefusal({ messageTag: m.messageTag, status, consoleSessionId: m.consoleSessionId }),
  });
  if (m.consoleSessionId === 0 || m.privilege > PRIVILEGE.oem) return refuse(RmcpPlusStatus.illegalParameter);
  const suite = offeredSuite(state, m);
  if (!suite) return refuse(RmcpPlusStatus.noCipherSuiteMatch);
  if (state.table.size >= state.config.sessionLimit) return refuse(RmcpPlusStatus.insufficientResources);

  // §13.17: privilege 0 asks for "the highest level matching the proposed algorithms": administrator here.
  const openPrivilege = m.privilege === 0 ? PRIVILEGE.administrator : m.privilege;
  const id = state.table.freshId(() => random32(state.random));
  const response = encodeOpenSessionResponse({
    messageTag: m.messageTag,
    status: 0,
    privilege: openPrivilege,
    consoleSessionId: m.consoleSessionId,
    bmcSessionId: id,
    ...suiteAlgorithms(suite),
  });
  const session: SimSession = {
    id,
    version: '2.0',
    peerId: m.consoleSessionId,
    address: from.address,
    port: from.port,
    established: false,
    maxPrivilege: 0,
    privilege: 0,
    lastActivity: now,
    outSeq: 1,
    inbound: new SequenceWindow(BMC_SEQUENCE_RULES),
    handshake: { suite, messageTag: m.messageTag, openPrivilege, openSessionResponse: response },
  };
  state.table.add(session);
  return { payload: response };
}

/**
 * §13.20-13.21 RAKP 1 -> 2: find the user (0x0D if unknown), check the
 * requested role against its maximum (0x09), prove the password with an
 * HMAC keyed by it. Refusals free the slot. Unknown BMC session: silence.
 */
export function rakp1(state: ProtocolState, payload: Buffer, now: number): HandshakeReply | undefined {
  const m = decodeRakp1(payload);
  const s = state.table.get(m.bmcSessionId);
  const h = s?.handshake;
  if (!s || !h || s.established) return undefined;
  if (h.rakp1 && h.rakp2Response && h.rakp1.equals(payload)) return { payload: h.rakp2Response };
  s.lastActivity = now;

  const refuse = (status: number) => {
    state.table.remove(s.id, 'failed');
    return { payload: encodeRakp2Refusal({ messageTag: m.messageTag, status, consoleSessionId: s.peerId }) };
  };
  const requested = m.role & RAKP1_ROLE_PRIVILEGE_MASK;
  if (requested < PRIVILEGE.callback || requested > PRIVILEGE.oem) return refuse(RmcpPlusStatus.invalidRole);
  const name = m.username.toString('utf8');
  const nameOnly = (m.role & RAKP1_NAME_ONLY_LOOKUP) !== 0;
  // Name-only lookup finds the account and then judges the role; name+privilege lookup
  // only finds an account that holds the role, so a too-high role reads as an unknown name.
  const user = findUser(state.config, name, nameOnly ? 0 : requested);
  if (!user) return refuse(RmcpPlusStatus.unauthorizedName);
  if (requested > user.maxPrivilege) return refuse(RmcpPlusStatus.invalidRole);

  const exchange = {
    suite: h.suite,
    consoleSessionId: s.peerId,
    bmcSessionId: s.id,
    consoleRandom: m.consoleRandom,
    bmcRandom: Buffer.from(state.random(16)),
    bmcGuid: state.config.guid,
    role: state.config.quirks?.rakpOpenSessionPrivilege ? h.openPrivilege : m.role,
    username: m.username,
  };
  const rakp2 = encodeRakp2({
    messageTag: m.messageTag,
    status: 0,
    consoleSessionId: s.peerId,
    bmcRandom: exchange.bmcRandom,
    bmcGuid: exchange.bmcGuid,
    authCode: rakp2AuthCode(exchange, Buffer.from(user.password, 'utf8')),
  });
  s.user = user;
  s.maxPrivilege = requested;
  h.exchange = exchange;
  h.rakp1 = Buffer.from(payload);
  h.rakp2Response = rakp2;
  return { payload: rakp2 };
}

/**
 * §13.22-13.23 RAKP 3 -> 4: verify the console's HMAC (0x0F and the session
 * is gone on mismatch: a wrong password), derive SIK/K1/K2 (§13.31-13.32,
 * 20-byte constant as ipmitool/FreeIPMI expect), answer with the ICV.
 */
export function rakp3(state: ProtocolState, payload: Buffer, now: number): HandshakeReply | undefined {
  const m = decodeRakp3(payload);
  const s = state.table.get(m.sessionId);
  const h = s?.handshake;
  const x = h?.exchange;
  if (!s || !h || !x || !s.user) return undefined;
  if (s.established) return h.rakp4Response ? { payload: h.rakp4Response } : undefined;
  if (m.status !== 0) {
    // The console gave up (it could not verify our RAKP2): no answer, free the slot.
    state.table.remove(s.id, 'failed');
    return undefined;
  }
  const password = Buffer.from(s.user.password, 'utf8');
  const want = rakp3AuthCode(x, password);
  if (m.authCode.length !== want.length || !timingSafeEqual(m.authCode, want)) {
    state.table.remove(s.id, 'failed');
    return {
      payload: encodeRakp3Or4({ messageTag: m.messageTag, status: RmcpPlusStatus.invalidIntegrityCheckValue, sessionId: s.peerId, authCode: Buffer.alloc(0) }),
    };
  }
  const sik = deriveSik(x.suite, password, x.consoleRandom, x.bmcRandom, x.role, x.username);
  s.keys = deriveSessionKeys(x.suite, sik, { constantLength: 20, password: padKey20(password) });
  // Sessions start at USER (or lower if that is all that was asked); Set Session Privilege Level raises them.
  s.privilege = Math.min(s.maxPrivilege, PRIVILEGE.user);
  s.lastActivity = now;
  h.rakp4Response = encodeRakp3Or4({ messageTag: m.messageTag, status: 0, sessionId: s.peerId, authCode: rakp4Icv(x, sik) });
  state.table.established(s);
  return { payload: h.rakp4Response };
}
