// The BMC side of IPMI over LAN for one simulated BMC (RMCP, IPMI 1.5, RMCP+),
// pure with respect to I/O, plus a one-socket UDP binding for tests.
export { BmcProtocol, type BmcProtocolOptions, type Endpoint } from './bmc-protocol.js';
export {
  DEFAULT_PROTOCOL_CONFIG,
  protocolConfig,
  type AuthType15Name,
  type ProtocolConfig,
  type ProtocolHooks,
  type ProtocolQuirks,
  type SessionCounters,
  type SimUser,
} from './config.js';
export { LAN_CHANNEL } from './session-commands.js';
export type { SimSession } from './session-table.js';
export { serveBmc, type ServedBmc } from './serve-bmc.js';
