export type { CommandContext, CommandHandler, CommandRequest, CommandResult } from './command-handler.js';
export * from './protocol/index.js';
export * from './model/index.js';
