import type { CommandHandler } from '../command-handler.js';
import type { ProtocolConfig, ProtocolHooks, SimUser } from './config.js';
import type { SessionTable } from './session-table.js';

/** An IPMI 1.5 Get Session Challenge waiting for its Activate Session (§22.16-22.17). */
export interface PendingChallenge {
  temporaryId: number;
  user: SimUser;
  authType: number;
  challenge: Buffer;
  createdAt: number;
}

/** What the per-step modules share; owned by BmcProtocol. */
export interface ProtocolState {
  config: ProtocolConfig;
  readonly table: SessionTable;
  readonly challenges: Map<number, PendingChallenge>;
  readonly handler: CommandHandler;
  readonly hooks: ProtocolHooks;
  readonly random: (n: number) => Buffer;
  /** Cached §22.15 record data for the offered suites (rebuilt by update()). */
  cipherRecords: Buffer;
}

export function findUser(config: ProtocolConfig, name: string, minPrivilege = 0): SimUser | undefined {
  return config.users.find((u) => u.enabled !== false && u.name === name && u.maxPrivilege >= minPrivilege);
}

/** A random non-zero 32-bit number from the injected source. */
export function random32(random: (n: number) => Buffer): number {
  return random(4).readUInt32LE(0);
}
