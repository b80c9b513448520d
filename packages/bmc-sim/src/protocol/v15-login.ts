import { ActivateSessionCode, CompletionCode, PRIVILEGE } from '@bmc-exporter/ipmi';
import {
  AUTH_TYPE,
  BMC_SEQUENCE_RULES,
  SequenceWindow,
  V15_PASSWORD_LENGTH,
  decodeActivateSessionRequest,
  encodeActivateSessionResponse,
  nextSessionSeq,
  padV15Password,
  verifyV15AuthCode,
  type V15Packet,
} from '@bmc-exporter/ipmi/wire';
import type { CommandResult } from '../command-handler.js';
import { random32, type PendingChallenge, type ProtocolState } from './protocol-state.js';
import type { SimSession } from './session-table.js';

export interface Activation {
  /** Undefined: drop silently (bad auth code or challenge, as real BMCs do). */
  result?: CommandResult;
  /** Session sequence number of the answer's header (0 unless a session was activated). */
  sessionSeq: number;
  /** The auth type and password the answer is sent with (under the temporary id, sequence 0). */
  authType: number;
  password: Buffer;
}

/**
 * §22.17 Activate Session, arriving under the temporary id from Get Session
 * Challenge with an auth code over the packet: a wrong password, a foreign
 * auth type or a stale challenge get no answer at all.
 */
export function activateSessionRequest(
  state: ProtocolState,
  pkt: V15Packet,
  ch: PendingChallenge,
  requestData: Buffer,
  from: { address: string; port: number },
  now: number,
): Activation {
  const password = padV15Password(Buffer.from(ch.user.password, 'utf8').subarray(0, V15_PASSWORD_LENGTH));
  const drop: Activation = { authType: ch.authType, password, sessionSeq: 0 };
  if (pkt.authType !== ch.authType) return drop;
  if (ch.authType !== AUTH_TYPE.none && !verifyV15AuthCode(pkt, password)) return drop;
  const req = decodeActivateSessionRequest(requestData);
  if (req.authType !== ch.authType || !req.challenge.equals(ch.challenge)) return drop;
  const answer = (completionCode: number, data?: Buffer, sessionSeq = 0): Activation => ({
    result: { completionCode, data },
    authType: ch.authType,
    password,
    sessionSeq,
  });
  if (req.privilege < PRIVILEGE.callback || req.privilege > ch.user.maxPrivilege) return answer(ActivateSessionCode.privilegeExceedsLimit);
  if (state.table.size >= state.config.sessionLimit) return answer(ActivateSessionCode.noSessionSlot);

  state.challenges.delete(ch.temporaryId);
  const id = state.table.freshId(() => random32(state.random));
  const initialInboundSeq = random32(state.random) || 1;
  const firstOut = req.initialOutboundSeq >>> 0 || 1;
  const session: SimSession = {
    id,
    version: '1.5',
    peerId: id,
    address: from.address,
    port: from.port,
    established: true,
    user: ch.user,
    maxPrivilege: req.privilege,
    privilege: Math.min(req.privilege, PRIVILEGE.user),
    lastActivity: now,
    // §22.17: the console names our initial outbound sequence number. The Activate Session
    // answer carries it and the next packet the one after: FreeIPMI takes the answer's number
    // as the highest seen and refuses a repeat (ipmi_sim repeats it; FreeIPMI then stalls a second).
    outSeq: nextSessionSeq(firstOut),
    inbound: inboundWindow(initialInboundSeq),
    authType: ch.authType,
    password,
  };
  state.table.add(session);
  return answer(
    CompletionCode.ok,
    encodeActivateSessionResponse({ authType: ch.authType, sessionId: id, initialInboundSeq, maxPrivilege: req.privilege }),
    firstOut,
  );
}

/** The inbound window anchored just before the first number we tell the console to use. */
function inboundWindow(initialInboundSeq: number): SequenceWindow {
  const w = new SequenceWindow(BMC_SEQUENCE_RULES);
  w.anchor(initialInboundSeq - 1);
  return w;
}
