export type { CommandContext, CommandHandler, CommandRequest, CommandResult } from './command-handler.js';
export * from './protocol/index.js';
export * from './model/index.js';
export * from './faults/index.js';
export * from './fleet/index.js';
export * from './control/index.js';
export * from './redfish/index.js';
