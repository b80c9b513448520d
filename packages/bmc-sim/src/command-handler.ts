/**
 * The seam between the simulated BMC's protocol engine (RMCP, sessions,
 * crypto: src/protocol/) and its model (device, sensors, SDR, SEL, FRU,
 * DCMI: src/model/). The engine authenticates, decrypts and frames; the
 * model answers commands. Session-management commands (Get Channel
 * Authentication Capabilities, Get Session Challenge, Activate Session, Set
 * Session Privilege Level, Close Session, Get Channel Cipher Suites) never
 * reach the model.
 */
import type { Command } from '@bmc-exporter/ipmi';

export interface CommandContext {
  /** Privilege of the session the request came in on (IPMI v2.0 Table 6-1: 1 callback .. 4 administrator); 0 outside a session. */
  privilege: number;
  /** Console-visible session id, when in a session. */
  sessionId?: number;
  /** Which IPMI version the session speaks. */
  ipmiVersion?: '1.5' | '2.0';
}

export interface CommandRequest {
  netFn: number;
  cmd: number;
  /** Responder LUN the request was addressed to. */
  lun: number;
  data: Buffer;
}

export interface CommandResult {
  completionCode: number;
  data?: Buffer;
}

/** `undefined` means: send no answer at all (a BMC that silently ignores a command). */
export type CommandHandler = (req: CommandRequest, ctx: CommandContext) => CommandResult | undefined;

/** What identifies a command: the library's command objects carry it (name, request NetFn, command number). */
export type CommandId = Pick<Command<never, unknown>, 'name' | 'netFn' | 'cmd'>;

/** One number for a request's (NetFn, command), whatever the NetFn's response bit says. */
export function commandKey(netFn: number, cmd: number): number {
  return ((netFn & 0xfe) << 8) | cmd;
}

/** A commandKey as counters show it: "0x0a:0x23" (request NetFn:command). */
export function formatCommandKey(key: number): string {
  const hex2 = (n: number) => n.toString(16).padStart(2, '0');
  return `0x${hex2(key >> 8)}:0x${hex2(key & 0xff)}`;
}

/** The key of `command`'s requests (as commandKey). */
export function keyOf(command: CommandId): number {
  return commandKey(command.netFn, command.cmd);
}

/** Whether a request is `command`'s: its request NetFn (even; an odd one is a response's) and command number. */
export function isCommand(req: { netFn: number; cmd: number }, command: CommandId): boolean {
  return req.netFn === command.netFn && req.cmd === command.cmd;
}
