// A fleet of simulated BMCs on loopback, in-process or spread over workers.
export {
  startFleet,
  softFdLimit,
  type Fleet,
  type FleetBmcStatus,
  type SecretsFile,
  type StartFleetOptions,
} from './fleet.js';
export {
  DEFAULT_BASE_ADDRESS,
  DEFAULT_PORT,
  FleetDefinitionError,
  defaultPassword,
  endpointAt,
  fleetUsers,
  validateFleetDefinition,
  type FleetDefinition,
  type FleetUser,
} from './fleet-definition.js';
export { SimBmc, quirkedDefinition, type BmcCounters, type SimBmcOptions } from './sim-bmc.js';
export { formatSecretsFile } from './secrets-file.js';
export { ConfigFileError, bmcDefinitionToYaml, loadBmcDefinition, loadFleetConfig } from './load-config.js';
