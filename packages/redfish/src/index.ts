export * from './errors.js';
export { RedfishClient, type RedfishClientOptions, type RedfishClientStats } from './client.js';
export { RedfishClientPool } from './pool.js';
export type { TlsOptions } from './http.js';
export type { AuthMode } from './session.js';
export type { ChassisStructure, LogServiceStructure, RedfishStructure } from './discovery.js';
export {
  readChassis,
  isoDurationSeconds,
  type ChassisReadings,
  type Generation,
  type PowerSummary,
  type PowerSupplyReading,
  type SensorKind,
  type SensorReading,
  type Thresholds,
} from './readings.js';
export { INITIAL_CURSOR, readLogEntries, type LogCursor, type LogEntry, type LogReadOptions, type LogReadResult } from './log-entries.js';
export type { ResourceStatus } from './document.js';
