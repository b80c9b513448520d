import { pino } from 'pino';
import type { Logger as PinoLogger } from 'pino';
import type { ClientLogger } from '@bmc-exporter/ipmi';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'logfmt' | 'json';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
export const LOG_FORMATS: readonly LogFormat[] = ['logfmt', 'json'];

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Default: standard error, so stdout stays free for anything piped. */
  destination?: NodeJS.WritableStream;
}

/** pino's logger; it also satisfies packages/ipmi's ClientLogger. */
export type Logger = PinoLogger;

/**
 * Field names whose values are censored wherever they appear (top level, and
 * one or two objects deep), whatever the caller passed: invariant 5 in docs/architecture.md must not
 * depend on every call site remembering.
 *
 * Usernames are censored too. They are not secrets in general, but in IPMI 2.0
 * anyone who knows a valid user name can ask the BMC for RAKP message 2, an
 * HMAC keyed by that user's password, and crack it offline (no login needed):
 * a user name in a log shipped elsewhere is half of an attack.
 */
const SENSITIVE_FIELDS = [
  'password',
  'passwd',
  'pass',
  'username',
  'user',
  'kg',
  'authorization',
  'Authorization',
  'cookie',
  'proxy-authorization',
  'secret',
  'token',
] as const;

export const REDACT_PATHS: readonly string[] = SENSITIVE_FIELDS.flatMap((f) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(f) ? f : `["${f}"]`;
  const sep = key.startsWith('[') ? '' : '.';
  return [key, `*${sep}${key}`, `*.*${sep}${key}`];
});

const CENSOR = '[REDACTED]';

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stderr;
  const sink = options.format === 'json' ? destination : logfmtSink(destination);
  return pino(
    {
      level: options.level,
      redact: { paths: [...REDACT_PATHS], censor: CENSOR },
      base: undefined,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    sink,
  );
}

/** Compile-time proof that the exporter's logger can be handed to BmcClient. */
export function asClientLogger(logger: Logger): ClientLogger {
  return logger;
}

/** pino writes one JSON object per line; this turns each into a logfmt line. */
function logfmtSink(destination: NodeJS.WritableStream): { write(line: string): boolean } {
  return {
    write(line: string): boolean {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return destination.write(line);
      }
      return destination.write(`${formatLogfmt(record)}\n`);
    },
  };
}

/** `ts=… level=… msg="…"` first (as Prometheus' own logs read), then the rest in order, nested keys dotted. */
export function formatLogfmt(record: Record<string, unknown>): string {
  const { time, level, msg, ...rest } = record;
  const parts: string[] = [];
  if (time !== undefined) parts.push(`ts=${logfmtValue(time)}`);
  if (level !== undefined) parts.push(`level=${logfmtValue(level)}`);
  if (msg !== undefined) parts.push(`msg=${logfmtValue(msg)}`);
  flatten('', rest, parts, 0);
  return parts.join(' ');
}

function flatten(prefix: string, obj: Record<string, unknown>, out: string[], depth: number): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = sanitizeKey(prefix ? `${prefix}.${k}` : k);
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && depth < 3) {
      flatten(key, v as Record<string, unknown>, out, depth + 1);
    } else {
      out.push(`${key}=${logfmtValue(v)}`);
    }
  }
}

function sanitizeKey(key: string): string {
  return key.replace(/[\s="]/g, '_') || '_';
}

function logfmtValue(v: unknown): string {
  const s = typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v);
  if (s !== '' && !/[\s="\\]/.test(s) && !/[\u0000-\u001f\u007f]/.test(s)) return s;
  // JSON string escaping is a valid logfmt quoting: quotes, backslashes, newlines escaped.
  return JSON.stringify(s);
}
