// The exporter as users run it: the built CLI (dist/src/cli.js, built before
// any test runs by test/build-dist.ts) in a child process, its logs captured,
// its URL read from the "listening" log line.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

export const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

export interface CliProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** "http(s)://127.0.0.1:port", from the "listening" log line. */
  readonly url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) once the process has gone. */
  readonly exited: Promise<number | string>;
  /** Send a signal to this process (by its PID) and wait for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface CliStartOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** How long to wait for the "listening" line. */
  timeoutMs?: number;
  /** Another CLI script to run instead of this checkout's dist/src/cli.js (an installed package's bin). */
  entry?: string;
}

/** Start `bmc-exporter ARGS`; resolves once it logs its URL, rejects with its output if it exits first. */
export async function startCli(args: readonly string[], o: CliStartOptions = {}): Promise<CliProcess> {
  const child = spawn(process.execPath, [o.entry ?? CLI, ...args], {
    cwd: o.cwd ?? process.cwd(),
    env: { PATH: process.env['PATH'] ?? '', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bmc-exporter did not log "listening" within ${o.timeoutMs ?? 15_000} ms:\n${out}${err}`));
    }, o.timeoutMs ?? 15_000);
    const look = () => {
      // logfmt: msg=listening url=http://...; json: {"url":"http://...",...,"msg":"listening"}
      const m = /msg=listening url=(\S+)/.exec(err) ?? /"url":"([^"]+)"[^\n]*"msg":"listening"/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stderr!.on('data', look);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`bmc-exporter exited (${code}) before listening:\n${out}${err}`));
    });
  });
  return {
    child,
    pid: child.pid!,
    url,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, signal);
      return exited;
    },
  };
}

export { freePort } from '../peers/free-port.js';

export interface TempDir {
  path: string;
  /** Write a file in the dir (YAML for objects) and return its path. */
  write(name: string, content: string | object): Promise<string>;
  remove(): Promise<void>;
}

export async function tempDir(prefix: string): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    async write(name, content) {
      const file = join(path, name);
      await writeFile(file, typeof content === 'string' ? content : stringify(content), { mode: 0o600 });
      return file;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

/** Samples of a text exposition: "name{labels}" → value (comments skipped). */
export function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}
