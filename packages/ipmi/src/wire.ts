// '@bmc-exporter/ipmi/wire': the bytes on the wire, for the BMC side of the
// protocol (packages/bmc-sim) and for protocol tooling (raw-packet drivers,
// fuzzers). BmcClient users need none of it: the root export (index.ts) holds
// the client, the command objects and the decoders.
//
//  - framing: RMCP and ASF, IPMI LAN messages, IPMI 1.5 and RMCP+ session
//    packets, the inbound sequence window;
//  - RMCP+ session set-up: Open Session and RAKP messages, their status
//    codes, key derivation and authentication codes, the console's handshake;
//  - the BMC side of each command: request decoders and response encoders;
//  - images a BMC serves: SDR records and FRU inventory.

// ---- framing ----
export * from './rmcp/rmcp.js';
export * from './rmcp/asf.js';
export * from './message/lan-message.js';
export * from './session/session-packet.js';
export * from './session/v15-packet.js';
export * from './session/v20-packet.js';
export { AUTH_TYPE, USERNAME_MAX, V15_PASSWORD_LENGTH, V20_PASSWORD_MAX, type AuthTypeName } from './session/auth-types.js';
export * from './client/sequence-window.js';

// ---- RMCP+ session set-up ----
export * from './session/rakp-messages.js';
export * from './session/rmcpplus-status.js';
export * from './session/key-derivation.js';
export * from './session/rakp-handshake.js';
export { decodeCipherSuiteRecords, encodeCipherSuiteRecords } from './session/cipher-suites.js';

// ---- the BMC side of each command ----
export { decodeActivateSessionRequest, encodeActivateSessionResponse } from './commands/activate-session.js';
export { decodeCloseSessionRequest } from './commands/close-session.js';
export {
  decodeDcmiGetCapabilitiesRequest,
  encodeDcmiGetCapabilitiesResponse,
  encodeDcmiSupportedCapabilities,
} from './commands/dcmi-get-capabilities.js';
export { decodeDcmiGetPowerReadingRequest, encodeDcmiGetPowerReadingResponse } from './commands/dcmi-get-power-reading.js';
export { decodeGetChannelAuthCapabilitiesRequest, encodeGetChannelAuthCapabilitiesResponse } from './commands/get-channel-auth-capabilities.js';
export { decodeGetChannelCipherSuitesRequest, encodeGetChannelCipherSuitesResponse } from './commands/get-channel-cipher-suites.js';
export { encodeGetChassisStatusResponse } from './commands/get-chassis-status.js';
export { encodeGetDeviceIdResponse } from './commands/get-device-id.js';
export { decodeGetFruInventoryAreaInfoRequest, encodeGetFruInventoryAreaInfoResponse } from './commands/get-fru-inventory-area-info.js';
export { encodeGetSdrRepositoryInfoResponse } from './commands/get-sdr-repository-info.js';
export { decodeGetSdrRequest, encodeGetSdrResponse } from './commands/get-sdr.js';
export { decodeGetSelEntryRequest, encodeGetSelEntryResponse } from './commands/get-sel-entry.js';
export { encodeGetSelInfoResponse } from './commands/get-sel-info.js';
export { encodeGetSelTimeResponse } from './commands/get-sel-time.js';
export { decodeGetSensorReadingFactorsRequest, encodeGetSensorReadingFactorsResponse } from './commands/get-sensor-reading-factors.js';
export { decodeGetSensorReadingRequest, encodeGetSensorReadingResponse } from './commands/get-sensor-reading.js';
export { decodeGetSessionChallengeRequest, encodeGetSessionChallengeResponse } from './commands/get-session-challenge.js';
export { encodeGetSystemGuidResponse } from './commands/get-system-guid.js';
export { decodeReadFruDataRequest, encodeReadFruDataResponse } from './commands/read-fru-data.js';
export { encodeReserveSdrRepositoryResponse } from './commands/reserve-sdr-repository.js';
export { encodeReserveSelResponse } from './commands/reserve-sel.js';
export { decodeSetSessionPrivilegeLevelRequest, encodeSetSessionPrivilegeLevelResponse } from './commands/set-session-privilege-level.js';

// ---- images a BMC serves ----
export * from './sdr/encode.js';
// The FRU image builder: the simulated BMC's FRU, and the library's FRU tests.
export { buildFru, type BoardSpec, type ChassisSpec, type FruImageSpec, type ProductSpec } from './fru/build.js';
