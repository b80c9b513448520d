import { Worker } from 'node:worker_threads';
import { ConfigError, decodeSecrets } from './secrets.js';
import type { EncodedSecrets, ParseSecretsOptions, Secrets } from './secrets.js';

export type SecretsWorkerAnswer =
  | { ok: true; encoded: EncodedSecrets }
  | { ok: false; file: string; what: string; line?: number | undefined; column?: number | undefined };

/**
 * The worker's compiled file. Built code runs it beside this module; the
 * test runner executes the TypeScript sources, which a worker thread cannot
 * load, so from there it runs the build of the same file (vitest builds it
 * before any test runs: test/build-dist.ts).
 */
function workerUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new URL(here.replace(/\/src\/config\/secrets-loader\.ts$/, '/dist/src/config/secrets-worker.js'));
  return new URL('./secrets-worker.js', here);
}

/**
 * loadSecretsFile in a worker thread, so the event loop keeps serving
 * scrapes, /-/healthy and /metrics while a large file is parsed (a 50,000-entry
 * file is a second of parsing). The table comes back as JSON slices, read
 * one per event-loop turn (decodeSecrets), so receiving it does not stall
 * the loop either; `previous` (the table in force) lends its objects to the
 * slices that did not change, and a change of a few entries is written into
 * it (it then answers like the table returned). A larger young generation than the
 * default makes that parse much cheaper: it allocates a node per token and
 * keeps few of them.
 */
export function loadSecretsFileOffThread(path: string, options: ParseSecretsOptions = {}, previous?: Secrets): Promise<Secrets> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl(), {
      workerData: { path, options },
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.once('message', (answer: SecretsWorkerAnswer) =>
      settle(() => {
        if (answer.ok) decodeSecrets(answer.encoded, nextTurn, previous).then(resolve, reject);
        else
          reject(
            new ConfigError(
              answer.file,
              answer.what,
              answer.line !== undefined && answer.column !== undefined ? { line: answer.line, column: answer.column } : undefined,
            ),
          );
      }),
    );
    worker.once('error', (err) => settle(() => reject(new ConfigError(path, `cannot parse the secrets file: ${err.message}`))));
    worker.once('exit', (code) => settle(() => reject(new ConfigError(path, `the parsing thread exited (code ${code}) without an answer`))));
  });
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
