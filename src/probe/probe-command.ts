import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError as CommanderArgError, Option } from 'commander';
import { AuthenticationError, IpmiError, TimeoutError, UnsupportedCipherSuiteError, type Privilege } from '@bmc-exporter/ipmi';
import { DurationError, parseDuration } from '../duration.js';
import { parseTargetAddress } from '../targets/target-address.js';
import { collectProbe, type ProbeOptions } from './collect.js';
import { renderProbe } from './render.js';

/** Exit codes, so scripts can tell failures apart without parsing text. */
export const PROBE_EXIT = {
  ok: 0,
  /** The session worked but some sections could not be read. */
  partial: 1,
  usage: 2,
  unreachable: 3,
  authentication: 4,
  unsupportedCipherSuite: 5,
  sessionFailed: 6,
} as const;

interface ProbeFlags {
  username?: string;
  password?: string;
  passwordFile?: string;
  cipherSuite?: number[];
  ipmiVersion: 'auto' | '1.5' | '2.0';
  privilege: 'user' | 'operator' | 'admin';
  timeout: number;
  json?: boolean;
  metrics?: boolean;
  selEvents: number;
}

const PRIVILEGES: Record<ProbeFlags['privilege'], Privilege> = { user: 'user', operator: 'operator', admin: 'administrator' };

function parseSuite(value: string, previous: number[] | undefined): number[] {
  if (!/^\d+$/.test(value) || Number(value) > 255) throw new CommanderArgError(`"${value}" is not a cipher suite number (0-255)`);
  return [...(previous ?? []), Number(value)];
}

function parseTimeout(value: string): number {
  try {
    const ms = parseDuration(value);
    if (ms <= 0) throw new DurationError(`timeout must be greater than zero`);
    return ms;
  } catch (err) {
    throw new CommanderArgError((err as Error).message);
  }
}

export function probeCommand(): Command {
  return new Command('probe')
    .description('open a session to one BMC and print everything the exporter would read from it')
    .argument('<target>', 'BMC address: host, host:port, [ipv6] or [ipv6]:port (port 623 by default)')
    .option('-u, --username <name>', 'BMC user name (or BMC_USERNAME)')
    .option('-p, --password <password>', 'BMC password; visible to other local users in ps, prefer --password-file or BMC_PASSWORD')
    .option('--password-file <file>', 'read the password from this file (trailing newline removed)')
    .option('-C, --cipher-suite <n>', 'RMCP+ cipher suite to use; repeat to allow several, in order (default: discover, prefer 17 then 3)', parseSuite)
    .addOption(new Option('--ipmi-version <version>', 'IPMI version: 2.0 (RMCP+), 1.5, or auto').choices(['auto', '1.5', '2.0']).default('auto'))
    .addOption(new Option('--privilege <level>', 'session privilege level').choices(['user', 'operator', 'admin']).default('user'))
    .option('--timeout <duration>', 'give up after this long, e.g. 500ms, 5s, 1m', parseTimeout, 10_000)
    .option('--sel-events <n>', 'how many of the latest SEL events to show', (v) => Number.parseInt(v, 10), 20)
    .option('--json', 'print one JSON object instead of tables')
    .option('--metrics', 'print the metrics /bmc would serve for this BMC (Prometheus text format) instead of tables')
    .action(async (target: string, flags: ProbeFlags) => {
      process.exitCode = await runProbe(target, flags);
    });
}

async function readPassword(flags: ProbeFlags): Promise<string> {
  if (flags.password !== undefined && flags.passwordFile !== undefined) {
    throw new UsageError('give either --password or --password-file, not both');
  }
  if (flags.passwordFile !== undefined) {
    try {
      return (await readFile(flags.passwordFile, 'utf8')).replace(/\r?\n$/, '');
    } catch (err) {
      throw new UsageError(`cannot read --password-file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  return flags.password ?? process.env['BMC_PASSWORD'] ?? '';
}

class UsageError extends Error {}

export async function runProbe(target: string, flags: ProbeFlags): Promise<number> {
  const fail = (code: number, kind: string, message: string) => {
    process.stderr.write(`bmc-exporter probe: ${kind}: ${message}\n`);
    return code;
  };
  let probe: ProbeOptions;
  try {
    if (flags.json && flags.metrics) throw new UsageError('give either --json or --metrics, not both');
    const address = parseTargetAddress(target);
    const username = flags.username ?? process.env['BMC_USERNAME'];
    if (username === undefined) throw new UsageError('a user name is required (--username or BMC_USERNAME)');
    probe = {
      address,
      credentials: {
        username,
        password: await readPassword(flags),
        privilege: PRIVILEGES[flags.privilege],
        ipmiVersion: flags.ipmiVersion,
        ...(flags.cipherSuite ? { cipherSuites: flags.cipherSuite } : {}),
      },
      selEvents: flags.selEvents,
    };
  } catch (err) {
    return fail(PROBE_EXIT.usage, 'invalid arguments', (err as Error).message);
  }

  const signal = AbortSignal.timeout(flags.timeout);
  try {
    const { result, exposition } = await collectProbe(probe, signal, performance.now() + flags.timeout);
    if (flags.metrics) process.stdout.write(exposition.text());
    else process.stdout.write(flags.json ? JSON.stringify(result, null, 2) + '\n' : renderProbe(result));
    return Object.keys(result.errors).length > 0 ? PROBE_EXIT.partial : PROBE_EXIT.ok;
  } catch (err) {
    if (err instanceof AuthenticationError) {
      const why = {
        'unknown-user': 'unknown user name',
        'wrong-password': 'wrong password',
        'privilege-refused': 'privilege level refused',
        unknown: 'refused',
      }[err.reason];
      return fail(PROBE_EXIT.authentication, `authentication failed (${why})`, err.message);
    }
    if (err instanceof UnsupportedCipherSuiteError) return fail(PROBE_EXIT.unsupportedCipherSuite, 'unsupported cipher suite', err.message);
    if (err instanceof TimeoutError) {
      return fail(PROBE_EXIT.unreachable, 'unreachable', `no session with ${probe.address.key} within ${flags.timeout} ms: ${err.message}`);
    }
    if (err instanceof IpmiError) return fail(PROBE_EXIT.sessionFailed, 'session failed', err.message);
    throw err;
  }
}
