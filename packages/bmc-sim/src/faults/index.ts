// Scriptable faults for one simulated BMC: packet faults around the protocol
// engine, plus the BMC-level knobs the fleet applies to protocol and model.
export {
  FAULT_FIELDS,
  FaultConfigError,
  HOSTILE_FAULTS,
  MODEL_FAULTS,
  NO_FAULTS,
  PROTOCOL_FAULTS,
  parseFaultPatch,
  type FaultConfig,
} from './fault-config.js';
export {
  FaultInjector,
  type FaultAlterCounters,
  type FaultCounters,
  type FaultDropCounters,
  type FaultInjectorOptions,
  type FaultTimers,
  type SendFn,
} from './fault-injector.js';
export { SeededRandom } from './prng.js';
export { HostileAnswers, type HostileCounters } from './hostile.js';
