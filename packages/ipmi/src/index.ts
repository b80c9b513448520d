// Public API of @bmc-exporter/ipmi: what a user of the client needs. BmcClient
// is the front door; beside it its options, the typed errors, the command
// objects it executes with their decoded types, and the decoders and walks a
// tool needs (SDR, sensors, SEL, FRU). The bytes on the wire (RMCP, session
// packets, RAKP) and the BMC side of every command (encoding responses,
// decoding requests) live in '@bmc-exporter/ipmi/wire' (wire.ts).
export { BmcClient } from './client.js';
export { AbortableQueue, type AbortableQueueOptions, type AbortReason, type Answered } from './client/abortable-queue.js';
export * from './client/options.js';
export { DEFAULT_SESSION_BACKOFF, isSessionRefusal, type SessionBackoffPolicy } from './client/session-backoff.js';
export * from './errors.js';
export * from './transport/peer.js';
export * from './transport/udp-transport.js';
export { PRIVILEGE, type PrivilegeName } from './session/auth-types.js';
export {
  AUTHENTICATION_ALGORITHM,
  CIPHER_SUITES,
  CONFIDENTIALITY_ALGORITHM,
  INTEGRITY_ALGORITHM,
  cipherSuite,
  isSupportedCipherSuite,
  type AuthenticationAlgorithm,
  type CipherSuite,
  type ConfidentialityAlgorithm,
  type IntegrityAlgorithm,
} from './session/cipher-suites.js';

// ---- commands: the objects BmcClient.execute takes, and what they decode to ----
export * from './commands/command.js';
export * from './commands/timestamp.js';
export { DEVICE_SUPPORT_BITS, type DeviceSupport } from './commands/device-support.js';
export { ActivateSessionCode, activateSession, type ActivateSessionReq, type ActivateSessionRsp } from './commands/activate-session.js';
export { CloseSessionCode, closeSession, type CloseSessionReq } from './commands/close-session.js';
export {
  DCMI_CAPABILITY_PARAMETERS,
  dcmiGetCapabilities,
  dcmiGetSupportedCapabilities,
  decodeDcmiSupportedCapabilities,
  type DcmiCapabilities,
  type DcmiCapabilitiesReq,
  type DcmiSupportedCapabilities,
} from './commands/dcmi-get-capabilities.js';
export { DCMI_POWER_READING_MODES, dcmiGetPowerReading, type DcmiPowerReading, type DcmiPowerReadingReq } from './commands/dcmi-get-power-reading.js';
export {
  THIS_CHANNEL,
  getChannelAuthCapabilities,
  type GetChannelAuthCapabilitiesReq,
  type GetChannelAuthCapabilitiesRsp,
} from './commands/get-channel-auth-capabilities.js';
export {
  CIPHER_SUITE_CHUNK,
  getChannelCipherSuites,
  readCipherSuites,
  type GetChannelCipherSuitesReq,
  type GetChannelCipherSuitesRsp,
} from './commands/get-channel-cipher-suites.js';
export {
  CHASSIS_IDENTIFY_STATES,
  POWER_RESTORE_POLICIES,
  getChassisStatus,
  type ChassisStatus,
  type ChassisStatusReq,
  type FrontPanelButtons,
  type PowerRestorePolicy,
} from './commands/get-chassis-status.js';
export { formatFirmware, getDeviceId, type DeviceId, type DeviceIdReq, type DeviceIdSupport } from './commands/get-device-id.js';
export { getFruInventoryAreaInfo, type FruInventoryAreaInfo, type FruInventoryAreaInfoReq } from './commands/get-fru-inventory-area-info.js';
export { SDR_UPDATE_MODES, getSdrRepositoryInfo, type SdrRepositoryInfo, type SdrRepositoryInfoReq } from './commands/get-sdr-repository-info.js';
export { SDR_FIRST_RECORD_ID, SDR_LAST_RECORD_ID, SDR_READ_WHOLE_RECORD, getSdr, type GetSdrReq, type GetSdrRsp } from './commands/get-sdr.js';
export { SEL_FIRST_ENTRY, SEL_LAST_ENTRY, SEL_READ_WHOLE_ENTRY, getSelEntry, type GetSelEntryReq, type GetSelEntryRsp } from './commands/get-sel-entry.js';
export { getSelInfo, type SelInfo, type SelInfoReq } from './commands/get-sel-info.js';
export { getSelTime, type SelTime, type SelTimeReq } from './commands/get-sel-time.js';
export {
  getSensorReadingFactors,
  type ReadingFactors,
  type SensorReadingFactorsReq,
  type SensorReadingFactorsRsp,
} from './commands/get-sensor-reading-factors.js';
export { getSensorReading, type SensorReadingReq, type SensorReadingRsp } from './commands/get-sensor-reading.js';
export {
  GetSessionChallengeCode,
  getSessionChallenge,
  type GetSessionChallengeReq,
  type GetSessionChallengeRsp,
} from './commands/get-session-challenge.js';
export * from './commands/get-session-info.js';
export { formatGuid, formatGuidAsIpmitool, getSystemGuid, parseGuid, type SystemGuid, type SystemGuidReq } from './commands/get-system-guid.js';
export { readFruData, type ReadFruDataReq, type ReadFruDataRsp } from './commands/read-fru-data.js';
export { reserveSdrRepository, type ReserveSdrRepositoryReq, type SdrReservation } from './commands/reserve-sdr-repository.js';
export { reserveSel, type ReserveSelReq, type SelReservation } from './commands/reserve-sel.js';
export {
  SetSessionPrivilegeCode,
  setSessionPrivilegeLevel,
  type SetSessionPrivilegeLevelReq,
  type SetSessionPrivilegeLevelRsp,
} from './commands/set-session-privilege-level.js';

// ---- SDR, sensors, SEL and FRU: decoders and walks ----
export * from './sdr/records.js';
export * from './sdr/sensor.js';
export * from './sdr/sensor-types.js';
export * from './sdr/units.js';
export * from './sdr/entity-ids.js';
export * from './sdr/threshold.js';
export * from './sdr/conversion.js';
export * from './sdr/walk.js';
export * from './sdr/event-reading-types.js';
// encodeSelRecord too: the exporter keeps the records it has seen as their 16 bytes.
export * from './sel/record.js';
export * from './sel/events.js';
export * from './sel/categories.js';
export * from './sel/walk.js';
export * from './fru/inventory.js';
export * from './fru/read.js';
