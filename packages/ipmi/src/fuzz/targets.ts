import { createCipheriv, createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import {
  CIPHER_SUITES,
  SEL_CATEGORIES,
  SEL_SEVERITIES,
  activateSession,
  cipherSuite,
  closeSession,
  convertReading,
  dcmiGetCapabilities,
  dcmiGetPowerReading,
  dcmiGetSupportedCapabilities,
  decodeSdrRecord,
  decodeSelRecord,
  describeEvent,
  encodeSelRecord,
  formatGuidAsIpmitool,
  fruSummary,
  getChannelAuthCapabilities,
  getChannelCipherSuites,
  getChassisStatus,
  getDeviceId,
  getFruInventoryAreaInfo,
  getSdr,
  getSdrRepositoryInfo,
  getSelEntry,
  getSelInfo,
  getSelTime,
  getSensorReading,
  getSensorReadingFactors,
  getSessionChallenge,
  getSessionInfo,
  getSystemGuid,
  interpretReading,
  isSupportedCipherSuite,
  parseFru,
  readFruData,
  reserveSdrRepository,
  reserveSel,
  sensorsFromSdr,
  setSessionPrivilegeLevel,
  type CipherSuite,
  type Command,
  type ConversionFactors,
  type SdrRecord,
} from '@bmc-exporter/ipmi';
import {
  AUTH_TYPE,
  RMCP_CLASS,
  RmcpPlusHandshake,
  buildFru,
  decodeActivateSessionRequest,
  decodeAsfPresencePing,
  decodeAsfPresencePong,
  decodeCipherSuiteRecords,
  decodeCloseSessionRequest,
  decodeDcmiGetCapabilitiesRequest,
  decodeDcmiGetPowerReadingRequest,
  decodeGetChannelAuthCapabilitiesRequest,
  decodeGetChannelCipherSuitesRequest,
  decodeGetFruInventoryAreaInfoRequest,
  decodeGetSdrRequest,
  decodeGetSelEntryRequest,
  decodeGetSensorReadingFactorsRequest,
  decodeGetSensorReadingRequest,
  decodeGetSessionChallengeRequest,
  decodeLanRequest,
  decodeLanResponse,
  decodeOpenSessionRequest,
  decodeOpenSessionResponse,
  decodeRakp1,
  decodeRakp2,
  decodeRakp3,
  decodeRakp3Or4,
  decodeReadFruDataRequest,
  decodeRmcp,
  decodeSetSessionPrivilegeLevelRequest,
  decodeV15Packet,
  decodeV20Packet,
  deriveSessionKeys,
  deriveSik,
  encodeActivateSessionResponse,
  encodeAsfPresencePing,
  encodeAsfPresencePong,
  encodeCipherSuiteRecords,
  encodeCompactSensorRecord,
  encodeDcmiGetCapabilitiesResponse,
  encodeDcmiGetPowerReadingResponse,
  encodeEventOnlyRecord,
  encodeFullSensorRecord,
  encodeGetChannelAuthCapabilitiesResponse,
  encodeGetChannelCipherSuitesResponse,
  encodeGetChassisStatusResponse,
  encodeGetDeviceIdResponse,
  encodeGetFruInventoryAreaInfoResponse,
  encodeGetSdrRepositoryInfoResponse,
  encodeGetSdrResponse,
  encodeGetSelEntryResponse,
  encodeGetSelInfoResponse,
  encodeGetSelTimeResponse,
  encodeGetSensorReadingFactorsResponse,
  encodeGetSensorReadingResponse,
  encodeGetSessionChallengeResponse,
  encodeGetSystemGuidResponse,
  encodeLanRequest,
  encodeLanResponse,
  encodeMcDeviceLocatorRecord,
  encodeOpenSessionRefusal,
  encodeOpenSessionRequest,
  encodeOpenSessionResponse,
  encodeRakp1,
  encodeRakp2,
  encodeRakp2Refusal,
  encodeRakp3Or4,
  encodeReadFruDataResponse,
  encodeReserveSdrRepositoryResponse,
  encodeReserveSelResponse,
  encodeRmcp,
  encodeSetSessionPrivilegeLevelResponse,
  encodeV15Packet,
  encodeV20Packet,
  padKey20,
  peekSessionHeader,
  rakp2AuthCode,
  rakp4Icv,
  suiteAlgorithms,
  verifyV15AuthCode,
  type SessionKeys,
} from '@bmc-exporter/ipmi/wire';
import { checkText, target, type FuzzTarget } from './harness.js';
import { applyMutation, mutationArb } from './mutate.js';

// ---------------------------------------------------------------- helpers

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytesOf = (minLength: number, maxLength = minLength) => fc.uint8Array({ minLength, maxLength });
const buf = (minLength: number, maxLength = minLength) => bytesOf(minLength, maxLength).map((b) => Buffer.from(b));

/** Fixed test credentials: never a real secret. */
const USERNAME = Buffer.from('fuzzer');
const PASSWORD = Buffer.from('fuzz-password');
const CONSOLE_RANDOM = Buffer.alloc(16, 0x11);
const BMC_RANDOM = Buffer.alloc(16, 0x22);
const BMC_GUID = Buffer.alloc(16, 0x33);
const ROLE = 0x14; // administrator | name-only lookup

/** Session keys for a suite, derived the way both ends of a real session do. */
function sessionKeys(suite: CipherSuite): SessionKeys {
  const sik = deriveSik(suite, padKey20(PASSWORD), CONSOLE_RANDOM, BMC_RANDOM, ROLE, USERNAME);
  return deriveSessionKeys(suite, sik, { password: padKey20(PASSWORD) });
}

/** The suites this library runs (everything but xRC4). */
const SUITES = CIPHER_SUITES.filter((s) => isSupportedCipherSuite(s.id));
const KEYS = new Map(SUITES.map((s) => [s.id, sessionKeys(s)]));

/**
 * IPMI v2.0 §13.28.4 AuthCode, written here independently of the library's
 * crypto module: the fuzzer reseals mutated packets with it, so mutations
 * get past the integrity check and reach the length and padding logic.
 */
function authCode(keys: SessionKeys, data: Uint8Array): Buffer {
  switch (keys.suite.integrity) {
    case 'hmac-sha1-96':
      return createHmac('sha1', keys.k1).update(data).digest().subarray(0, 12);
    case 'hmac-md5-128':
      return createHmac('md5', keys.k1).update(data).digest();
    case 'hmac-sha256-128':
      return createHmac('sha256', keys.k1).update(data).digest().subarray(0, 16);
    case 'md5-128': {
      const pw = padKey20(keys.password ?? Buffer.alloc(0)).subarray(0, 20);
      return createHash('md5').update(pw).update(data).update(pw).digest();
    }
    case 'none':
      return Buffer.alloc(0);
  }
}

/** Overwrites the trailing AuthCode of an RMCP+ body with a valid one for whatever precedes it. */
function reseal(keys: SessionKeys, body: Uint8Array): Uint8Array {
  const n = authCode(keys, Buffer.alloc(0)).length;
  if (n === 0 || body.length < n) return body;
  const out = Buffer.from(body);
  authCode(keys, out.subarray(0, out.length - n)).copy(out, out.length - n);
  return out;
}

/**
 * An RMCP+ body built field by field with an arbitrary plaintext (pad bytes
 * included, so the confidentiality pad checks see every value) encrypted
 * under the session's K2, and a valid integrity trailer.
 */
function sealedBody(keys: SessionKeys, payloadType: number, plain: Uint8Array, iv: Uint8Array, lengthDelta: number): Uint8Array {
  let field: Buffer = Buffer.from(plain);
  let pt = payloadType & 0x3f;
  if (keys.suite.confidentiality === 'aes-cbc-128') {
    const whole = Buffer.concat([plain, Buffer.alloc((16 - (plain.length % 16)) % 16)]);
    const c = createCipheriv('aes-128-cbc', keys.k2.subarray(0, 16), iv).setAutoPadding(false);
    field = Buffer.concat([Buffer.from(iv), c.update(whole), c.final()]);
    pt |= 0x80;
  }
  const integrity = keys.suite.integrity !== 'none';
  if (integrity) pt |= 0x40;
  const header = Buffer.alloc(12);
  header[0] = AUTH_TYPE.rmcpPlus;
  header[1] = pt;
  header.writeUInt32LE(0x01020304, 2);
  header.writeUInt32LE(7, 6);
  header.writeUInt16LE((field.length + lengthDelta) & 0xffff, 10);
  if (!integrity) return Buffer.concat([header, field]);
  const padLen = (4 - ((header.length + field.length + 2) % 4)) % 4;
  const covered = Buffer.concat([header, field, Buffer.alloc(padLen, 0xff), Buffer.from([padLen, 0x07])]);
  return Buffer.concat([covered, authCode(keys, covered)]);
}

/** The demultiplexer's crypto-free peek must agree with the full decode about every packet that decodes. */
function agreesWithPeek(
  bytes: Buffer,
  pkt: { sessionId: number; sessionSeq: number; payloadType?: number; encrypted?: boolean; authenticated?: boolean; authType?: number },
): void {
  const h = peekSessionHeader(bytes);
  const same =
    h.sessionId === pkt.sessionId &&
    h.sessionSeq === pkt.sessionSeq &&
    (h.format === 'v1.5'
      ? h.authType === pkt.authType
      : h.payloadType === pkt.payloadType && h.encrypted === pkt.encrypted && h.authenticated === pkt.authenticated);
  if (!same) throw new Error(`peekSessionHeader says ${JSON.stringify(h)}`);
}

const lanResponseArb = fc
  .record({
    rqAddr: u8,
    netFn: fc.integer({ min: 0, max: 0x3f }),
    rqLun: fc.integer({ min: 0, max: 3 }),
    rsAddr: u8,
    rqSeq: fc.integer({ min: 0, max: 0x3f }),
    rsLun: fc.integer({ min: 0, max: 3 }),
    cmd: u8,
    completionCode: u8,
    data: buf(0, 40),
  })
  .map((r) => encodeLanResponse(r));

// ---------------------------------------------------------------- command dispatch

/** Response decoders by (response NetFn, command), as the client's inbound path picks them. */
const COMMANDS: readonly Command<never, unknown>[] = [
  activateSession,
  closeSession,
  dcmiGetSupportedCapabilities,
  dcmiGetPowerReading,
  getChannelAuthCapabilities,
  getChannelCipherSuites,
  getChassisStatus,
  getDeviceId,
  getFruInventoryAreaInfo,
  getSdr,
  getSdrRepositoryInfo,
  getSelEntry,
  getSelInfo,
  getSelTime,
  getSensorReading,
  getSensorReadingFactors,
  getSessionChallenge,
  getSessionInfo,
  getSystemGuid,
  readFruData,
  reserveSdrRepository,
  reserveSel,
  setSessionPrivilegeLevel,
] as unknown as Command<never, unknown>[];
const BY_KEY = new Map(COMMANDS.map((c) => [((c.netFn + 1) << 8) | c.cmd, c]));

/** A LAN response as the client handles it: frame, completion code, then the command's decoder. */
function dispatch(payload: Buffer): unknown {
  const rsp = decodeLanResponse(payload);
  const command = BY_KEY.get((rsp.netFn << 8) | rsp.cmd);
  if (!command || rsp.completionCode !== 0) return rsp;
  return { rsp, decoded: command.decode(rsp.data) };
}

/** LAN responses to commands we know, with data that has the right size more often than not. */
const knownLanResponseArb = fc
  .record({ index: fc.nat({ max: COMMANDS.length - 1 }), data: buf(0, 24), seq: fc.integer({ min: 0, max: 0x3f }) })
  .map(({ index, data, seq }) => {
    const c = COMMANDS[index]!;
    const d = c.netFn === 0x2c && data.length > 0 ? Buffer.concat([Buffer.from([0xdc]), data]) : data;
    return encodeLanResponse({
      rqAddr: 0x81,
      netFn: c.netFn + 1,
      rqLun: 0,
      rsAddr: 0x20,
      rqSeq: seq,
      rsLun: 0,
      cmd: c.cmd,
      completionCode: 0,
      data: d,
    });
  });

// ---------------------------------------------------------------- RMCP / ASF

const rmcpTargets = [
  target({
    name: 'rmcp/decodeRmcp',
    decode: decodeRmcp,
    valid: fc.tuple(u8, buf(0, 64), u8).map(([cls, body, seq]) => encodeRmcp(cls, body, seq)),
    reencode: (v) => encodeRmcp(v.messageClass, v.body, v.sequence),
  }),
  target({
    name: 'rmcp/decodeAsfPresencePong',
    decode: decodeAsfPresencePong,
    valid: fc.record({ messageTag: u8, iana: u32, oemDefined: u32, supportsIpmi: fc.boolean() }).map((p) => encodeAsfPresencePong(p).subarray(4)),
  }),
  target({
    name: 'rmcp/decodeAsfPresencePing',
    decode: decodeAsfPresencePing,
    valid: u8.map((tag) => encodeAsfPresencePing(tag).subarray(4)),
    reencode: (v) => encodeAsfPresencePing(v.messageTag).subarray(4),
  }),
];

// ---------------------------------------------------------------- session packets

const v15AuthTypes = fc.constantFrom(AUTH_TYPE.none, AUTH_TYPE.md2, AUTH_TYPE.md5, AUTH_TYPE.password);
const v15BodyArb = fc
  .record({ authType: v15AuthTypes, sessionSeq: u32, sessionId: u32, payload: fc.oneof(lanResponseArb, buf(0, 40)) })
  .map((p) => encodeV15Packet({ ...p, password: PASSWORD }).subarray(4));

const v20PlainBodyArb = fc
  .record({
    payloadType: fc.integer({ min: 0, max: 0x3f }).filter((t) => t !== 2),
    sessionId: u32,
    sessionSeq: u32,
    payload: fc.oneof(lanResponseArb, buf(0, 48)),
  })
  .map((p) => encodeV20Packet(p).subarray(4));

function v20KeyedBodyArb(keys: SessionKeys): fc.Arbitrary<Uint8Array> {
  return fc
    .record({
      payloadType: fc.constantFrom(0, 1, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15),
      sessionId: u32,
      sessionSeq: u32,
      payload: fc.oneof(knownLanResponseArb, buf(0, 48)),
      iv: buf(16),
    })
    .map((p) => encodeV20Packet({ ...p, keys }).subarray(4));
}

function suiteTargets(suite: CipherSuite): FuzzTarget[] {
  const keys = KEYS.get(suite.id)!;
  const valid = v20KeyedBodyArb(keys);
  const integrity = suite.integrity !== 'none';
  // Mutated and then resealed (a valid MAC), or built from an arbitrary plaintext and pad.
  const resealed = fc.tuple(valid, fc.array(mutationArb(valid), { minLength: 1, maxLength: 3 })).map(([b, ms]) => reseal(keys, ms.reduce(applyMutation, b)));
  const plaintext = fc
    .record({
      payloadType: fc.constantFrom(0, 1, 0x15),
      plain: fc.oneof(
        bytesOf(0, 64),
        // A LAN response followed by a pad that is nearly right.
        fc
          .tuple(knownLanResponseArb, fc.nat({ max: 17 }), u8)
          .map(([p, n, last]) => Buffer.concat([p, Buffer.from(Array.from({ length: n }, (_, i) => i + 1)), Buffer.from([last])])),
      ),
      iv: bytesOf(16),
      lengthDelta: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -20, max: 20 }) }),
    })
    .map((p) => sealedBody(keys, p.payloadType, p.plain, p.iv, p.lengthDelta));
  const extra = integrity ? fc.oneof(resealed, plaintext) : plaintext;
  return [
    target({
      name: `session/decodeV20Packet-suite${suite.id}`,
      decode: (b) => decodeV20Packet(b, keys),
      valid,
      extra,
      check: (v, b) => agreesWithPeek(b, v),
      // The decoder takes an authenticated packet in clear in an AES session (§13.28.5 sets the bit per
      // packet); the encoder always encrypts in one, so only packets protected as the suite says round-trip.
      reencode: (v) => (v.encrypted === (suite.confidentiality === 'aes-cbc-128') ? encodeV20Packet({ ...v, keys }).subarray(4) : undefined),
    }),
    target({
      name: `session/inbound-suite${suite.id}`,
      // What the client does with a session datagram: packet, then LAN frame, then the command's decoder.
      decode: (b) => {
        const pkt = decodeV20Packet(b, keys);
        return { pkt, rsp: pkt.payloadType === 0 ? dispatch(pkt.payload) : undefined };
      },
      valid: fc
        .record({ sessionId: u32, sessionSeq: u32, payload: knownLanResponseArb, iv: buf(16) })
        .map((p) => encodeV20Packet({ ...p, payloadType: 0, keys }).subarray(4)),
      validDecodes: false,
      extra,
    }),
  ];
}

const sessionTargets = [
  target({
    name: 'session/peekSessionHeader',
    decode: peekSessionHeader,
    valid: fc.oneof(v15BodyArb, v20PlainBodyArb),
  }),
  target({
    name: 'session/decodeV15Packet',
    decode: (b) => {
      const pkt = decodeV15Packet(b);
      return { pkt, verified: verifyV15AuthCode(pkt, PASSWORD) };
    },
    valid: v15BodyArb,
    check: (v, b) => agreesWithPeek(b, v.pkt),
    reencode: (v) => (v.pkt.authType === AUTH_TYPE.none ? encodeV15Packet({ ...v.pkt, password: PASSWORD }).subarray(4) : undefined),
  }),
  target({
    name: 'session/decodeV15Packet-verified',
    // A packet verifies if and only if its auth code is the one its password gives (the auth type byte
    // and a trailing legacy pad are not covered by it).
    decode: (b) => {
      const pkt = decodeV15Packet(b);
      const verified = verifyV15AuthCode(pkt, PASSWORD);
      return { pkt, verified };
    },
    valid: v15BodyArb.filter((b) => b[0] !== AUTH_TYPE.none),
    check: (v, bytes) => {
      if (!([AUTH_TYPE.md2, AUTH_TYPE.md5, AUTH_TYPE.password] as number[]).includes(v.pkt.authType)) return;
      const fresh = encodeV15Packet({ ...v.pkt, password: PASSWORD }).subarray(4);
      const same = Buffer.compare(fresh.subarray(1), bytes.subarray(1, fresh.length)) === 0;
      if (same !== v.verified) throw new Error(same ? 'a correctly sealed v1.5 packet did not verify' : 'a wrong auth code verified');
    },
  }),
  target({
    name: 'session/decodeV20Packet-nokeys',
    decode: (b) => decodeV20Packet(b),
    valid: v20PlainBodyArb,
    check: (v, b) => agreesWithPeek(b, v),
    reencode: (v) => encodeV20Packet(v).subarray(4),
  }),
  target({
    name: 'session/inbound-v15',
    decode: (b) => {
      const dgram = decodeRmcp(b);
      if (dgram.messageClass !== RMCP_CLASS.ipmi) return dgram;
      const h = peekSessionHeader(dgram.body);
      if (h.format !== 'v1.5') return h;
      const pkt = decodeV15Packet(dgram.body);
      return { pkt, verified: verifyV15AuthCode(pkt, PASSWORD), rsp: dispatch(pkt.payload) };
    },
    valid: fc
      .record({ authType: v15AuthTypes, sessionSeq: u32, sessionId: u32, payload: knownLanResponseArb })
      .map((p) => encodeV15Packet({ ...p, password: PASSWORD })),
    validDecodes: false,
  }),
  target({
    name: 'session/inbound-v20-presession',
    decode: (b) => {
      const dgram = decodeRmcp(b);
      if (dgram.messageClass !== RMCP_CLASS.ipmi) return dgram;
      const h = peekSessionHeader(dgram.body);
      if (h.format !== 'v2.0') return h;
      const pkt = decodeV20Packet(dgram.body);
      return { pkt, rsp: pkt.payloadType === 0 ? dispatch(pkt.payload) : undefined };
    },
    valid: fc.record({ sessionId: u32, sessionSeq: u32, payload: knownLanResponseArb }).map((p) => encodeV20Packet({ ...p, payloadType: 0 })),
    validDecodes: false,
  }),
  ...SUITES.flatMap(suiteTargets),
];

// ---------------------------------------------------------------- RAKP

const algorithms = fc.record({
  authentication: fc.integer({ min: 0, max: 0x3f }),
  integrity: fc.integer({ min: 0, max: 0x3f }),
  confidentiality: fc.integer({ min: 0, max: 0x3f }),
});

/** A client handshake with fixed randomness, advanced to the step under test. */
const HANDSHAKE_RANDOM = (n: number) => Buffer.alloc(n, 0x11);
const HS_TAG = 0x11;
const HS_CONSOLE_SID = 0xa0a0a0a0;
const HS_BMC_SID = 0x0b0b0b0b;

function handshake(suiteId: number): RmcpPlusHandshake {
  const hs = new RmcpPlusHandshake({
    suite: cipherSuite(suiteId),
    username: USERNAME.toString(),
    password: PASSWORD,
    privilege: 4,
    consoleSessionId: HS_CONSOLE_SID,
    random: HANDSHAKE_RANDOM,
  });
  hs.openSessionRequest();
  return hs;
}

function openSessionResponseFor(suiteId: number): Buffer {
  return encodeOpenSessionResponse({
    messageTag: HS_TAG,
    status: 0,
    privilege: 4,
    consoleSessionId: HS_CONSOLE_SID,
    bmcSessionId: HS_BMC_SID,
    ...suiteAlgorithms(cipherSuite(suiteId)),
  });
}

function exchange(suiteId: number, bmcRandom: Buffer, bmcGuid: Buffer) {
  return {
    suite: cipherSuite(suiteId),
    consoleSessionId: HS_CONSOLE_SID,
    bmcSessionId: HS_BMC_SID,
    consoleRandom: HANDSHAKE_RANDOM(16),
    bmcRandom,
    bmcGuid,
    role: 0x14,
    username: USERNAME,
  };
}

function rakp2For(suiteId: number, bmcRandom: Buffer, bmcGuid: Buffer): Buffer {
  const authCode = rakp2AuthCode(exchange(suiteId, bmcRandom, bmcGuid), PASSWORD);
  return encodeRakp2({ messageTag: HS_TAG, status: 0, consoleSessionId: HS_CONSOLE_SID, bmcRandom, bmcGuid, authCode });
}

const handshakeSuite = fc.constantFrom(...SUITES.map((s) => s.id));

const rakpTargets = [
  target({
    name: 'rakp/decodeOpenSessionRequest',
    decode: decodeOpenSessionRequest,
    valid: fc
      .record({ messageTag: u8, privilege: fc.integer({ min: 0, max: 15 }), consoleSessionId: u32 })
      .chain((m) => algorithms.map((a) => encodeOpenSessionRequest({ ...m, ...a }))),
    reencode: encodeOpenSessionRequest,
  }),
  target({
    name: 'rakp/decodeOpenSessionResponse',
    decode: decodeOpenSessionResponse,
    valid: fc.oneof(
      fc
        .record({ messageTag: u8, status: fc.constant(0), privilege: fc.integer({ min: 0, max: 15 }), consoleSessionId: u32, bmcSessionId: u32 })
        .chain((m) => algorithms.map((a) => encodeOpenSessionResponse({ ...m, ...a }))),
      fc
        .record({ messageTag: u8, status: fc.integer({ min: 1, max: 0xff }), privilege: fc.integer({ min: 0, max: 15 }), consoleSessionId: u32 })
        .map(encodeOpenSessionRefusal),
    ),
    reencode: (v) => (v.status !== 0 ? encodeOpenSessionRefusal(v) : encodeOpenSessionResponse(v as Required<typeof v>)),
  }),
  target({
    name: 'rakp/decodeRakp1',
    decode: decodeRakp1,
    valid: fc.record({ messageTag: u8, bmcSessionId: u32, consoleRandom: buf(16), role: u8, username: buf(0, 16) }).map(encodeRakp1),
    reencode: encodeRakp1,
  }),
  target({
    name: 'rakp/decodeRakp2',
    decode: decodeRakp2,
    valid: fc.oneof(
      fc.record({ messageTag: u8, status: fc.constant(0), consoleSessionId: u32, bmcRandom: buf(16), bmcGuid: buf(16), authCode: buf(0, 32) }).map(encodeRakp2),
      fc.record({ messageTag: u8, status: fc.integer({ min: 1, max: 0xff }), consoleSessionId: u32 }).map(encodeRakp2Refusal),
    ),
    reencode: (v) => (v.status !== 0 ? encodeRakp2Refusal(v) : v.bmcRandom ? encodeRakp2(v as Required<typeof v>) : undefined),
  }),
  target({
    name: 'rakp/decodeRakp3',
    decode: decodeRakp3,
    valid: fc.record({ messageTag: u8, status: u8, sessionId: u32, authCode: buf(0, 32) }).map(encodeRakp3Or4),
    reencode: encodeRakp3Or4,
  }),
  target({
    name: 'rakp/decodeRakp4',
    decode: (b) => decodeRakp3Or4(b),
    valid: fc.record({ messageTag: u8, status: u8, sessionId: u32, authCode: buf(0, 16) }).map(encodeRakp3Or4),
    reencode: encodeRakp3Or4,
  }),
  target({
    name: 'rakp/handshake-open-session-response',
    // The first byte picks the suite; the rest is the BMC's answer.
    decode: (b) => handshake(SUITES[(b[0] ?? 0) % SUITES.length]!.id).acceptOpenSessionResponse(b.subarray(1)),
    valid: fc.nat({ max: SUITES.length - 1 }).map((i) => Buffer.concat([Buffer.from([i]), openSessionResponseFor(SUITES[i]!.id)])),
  }),
  target({
    name: 'rakp/handshake-rakp2',
    decode: (b) => {
      const suiteId = SUITES[(b[0] ?? 0) % SUITES.length]!.id;
      const hs = handshake(suiteId);
      hs.acceptOpenSessionResponse(openSessionResponseFor(suiteId));
      hs.rakp1();
      return hs.acceptRakp2(b.subarray(1));
    },
    valid: fc
      .record({ i: fc.nat({ max: SUITES.length - 1 }), r: buf(16), g: buf(16) })
      .map(({ i, r, g }) => Buffer.concat([Buffer.from([i]), rakp2For(SUITES[i]!.id, r, g)])),
  }),
  target({
    name: 'rakp/handshake-rakp4',
    decode: (b) => {
      const suiteId = SUITES[(b[0] ?? 0) % SUITES.length]!.id;
      const hs = handshake(suiteId);
      hs.acceptOpenSessionResponse(openSessionResponseFor(suiteId));
      hs.rakp1();
      hs.acceptRakp2(rakp2For(suiteId, BMC_RANDOM, BMC_GUID));
      hs.rakp3();
      const r = hs.acceptRakp4(b.subarray(1));
      return r === 'ok' ? { r, keys: hs.keys } : { r };
    },
    valid: handshakeSuite.map((suiteId) => {
      const x = exchange(suiteId, BMC_RANDOM, BMC_GUID);
      const sik = deriveSik(x.suite, padKey20(PASSWORD), x.consoleRandom, x.bmcRandom, x.role, x.username);
      const icv = rakp4Icv(x, sik);
      const i = SUITES.findIndex((s) => s.id === suiteId);
      return Buffer.concat([Buffer.from([i]), encodeRakp3Or4({ messageTag: HS_TAG, status: 0, sessionId: HS_CONSOLE_SID, authCode: icv })]);
    }),
  }),
];

// ---------------------------------------------------------------- LAN messages

const lanTargets = [
  target({
    name: 'lan/decodeLanRequest',
    decode: decodeLanRequest,
    valid: fc
      .record({
        rsAddr: u8,
        netFn: fc.integer({ min: 0, max: 0x3f }),
        rsLun: fc.integer({ min: 0, max: 3 }),
        rqAddr: u8,
        rqSeq: fc.integer({ min: 0, max: 0x3f }),
        rqLun: fc.integer({ min: 0, max: 3 }),
        cmd: u8,
        data: buf(0, 40),
      })
      .map(encodeLanRequest),
    reencode: encodeLanRequest,
  }),
  target({ name: 'lan/decodeLanResponse', decode: decodeLanResponse, valid: lanResponseArb, reencode: encodeLanResponse }),
];

// ---------------------------------------------------------------- command responses and requests

function response<T>(
  command: Command<never, T>,
  valid: fc.Arbitrary<Uint8Array>,
  reencode?: (v: T) => Uint8Array | undefined,
  check?: (v: T) => void,
): FuzzTarget {
  return target<T>({
    name: `commands/${command.name} response`,
    decode: (b) => command.decode(b),
    valid,
    maxLength: 64,
    ...(reencode && { reencode }),
    ...(check && { check }),
  });
}

function request<T>(name: string, decode: (b: Buffer) => T, valid: fc.Arbitrary<Uint8Array>, reencode?: (v: T) => Uint8Array | undefined): FuzzTarget {
  return target<T>({ name: `commands/${name} request`, decode, valid, maxLength: 48, ...(reencode && { reencode }) });
}

const commandTargets = [
  response(getDeviceId, fc.oneof(bytesOf(11), bytesOf(15)), encodeGetDeviceIdResponse),
  response(getChassisStatus, bytesOf(3, 4), encodeGetChassisStatusResponse, (v) => checkText('chassis status', v.powerRestorePolicy, v.identifyState ?? 'off')),
  response(getSdrRepositoryInfo, bytesOf(14), encodeGetSdrRepositoryInfoResponse, (v) => checkText('SDR repository info', v.updateMode, v.version)),
  response(getSelInfo, bytesOf(14), encodeGetSelInfoResponse),
  response(getSelTime, bytesOf(4), encodeGetSelTimeResponse),
  response(reserveSdrRepository, bytesOf(2), encodeReserveSdrRepositoryResponse),
  response(reserveSel, bytesOf(2), encodeReserveSelResponse),
  response(getSdr, bytesOf(2, 40), encodeGetSdrResponse),
  response(getSelEntry, bytesOf(2, 18), encodeGetSelEntryResponse),
  response(getSensorReading, bytesOf(2, 4), encodeGetSensorReadingResponse),
  response(getSensorReadingFactors, bytesOf(7), encodeGetSensorReadingFactorsResponse),
  response(getSessionInfo, fc.oneof(bytesOf(3), bytesOf(6), bytesOf(18))),
  response(getChannelAuthCapabilities, bytesOf(8), encodeGetChannelAuthCapabilitiesResponse),
  response(getChannelCipherSuites, bytesOf(1, 17), (v) =>
    v.recordData.length <= 16 ? encodeGetChannelCipherSuitesResponse(v.channel, v.recordData, 0) : undefined,
  ),
  response(getSessionChallenge, bytesOf(20), encodeGetSessionChallengeResponse),
  response(activateSession, bytesOf(10), encodeActivateSessionResponse),
  response(setSessionPrivilegeLevel, bytesOf(1), encodeSetSessionPrivilegeLevelResponse),
  response(closeSession, bytesOf(0)),
  target({
    name: `commands/${getSystemGuid.name} response`,
    decode: (b) => {
      const v = getSystemGuid.decode(b);
      return { ...v, text: formatGuidAsIpmitool(v.guid, Date.UTC(2026, 0, 1)) };
    },
    valid: bytesOf(16),
    maxLength: 64,
    reencode: (v) => encodeGetSystemGuidResponse(v),
  }),
  response(
    readFruData,
    bytesOf(0, 32).map((d) => encodeReadFruDataResponse({ data: Buffer.from(d) })),
    encodeReadFruDataResponse,
  ),
  response(getFruInventoryAreaInfo, bytesOf(3), encodeGetFruInventoryAreaInfoResponse),
  response(
    dcmiGetCapabilities,
    bytesOf(3, 12).map((b) => Buffer.concat([Buffer.from([0xdc]), b])),
    encodeDcmiGetCapabilitiesResponse,
  ),
  target({
    name: 'commands/Get DCMI Capabilities Info (supported capabilities) response',
    decode: (b) => dcmiGetSupportedCapabilities.decode(b),
    valid: bytesOf(6, 8).map((b) => Buffer.concat([Buffer.from([0xdc]), b])),
    maxLength: 64,
    reencode: encodeDcmiGetCapabilitiesResponse,
  }),
  response(
    dcmiGetPowerReading,
    bytesOf(17).map((b) => Buffer.concat([Buffer.from([0xdc]), b])),
    encodeDcmiGetPowerReadingResponse,
  ),
  target({
    name: 'commands/cipher suite records',
    decode: decodeCipherSuiteRecords,
    valid: fc.array(fc.integer({ min: 0, max: 19 }), { maxLength: 20 }).map((ids) => encodeCipherSuiteRecords(ids)),
    reencode: (ids) => (ids.every((id) => id < CIPHER_SUITES.length) ? encodeCipherSuiteRecords(ids) : undefined),
  }),
  request('Activate Session', decodeActivateSessionRequest, bytesOf(22), (v) => activateSession.encode(v)),
  request('Close Session', decodeCloseSessionRequest, bytesOf(4, 5), (v) => (v.sessionHandle === undefined ? closeSession.encode(v) : undefined)),
  request(
    'Get DCMI Capabilities Info',
    decodeDcmiGetCapabilitiesRequest,
    u8.map((p) => dcmiGetCapabilities.encode({ parameter: p })),
    (v) => dcmiGetCapabilities.encode(v),
  ),
  request(
    'Get Power Reading',
    decodeDcmiGetPowerReadingRequest,
    fc.tuple(u8, u8).map(([mode, modeAttributes]) => dcmiGetPowerReading.encode({ mode, modeAttributes })),
    (v) => dcmiGetPowerReading.encode(v),
  ),
  request('Get Channel Authentication Capabilities', decodeGetChannelAuthCapabilitiesRequest, bytesOf(2), (v) => getChannelAuthCapabilities.encode(v)),
  request('Get Channel Cipher Suites', decodeGetChannelCipherSuitesRequest, bytesOf(3), (v) => (v.bySuite ? getChannelCipherSuites.encode(v) : undefined)),
  request('Get FRU Inventory Area Info', decodeGetFruInventoryAreaInfoRequest, bytesOf(1), (v) => getFruInventoryAreaInfo.encode(v)),
  request('Get SDR', decodeGetSdrRequest, bytesOf(6), (v) => getSdr.encode(v)),
  request('Get SEL Entry', decodeGetSelEntryRequest, bytesOf(6), (v) => getSelEntry.encode(v)),
  request('Get Sensor Reading', decodeGetSensorReadingRequest, bytesOf(1), (v) => getSensorReading.encode(v)),
  request('Get Sensor Reading Factors', decodeGetSensorReadingFactorsRequest, bytesOf(2), (v) => getSensorReadingFactors.encode(v)),
  request('Get Session Challenge', decodeGetSessionChallengeRequest, bytesOf(17), (v) => getSessionChallenge.encode(v)),
  request('Read FRU Data', decodeReadFruDataRequest, bytesOf(4), (v) => readFruData.encode(v)),
  request('Set Session Privilege Level', decodeSetSessionPrivilegeLevelRequest, bytesOf(1), (v) => setSessionPrivilegeLevel.encode(v)),
];

// ---------------------------------------------------------------- the BMC side's inbound path

/** Request decoders by (request NetFn, command), as a simulated BMC dispatches them. */
const REQUESTS: ReadonlyMap<number, (data: Buffer) => unknown> = new Map<number, (data: Buffer) => unknown>([
  [(0x06 << 8) | 0x3a, decodeActivateSessionRequest],
  [(0x06 << 8) | 0x3c, decodeCloseSessionRequest],
  [(0x2c << 8) | 0x01, decodeDcmiGetCapabilitiesRequest],
  [(0x2c << 8) | 0x02, decodeDcmiGetPowerReadingRequest],
  [(0x06 << 8) | 0x38, decodeGetChannelAuthCapabilitiesRequest],
  [(0x06 << 8) | 0x54, decodeGetChannelCipherSuitesRequest],
  [(0x0a << 8) | 0x10, decodeGetFruInventoryAreaInfoRequest],
  [(0x0a << 8) | 0x23, decodeGetSdrRequest],
  [(0x0a << 8) | 0x43, decodeGetSelEntryRequest],
  [(0x04 << 8) | 0x2d, decodeGetSensorReadingRequest],
  [(0x04 << 8) | 0x23, decodeGetSensorReadingFactorsRequest],
  [(0x06 << 8) | 0x39, decodeGetSessionChallengeRequest],
  [(0x0a << 8) | 0x11, decodeReadFruDataRequest],
  [(0x06 << 8) | 0x3b, decodeSetSessionPrivilegeLevelRequest],
]);

function dispatchRequest(payload: Buffer): unknown {
  const rq = decodeLanRequest(payload);
  const decode = REQUESTS.get((rq.netFn << 8) | rq.cmd);
  return decode ? { rq, decoded: decode(rq.data) } : rq;
}

/** What a BMC does with a datagram before it has keys: ASF, v1.5, RMCP+ session setup and clear v2.0. */
function bmcInbound(b: Buffer): unknown {
  const d = decodeRmcp(b);
  if (d.messageClass === RMCP_CLASS.asf) return decodeAsfPresencePing(d.body);
  if (d.messageClass !== RMCP_CLASS.ipmi) return d;
  const h = peekSessionHeader(d.body);
  if (h.format === 'v1.5') {
    const pkt = decodeV15Packet(d.body);
    return { pkt, verified: verifyV15AuthCode(pkt, PASSWORD), rq: dispatchRequest(pkt.payload) };
  }
  const pkt = decodeV20Packet(d.body);
  switch (pkt.payloadType) {
    case 0x00:
      return { pkt, rq: dispatchRequest(pkt.payload) };
    case 0x10:
      return decodeOpenSessionRequest(pkt.payload);
    case 0x12:
      return decodeRakp1(pkt.payload);
    case 0x14:
      return decodeRakp3(pkt.payload);
    default:
      return pkt;
  }
}

const knownLanRequestArb = fc
  .record({ key: fc.constantFrom(...REQUESTS.keys()), data: buf(0, 24), seq: fc.integer({ min: 0, max: 0x3f }) })
  .map(({ key, data, seq }) => {
    const netFn = key >> 8;
    const d = netFn === 0x2c && data.length > 0 ? Buffer.concat([Buffer.from([0xdc]), data]) : data;
    return encodeLanRequest({ netFn, cmd: key & 0xff, rqSeq: seq, data: d });
  });

const bmcInboundTargets = [
  target({
    name: 'session/bmc-inbound',
    decode: bmcInbound,
    valid: fc.oneof(
      u8.map((tag) => encodeAsfPresencePing(tag)),
      fc
        .record({ authType: v15AuthTypes, sessionSeq: u32, sessionId: u32, payload: knownLanRequestArb })
        .map((p) => encodeV15Packet({ ...p, password: PASSWORD })),
      fc.record({ sessionId: u32, sessionSeq: u32, payload: knownLanRequestArb }).map((p) => encodeV20Packet({ ...p, payloadType: 0 })),
      fc
        .record({ messageTag: u8, privilege: fc.integer({ min: 0, max: 15 }), consoleSessionId: u32 })
        .chain((m) =>
          algorithms.map((a) => encodeV20Packet({ payloadType: 0x10, sessionId: 0, sessionSeq: 0, payload: encodeOpenSessionRequest({ ...m, ...a }) })),
        ),
      fc
        .record({ messageTag: u8, bmcSessionId: u32, consoleRandom: buf(16), role: u8, username: buf(0, 16) })
        .map((m) => encodeV20Packet({ payloadType: 0x12, sessionId: 0, sessionSeq: 0, payload: encodeRakp1(m) })),
      fc
        .record({ messageTag: u8, status: u8, sessionId: u32, authCode: buf(0, 32) })
        .map((m) => encodeV20Packet({ payloadType: 0x14, sessionId: 0, sessionSeq: 0, payload: encodeRakp3Or4(m) })),
    ),
    // Request data is arbitrary, so a valid frame may carry a short request.
    validDecodes: false,
  }),
];

// ---------------------------------------------------------------- SDR, sensors, conversion

/** Record bodies: the fixed part of each type, then an ID string type/length byte and up to 16 name bytes. */
const SDR_BODY_SIZES: Record<number, number> = { 0x01: 42, 0x02: 26, 0x03: 11, 0x11: 10, 0x12: 10, 0x08: 11, 0xc0: 3 };

/** Sensor types the tables name (Table 42-3) more often than not, and event/reading types likewise (Table 42-1). */
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const sensorTypeArb = fc.oneof(
  // Types with code of their own in the categories and descriptions: temperature, fan, processor,
  // power supply and unit, memory, drive, firmware progress, event logging, watchdog 2.
  { weight: 3, arbitrary: fc.constantFrom(0x01, 0x04, 0x07, 0x08, 0x09, 0x0c, 0x0d, 0x0f, 0x10, 0x23) },
  { weight: 2, arbitrary: fc.constantFrom(...range(0, 0x2c)) },
  { weight: 1, arbitrary: u8 },
);
const eventTypeArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant(0x6f) },
  { weight: 4, arbitrary: fc.constantFrom(...range(0, 0x0c), 0x70, 0x7f) },
  { weight: 1, arbitrary: u8 },
);

const sdrArb = fc
  .record({
    recordId: u16,
    version: fc.constantFrom(0x51, 0x01, 0xff),
    type: fc.constantFrom(...Object.keys(SDR_BODY_SIZES).map(Number)),
    extra: fc.nat({ max: 17 }),
    body: bytesOf(64),
    sensorType: sensorTypeArb,
    eventReadingType: eventTypeArb,
  })
  .map(({ recordId, version, type, extra, body, sensorType, eventReadingType }) => {
    const n = SDR_BODY_SIZES[type]! + extra;
    const out = Buffer.alloc(5 + n);
    out.writeUInt16LE(recordId, 0);
    out[2] = version;
    out[3] = type;
    out[4] = n;
    Buffer.from(body).copy(out, 5, 0, n);
    // Sensor type and event/reading type: body bytes 7-8 of full and compact records, 5-6 of event-only ones.
    const at = type === 0x03 ? 5 + 5 : type <= 0x02 ? 5 + 7 : -1;
    if (at > 0) {
      out[at] = sensorType;
      out[at + 1] = eventReadingType;
    }
    return out;
  });

/** SEL records (§32.1): mostly system events with sensor and event types the description tables know. */
const selArb = fc
  .record({
    recordId: u16,
    recordType: fc.oneof({ weight: 4, arbitrary: fc.constant(0x02) }, { weight: 1, arbitrary: u8 }),
    timestamp: fc.oneof(u32, fc.constantFrom(0, 0x20000000, 0xffffffff)),
    generatorId: u16,
    evmRev: u8,
    sensorType: sensorTypeArb,
    sensorNumber: u8,
    deassertion: fc.boolean(),
    eventType: eventTypeArb,
    // Event data 1: [7:6] and [5:4] say what data 2 and 3 hold, [3:0] the offset.
    data1: fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 })).map(([hi, lo]) => (hi << 4) | lo),
    data: bytesOf(2),
  })
  .map((e) => {
    const out = Buffer.alloc(16);
    out.writeUInt16LE(e.recordId, 0);
    out[2] = e.recordType;
    out.writeUInt32LE(e.timestamp, 3);
    out.writeUInt16LE(e.generatorId, 7);
    out[9] = e.evmRev;
    out[10] = e.sensorType;
    out[11] = e.sensorNumber;
    out[12] = (e.deassertion ? 0x80 : 0) | (e.eventType & 0x7f);
    out[13] = e.data1;
    Buffer.from(e.data).copy(out, 14);
    return out;
  });

/** The record without what a re-encode legitimately changes (the name's declared length, trailing pad). */
function sdrView(r: SdrRecord): unknown {
  if (r.kind === 'other') return r;
  const { idStringTypeLength, ...rest } = r;
  return { ...rest, idStringType: idStringTypeLength >> 6 };
}

function reencodeSdr(r: SdrRecord): Uint8Array | undefined {
  switch (r.kind) {
    case 'full':
      return encodeFullSensorRecord(r);
    case 'compact':
      return encodeCompactSensorRecord(r);
    case 'event-only':
      return encodeEventOnlyRecord(r);
    case 'mc-locator':
      return encodeMcDeviceLocatorRecord(r);
    default:
      return undefined;
  }
}

function finiteOrNull(v: unknown, what: string): void {
  if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) throw new Error(`${what} is ${String(v)}, not a finite number or null`);
}

/** A sensor reading response after the record: raw, flags, state bytes; then optional reading factors. */
function sensorPipeline(b: Buffer) {
  const len = 5 + (b[4] ?? 0);
  const record = decodeSdrRecord(b.subarray(0, len));
  const rest = b.subarray(len);
  const rsp = getSensorReading.decode(rest.subarray(0, 4));
  const factors = rest.length >= 11 ? getSensorReadingFactors.decode(rest.subarray(4, 11)) : undefined;
  const sensors = sensorsFromSdr([record]);
  return { record, sensors, readings: sensors.map((d) => interpretReading(d, rsp, factors)) };
}

const SENSOR_STATES = new Set(['ok', 'non-critical', 'critical', 'non-recoverable', 'discrete', 'unavailable']);

/** A SEL description reads as text, and its category and severity are among the documented ones. */
function checkEvent(e: { description: string; category: string; severity: string }): void {
  checkText('SEL event', e.description);
  if (!(SEL_CATEGORIES as readonly string[]).includes(e.category)) throw new Error(`category ${e.category}`);
  if (!(SEL_SEVERITIES as readonly string[]).includes(e.severity)) throw new Error(`severity ${e.severity}`);
}

const ANALOG = ['unsigned', 'ones-complement', 'twos-complement', 'none'] as const;

const sdrTargets = [
  target({
    name: 'sdr/decodeSdrRecord',
    decode: decodeSdrRecord,
    valid: sdrArb,
    reencode: reencodeSdr,
    roundTripView: sdrView,
    check: (r) => {
      if (r.kind === 'full') for (const [k, v] of Object.entries(r.thresholds)) finiteOrNull(v, `threshold ${k}`);
    },
  }),
  target({
    name: 'sensor/sensorsFromSdr+interpretReading',
    decode: sensorPipeline,
    valid: fc.tuple(sdrArb, bytesOf(2, 11)).map(([r, t]) => Buffer.concat([r, t])),
    // A compact record shared 15 ways expands into 15 descriptors and readings.
    outputFactor: 400,
    check: (v) => {
      if (new Set(v.sensors.map((d) => d.key)).size !== v.sensors.length) throw new Error('two sensors share a key');
      for (const r of v.readings) {
        finiteOrNull(r.value, `reading of ${r.descriptor.name}`);
        const d = r.descriptor;
        checkText('sensor descriptor', d.sensorTypeName, d.entityIdName, d.unit, d.unitName, d.key, r.state);
        if (!SENSOR_STATES.has(r.state)) throw new Error(`state ${r.state}`);
      }
    },
  }),
  target({
    name: 'sensor/convertReading',
    // raw, format, M/B/exponents as the SDR packs them, linearization, then optional reading factors.
    decode: (b) => {
      const f = getSensorReadingFactors.decode(b.subarray(3, 10));
      const factors: ConversionFactors = {
        analogFormat: ANALOG[(b[1] ?? 0) >> 6]!,
        m: f.m,
        b: f.b,
        bExp: f.bExp,
        rExp: f.rExp,
        linearization: b[2] ?? 0,
      };
      const rf = b.length >= 17 ? getSensorReadingFactors.decode(b.subarray(10, 17)) : undefined;
      return convertReading(b[0] ?? 0, factors, rf);
    },
    valid: fc.oneof(bytesOf(10), bytesOf(17)),
    check: (v) => finiteOrNull(v, 'converted reading'),
  }),
];

// ---------------------------------------------------------------- SEL

const selTargets = [
  target({
    name: 'sel/decodeSelRecord+describeEvent',
    decode: (b) => {
      const record = decodeSelRecord(b);
      return { record, event: describeEvent(record) };
    },
    valid: selArb,
    maxLength: 32,
    reencode: (v) => encodeSelRecord(v.record),
    check: (v) => checkEvent(v.event),
  }),
  target({
    name: 'sel/get-sel-entry-pipeline',
    decode: (b) => {
      const rsp = getSelEntry.decode(b);
      const record = decodeSelRecord(rsp.data);
      return {
        rsp,
        event: describeEvent(record, { sensorName: 'CPU1 Temp', formatReading: (raw) => `${raw / 2} C` }),
      };
    },
    valid: fc.tuple(u16, selArb).map(([next, rec]) => encodeGetSelEntryResponse({ nextRecordId: next, data: rec })),
    maxLength: 40,
    check: (v) => checkEvent(v.event),
  }),
];

// ---------------------------------------------------------------- FRU

const latin1Text = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 24 }).filter((s) => s.length !== 1);
const fieldValue = fc.oneof(
  latin1Text,
  fc.record({ type: fc.constant('binary' as const), value: fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('hex')) }),
  fc.record({ type: fc.constant('bcdPlus' as const), value: fc.stringMatching(/^[0-9 .:,_-]{0,16}$/) }),
  fc.record({ type: fc.constant('sixBitAscii' as const), value: fc.stringMatching(/^[A-Z0-9 ]{0,20}$/) }),
);
const areaCommon = { custom: fc.array(fieldValue, { maxLength: 3 }), corruptChecksum: fc.boolean() };

const fruArb = fc
  .record(
    {
      internalUse: buf(0, 16),
      chassis: fc.record({ type: u8, partNumber: fieldValue, serialNumber: fieldValue, ...areaCommon }, { requiredKeys: [] }),
      board: fc.record(
        {
          languageCode: fc.constantFrom(0, 25, 1),
          manufacturedAt: fc.option(fc.date({ min: new Date('1996-01-01T00:00:00Z'), max: new Date('2020-01-01T00:00:00Z'), noInvalidDate: true })),
          manufacturer: fieldValue,
          productName: fieldValue,
          serialNumber: fieldValue,
          partNumber: fieldValue,
          fruFileId: fieldValue,
          ...areaCommon,
        },
        { requiredKeys: [] },
      ),
      product: fc.record(
        {
          languageCode: fc.constantFrom(0, 25, 1),
          manufacturer: fieldValue,
          productName: fieldValue,
          partNumber: fieldValue,
          version: fieldValue,
          serialNumber: fieldValue,
          assetTag: fieldValue,
          fruFileId: fieldValue,
          ...areaCommon,
        },
        { requiredKeys: [] },
      ),
      multiRecords: fc.array(fc.record({ type: u8, data: buf(0, 16) }), { maxLength: 2 }),
      corruptHeaderChecksum: fc.boolean(),
      totalSize: fc.constantFrom(0, 256),
    },
    { requiredKeys: [] },
  )
  .map((spec) => buildFru(spec));

const fruTargets = [
  target({
    name: 'fru/parseFru+fruSummary',
    decode: (b) => {
      const inv = parseFru(b);
      return { inv, summary: fruSummary(inv) };
    },
    valid: fruArb,
    maxLength: 512,
    check: (v) => {
      if (v.inv.chassis) checkText('FRU chassis type', v.inv.chassis.typeName);
    },
  }),
];

/** The short run in the unit tests: fixed seed, a few thousand inputs per decoder. */
export const UNIT_SEED = 9;
export const UNIT_INPUTS = 2000;
/** Per-input decode budget: generous, it catches blow-ups (a loop a peer can stretch), not slow machines. */
export const UNIT_BUDGET_MS = 1000;

/** Every decoder the fuzzer drives, in a stable order. */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  ...rmcpTargets,
  ...sessionTargets,
  ...rakpTargets,
  ...lanTargets,
  ...commandTargets,
  ...bmcInboundTargets,
  ...sdrTargets,
  ...selTargets,
  ...fruTargets,
];

/** The targets whose name equals `name` or starts with `name/` or `name` followed by a space. */
export function selectTargets(prefix: string | undefined): FuzzTarget[] {
  if (!prefix) return [...FUZZ_TARGETS];
  return FUZZ_TARGETS.filter((t) => t.name === prefix || t.name.startsWith(prefix));
}
