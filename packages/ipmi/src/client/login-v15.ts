import { activateSession, ActivateSessionCode } from '../commands/activate-session.js';
import type { GetChannelAuthCapabilitiesRsp } from '../commands/get-channel-auth-capabilities.js';
import { getSessionChallenge, GetSessionChallengeCode } from '../commands/get-session-challenge.js';
import { AuthenticationError, CompletionCodeError, InvalidArgumentError, isCompletionCode, TimeoutError, UnsupportedCipherSuiteError } from '../errors.js';
import { AUTH_TYPE, V15_PASSWORD_LENGTH } from '../session/auth-types.js';
import { sendCommand, type SendCommandContext } from './command-exchange.js';
import { sessionlessV15, V15ActivateFramer, V15SessionFramer } from './framers.js';
import type { AuthType15 } from './options.js';

const AUTH_TYPE_CODE: Record<AuthType15, number> = {
  none: AUTH_TYPE.none,
  md2: AUTH_TYPE.md2,
  md5: AUTH_TYPE.md5,
  password: AUTH_TYPE.password,
};

export interface V15LoginParams {
  username: string;
  password: Buffer;
  privilege: number;
  authTypes: readonly AuthType15[];
  capabilities: GetChannelAuthCapabilitiesRsp;
  random: (n: number) => Buffer;
  signal?: AbortSignal;
}

export interface V15Login {
  framer: V15SessionFramer;
  authType: AuthType15;
}

/**
 * IPMI 1.5 session activation (IPMI v2.0 §6.12.1, §22.16-22.17): choose an
 * auth type both sides allow, Get Session Challenge (names the user), then
 * Activate Session with the challenge under the temporary session id.
 */
export async function loginV15(ctx: Omit<SendCommandContext, 'framer'>, p: V15LoginParams): Promise<V15Login> {
  if (p.password.length > V15_PASSWORD_LENGTH) {
    throw new InvalidArgumentError(`IPMI 1.5 passwords are at most ${V15_PASSWORD_LENGTH} bytes`);
  }
  const offered = p.capabilities.authTypes;
  const chosen = p.authTypes.find((t) => offered[t]);
  if (!chosen) {
    throw new UnsupportedCipherSuiteError(
      [],
      undefined,
      `BMC offers none of the requested IPMI 1.5 auth types [${p.authTypes.join(', ')}]` +
        ` (it offers [${(Object.keys(offered) as AuthType15[]).filter((k) => offered[k]).join(', ')}])`,
    );
  }
  const authType = AUTH_TYPE_CODE[chosen];

  let challenge;
  try {
    challenge = await sendCommand({ ...ctx, framer: sessionlessV15 }, getSessionChallenge, { authType, username: p.username }, { signal: p.signal });
  } catch (err) {
    if (isCompletionCode(err, GetSessionChallengeCode.invalidUserName, GetSessionChallengeCode.nullUserNameNotEnabled)) {
      throw new AuthenticationError('unknown-user', 'BMC does not know this user name', { cause: err });
    }
    throw err;
  }

  const initialOutbound = p.random(4).readUInt32LE(0) >>> 0 || 1;
  let activated;
  try {
    // BMCs drop an Activate Session whose auth code does not verify, so
    // silence is the only "wrong password" answer: two sends, not the full
    // retry budget, keep that answer quick while still surviving one lost packet.
    activated = await sendCommand(
      { ...ctx, schedule: ctx.schedule.atMost(2), framer: new V15ActivateFramer(authType, challenge.temporarySessionId, p.password) },
      activateSession,
      { authType, privilege: p.privilege, challenge: challenge.challenge, initialOutboundSeq: initialOutbound },
      { signal: p.signal },
    );
  } catch (err) {
    if (err instanceof CompletionCodeError) {
      if (err.completionCode === ActivateSessionCode.privilegeExceedsLimit) {
        throw new AuthenticationError('privilege-refused', 'requested privilege exceeds what this user or channel allows', { cause: err });
      }
      if (isCompletionCode(err, ActivateSessionCode.noSessionSlot, ActivateSessionCode.noSlotForUser, ActivateSessionCode.noSlotAtPrivilege)) {
        throw err; // no session slot available: temporary, not a credential problem
      }
    }
    // A BMC that answered Get Session Challenge but not Activate Session has
    // silently discarded an auth code it could not verify: a wrong password.
    if (err instanceof TimeoutError && !p.signal?.aborted && authType !== AUTH_TYPE.none) {
      throw new AuthenticationError('wrong-password', 'BMC did not accept the Activate Session auth code (wrong password?)', { cause: err });
    }
    throw err;
  }

  const framer = new V15SessionFramer(
    activated.authType === AUTH_TYPE.none ? AUTH_TYPE.none : authType,
    activated.sessionId,
    p.password,
    activated.initialInboundSeq,
  );
  framer.requireAuth = !p.capabilities.perMessageAuthDisabled;
  return { framer, authType: chosen };
}
