import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, HEAP_GROWTH_NODE_FLAG, heapGrowingPercentOf } from './heap-growth.js';

const run = promisify(execFile);
const repoFile = (path: string) => readFile(new URL(`../${path}`, import.meta.url), 'utf8');

/**
 * A process with ~60 MiB live that keeps promoting garbage (a ring of objects
 * that each outlive a couple of scavenges, as a busy exporter's scrape state
 * does); prints the largest old space V8 committed meanwhile.
 */
const CHILD = `
import { getHeapSpaceStatistics } from 'node:v8';
const oldSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size;
const live = Array.from({ length: 400000 }, (_, i) => ({ i, s: 'x' + i, a: [i, i + 1, i + 2] }));
const ring = new Array(100000);
let max = 0;
for (let k = 0; k < 6000000; k++) {
  ring[k % ring.length] = { k, s: 'y' + k, a: [k, k] };
  if (k % 50000 === 0) max = Math.max(max, oldSpace());
}
process.stdout.write(JSON.stringify({ maxOldSpace: max, live: live.length }));
`;

async function maxOldSpace(nodeFlags: string[]): Promise<number> {
  const { stdout } = await run(process.execPath, [...nodeFlags, '--input-type=module', '-e', CHILD]);
  return (JSON.parse(stdout) as { maxOldSpace: number }).maxOldSpace;
}

describe('V8 heap growth, set when the process starts', () => {
  it('the flag keeps the old generation far smaller under promoted garbage', async () => {
    const [unlimited, limited] = await Promise.all([maxOldSpace([]), maxOldSpace([HEAP_GROWTH_NODE_FLAG])]);
    // Measured here: ~317 MiB with V8's own factor against ~120 MiB at 30%.
    expect(limited).toBeLessThan(unlimited * 0.6);
    expect(limited).toBeLessThan(200 * 2 ** 20);
  }, 60_000);

  describe('every way of starting the exporter gives the flag', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'heap-growth-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("the bin script's #! line starts node with it", async () => {
      const shebang = (await repoFile('src/cli.ts')).split('\n')[0]!;
      expect(shebang).toBe(`#!/usr/bin/env -S node ${HEAP_GROWTH_NODE_FLAG}`);
      // The same line on a script that reports its node flags, run as the bin is: by the kernel.
      const script = join(dir, 'launcher.mjs');
      await writeFile(script, `${shebang}\nprocess.stdout.write(JSON.stringify(process.execArgv));\n`);
      await chmod(script, 0o755);
      const execArgv = JSON.parse((await run(script)).stdout) as string[];
      expect(heapGrowingPercentOf(execArgv)).toBe(HEAP_GROWING_PERCENT);
    });

    it("the image's ENTRYPOINT and npm start pass it before the script", async () => {
      const entrypoint = /^ENTRYPOINT (.*)$/m.exec(await repoFile('Dockerfile'))?.[1];
      expect(JSON.parse(entrypoint ?? 'null')).toEqual(['node', HEAP_GROWTH_NODE_FLAG, '/app/dist/src/cli.js']);
      const pkg = JSON.parse(await repoFile('package.json')) as { scripts: Record<string, string>; bin: Record<string, string> };
      expect(pkg.scripts['start']).toBe(`node ${HEAP_GROWTH_NODE_FLAG} dist/src/cli.js`);
      expect(pkg.bin['bmc-exporter']).toBe('dist/src/cli.js');
    });
  });

  it('reads the value in effect from node flags, the last one winning', () => {
    expect(heapGrowingPercentOf([HEAP_GROWTH_NODE_FLAG])).toBe(HEAP_GROWING_PERCENT);
    expect(heapGrowingPercentOf(['--heap-growing-percent=30', '--heap_growing_percent', '100'])).toBe(100);
    expect(heapGrowingPercentOf(['--max-old-space-size=4096'])).toBeUndefined();
  });
});
