/**
 * Worker-thread entry: reads and parses one secrets file, away from the
 * event loop (50,000 entries take a second of CPU or more, and the scrapes
 * in flight must not wait for that). Answers with the table as JSON slices
 * (encodeSecrets), or the ConfigError's fields so the main thread can
 * rebuild it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError, encodeSecrets, loadSecretsFile } from './secrets.js';
import type { ParseSecretsOptions } from './secrets.js';
import type { SecretsWorkerAnswer } from './secrets-loader.js';

const { path, options } = workerData as { path: string; options: ParseSecretsOptions };

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

parentPort?.postMessage(await answer());
