import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * Vitest global setup: `tsc -b` before any test file runs. Some tests run
 * what users run, the built JavaScript (the CLI in dist/src/cli.js, the
 * simulator's CLI and fleet workers, the secrets worker thread, modules
 * loaded by child processes), and must never meet a dist/ older than the
 * sources. Incremental: a few seconds when nothing changed. Once per vitest
 * run, before the workers start, so no test reads a file tsc is writing.
 */
export default async function buildDist(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-b'], { cwd: root, maxBuffer: 16 * 2 ** 20 });
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    throw new Error(`tsc -b failed; the tests that run the built code need dist/ current:\n${stdout}${stderr}`);
  }
}
