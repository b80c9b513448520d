export type {
  BmcDefinition,
  DcmiPowerDefinition,
  ProtocolDefinition,
  SelEntryDefinition,
  SelEventKind,
  SensorDefinition,
  SensorThresholds,
} from './definition.js';
export { BmcModel, type BmcModelOptions } from './bmc-model.js';
export { SimSensor } from './sensors.js';
export { SEL_EVENT_KINDS } from './sel-generator.js';
export { varyDefinition } from './vary.js';
export { PROFILES } from './profiles.js';
export { deriveLinear, rawFromValue, resolution, type Linear } from './conversion.js';
export { entityCode, sensorTypeCode, unitCode } from './names.js';
