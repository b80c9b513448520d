import { readCipherSuites } from '../commands/get-channel-cipher-suites.js';
import type { Execute } from '../commands/command.js';
import { UnsupportedCipherSuiteError } from '../errors.js';
import { RMCP_CLASS, RMCP_HEADER_LENGTH } from '../rmcp/rmcp.js';
import { cipherSuite, type CipherSuite } from '../session/cipher-suites.js';
import { RmcpPlusHandshake } from '../session/rakp-handshake.js';
import { peekSessionHeader } from '../session/session-packet.js';
import { decodeV20Packet, PAYLOAD_TYPE } from '../session/v20-packet.js';
import { reportStep, sendCommand, type SendCommandContext } from './command-exchange.js';
import { Drop } from './exchanger.js';
import { sessionlessV15, V20SessionFramer } from './framers.js';
import type { ClientLogger } from './options.js';

export interface V20LoginParams {
  username: string;
  password: Buffer;
  kg?: Buffer;
  privilege: number;
  /** Pinned suites (tried in order), or undefined to discover and use `preference`. */
  pinned?: readonly number[];
  preference: readonly number[];
  /**
   * A suite of `preference` that this BMC accepted before: tried first, with
   * no discovery. Refused (or an id not in `preference`), the login discovers
   * as without it. Ignored when suites are pinned.
   */
  hint?: number;
  random: (n: number) => Buffer;
  logger?: ClientLogger;
  signal?: AbortSignal;
}

export interface V20Login {
  framer: V20SessionFramer;
  suite: CipherSuite;
}

type LoginContext = Omit<SendCommandContext, 'framer'>;

/** Which suites to try, in order: pinned as given; else the preference filtered by what the BMC lists (empty: none fits). */
async function chooseSuites(ctx: LoginContext, p: V20LoginParams): Promise<{ ids: number[]; offered?: number[] }> {
  if (p.pinned && p.pinned.length > 0) return { ids: [...p.pinned] };
  // IPMI 1.5 framing, as for Get Channel Authentication Capabilities: every
  // BMC that talks to ipmitool answers it before a session, while some
  // (ipmi_sim among them) ignore the same request in sessionless RMCP+ framing.
  // Two sends at most: without discovery we still try the preferred suites,
  // and a BMC refuses an unsupported one with a status code, not silence.
  const execute: Execute = (cmd, req, o) =>
    sendCommand({ ...ctx, schedule: ctx.schedule.atMost(2), framer: sessionlessV15 }, cmd, req, {
      signal: o?.signal ?? p.signal,
    });
  let offered: number[] | undefined;
  try {
    offered = await readCipherSuites(execute);
  } catch (err) {
    // Not every BMC implements Get Channel Cipher Suites; fall back to trying our preference.
    if (p.signal?.aborted) throw err;
    p.logger?.debug({ error: String(err) }, 'cipher suite discovery failed; trying preferred suites in order');
  }
  if (!offered || offered.length === 0) return { ids: [...p.preference] };
  return { ids: p.preference.filter((id) => offered.includes(id)), offered };
}

/**
 * RMCP+ session establishment (IPMI v2.0 §13.15-13.31): Open Session, then
 * RAKP 1-4, each step retransmitted unchanged on silence. Suites are tried in
 * order; only "unsupported algorithm" moves on to the next one — a credential
 * failure is final (retrying would only lock the account). When no suite is
 * left (the BMC lists none we support, or refused each), the result is the
 * UnsupportedCipherSuiteError, returned, not thrown: the caller decides
 * whether that means IPMI 1.5 or a refusal.
 */
export async function loginV20(ctx: LoginContext, p: V20LoginParams): Promise<V20Login | UnsupportedCipherSuiteError> {
  const hint = p.hint;
  if (hint !== undefined && !(p.pinned && p.pinned.length > 0) && p.preference.includes(hint)) {
    // What discovery found last time, without its exchanges (one per 16 bytes of
    // the BMC's list). Only "unsupported algorithm" sends us on to discovery: any
    // other failure is the login's, as it would be for the discovered suite.
    try {
      return await handshake(ctx, p, cipherSuite(hint));
    } catch (err) {
      if (!(err instanceof UnsupportedCipherSuiteError)) throw err;
      p.logger?.debug({ cipherSuite: hint }, 'BMC refused the cipher suite of its last session; discovering its suites');
    }
  }
  const { ids, offered } = await chooseSuites(ctx, p);
  if (ids.length === 0) return new UnsupportedCipherSuiteError(p.preference, offered);
  let lastUnsupported: UnsupportedCipherSuiteError | undefined;
  for (const id of ids) {
    let suite: CipherSuite;
    try {
      suite = cipherSuite(id);
    } catch (err) {
      if (err instanceof UnsupportedCipherSuiteError) {
        lastUnsupported = err;
        continue;
      }
      throw err;
    }
    try {
      return await handshake(ctx, p, suite);
    } catch (err) {
      if (err instanceof UnsupportedCipherSuiteError) {
        p.logger?.debug({ cipherSuite: id }, 'BMC refused cipher suite; trying the next');
        lastUnsupported = err;
        continue;
      }
      throw err;
    }
  }
  return new UnsupportedCipherSuiteError(ids, lastUnsupported?.offered);
}

async function handshake(ctx: LoginContext, p: V20LoginParams, suite: CipherSuite): Promise<V20Login> {
  const consoleSessionId = p.random(4).readUInt32LE(0) >>> 0 || 1;
  const hs = new RmcpPlusHandshake({
    suite,
    username: p.username,
    password: p.password,
    kg: p.kg,
    privilege: p.privilege,
    consoleSessionId,
    random: p.random,
  });
  const steps = ctx.setupSteps;
  await reportStep(steps, 'Open Session', () =>
    step(ctx, p, 'Open Session', hs.openSessionRequest(), PAYLOAD_TYPE.openSessionResponse, (pl) => hs.acceptOpenSessionResponse(pl)),
  );
  await reportStep(steps, 'RAKP 1', () => step(ctx, p, 'RAKP 1', hs.rakp1(), PAYLOAD_TYPE.rakp2, (pl) => hs.acceptRakp2(pl)));
  await reportStep(steps, 'RAKP 3', () => step(ctx, p, 'RAKP 3', hs.rakp3(), PAYLOAD_TYPE.rakp4, (pl) => hs.acceptRakp4(pl)));
  return { framer: new V20SessionFramer(hs.keys, hs.bmcSessionId, hs.consoleSessionId), suite };
}

/** Send one handshake message and wait for the answer of the expected payload type that the handshake accepts. */
async function step(
  ctx: LoginContext,
  p: V20LoginParams,
  name: string,
  datagram: Buffer,
  expectedPayloadType: number,
  accept: (payload: Buffer) => 'ok' | 'mismatch',
): Promise<void> {
  const acceptor = (d: Buffer): true | Drop => {
    if (d[3] !== RMCP_CLASS.ipmi) return new Drop('no-match');
    const body = d.subarray(RMCP_HEADER_LENGTH);
    const h = peekSessionHeader(body);
    if (h.format !== 'v2.0' || h.payloadType !== expectedPayloadType) return new Drop('no-match');
    const { payload } = decodeV20Packet(body);
    return accept(payload) === 'ok' ? true : new Drop('no-match');
  };
  // The same message on every send: a handshake step carries no sequence number of its own.
  await ctx.exchanger.roundTrip(datagram, acceptor, ctx.schedule, name, p.signal);
}
