/**
 * Worker-thread entry: reads and parses one secrets file, away from the
 * event loop (50,000 entries take a second of CPU or more, and the scrapes
 * in flight must not wait for that). Answers with the table as JSON slices
 * (encodeSecrets) whose buffers it transfers, or the ConfigError's fields so
 * the main thread can rebuild it.
 */
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError, encodeSecrets, loadSecretsFile } from './secrets.js';
import type { ParseSecretsOptions } from './secrets.js';
import type { SecretsWorkerAnswer } from './secrets-loader.js';

const { path, options } = workerData as { path: string; options: ParseSecretsOptions };

/**
 * The parse is background work: the event loop's thread must win the CPU
 * over it, or scrapes and /-/healthy wait behind a second of parsing on a
 * busy machine. On Linux a nice value belongs to one thread and
 * setpriority(0) names the calling thread, so this lowers this worker only;
 * elsewhere it would lower the whole process, so it is left alone. Raising
 * one's own nice value needs no privilege; should it fail, the parse runs as
 * it is. Ten steps rather than straight to 19: on a saturated machine the
 * reload must still finish in seconds.
 */
const WORKER_NICE_STEP = 10;
if (process.platform === 'linux') {
  try {
    // The thread starts with its creator's nice value; 19 is the lowest priority.
    setPriority(Math.min(getPriority() + WORKER_NICE_STEP, 19));
  } catch {
    // a sandbox refusing setpriority: parse at the process's priority
  }
}

async function answer(): Promise<SecretsWorkerAnswer> {
  try {
    return { ok: true, encoded: encodeSecrets(await loadSecretsFile(path, options)) };
  } catch (err) {
    if (err instanceof ConfigError) {
      const where = err.line !== undefined ? `${err.file}:${err.line}:${err.column}: ` : `${err.file}: `;
      return { ok: false, file: err.file, what: err.message.slice(where.length), line: err.line, column: err.column };
    }
    return { ok: false, file: path, what: `cannot parse: ${(err as Error).message}` };
  }
}

const message = await answer();
// The slices' buffers move to the main thread instead of being copied into its heap.
parentPort?.postMessage(message, message.ok ? [...new Set(message.encoded.slices.map((s) => s.buffer))] : []);
