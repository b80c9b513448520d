/**
 * How far V8 lets the old generation grow past what the last full GC kept,
 * in percent, before it collects again.
 *
 * V8 picks up to 4x (300%) for a process that allocates as fast as an
 * exporter scraping thousands of BMCs. Almost all of a scrape's garbage dies
 * young, but some is promoted, and at 4x the exporter held about four times
 * its live heap: at 2,000 warm targets 60 MiB live, 300 MiB of heap, 370 MiB
 * RSS (`npm run bench -- exporter`). At 30% the same run holds 100 MiB of old
 * generation and about half the RSS. The price is more frequent full GCs; at
 * 10,000 targets: 21 KiB instead of 48 KiB RSS per warm target, for 11.5-12.7
 * instead of 8.6 ms CPU per cold scrape and 0.79-0.94 instead of 0.77 cores
 * scraping every target each 30 s.
 */
export const HEAP_GROWING_PERCENT = 30;

/**
 * The node flag that applies HEAP_GROWING_PERCENT. It is given when the
 * process starts, by every way the exporter is launched: the bin script's
 * `#!/usr/bin/env -S node ...` line (src/cli.ts), the image's ENTRYPOINT
 * (Dockerfile) and `npm start`; heap-growth.test.ts checks that each carries
 * it. Node refuses V8 flags in NODE_OPTIONS, and changing them with
 * v8.setFlagsFromString after start is unsupported by Node. An operator who
 * wants another value runs `node --heap-growing-percent=N <path of the bin>`,
 * which bypasses the script's own line.
 */
export const HEAP_GROWTH_NODE_FLAG = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;

/** The --heap-growing-percent the process was started with (the last one given wins, as in V8), undefined when none. */
export function heapGrowingPercentOf(execArgv: readonly string[] = process.execArgv): number | undefined {
  let percent: number | undefined;
  execArgv.forEach((arg, i) => {
    const match = /^--heap[-_]growing[-_]percent(?:=(\d+))?$/.exec(arg);
    if (match) percent = Number(match[1] ?? execArgv[i + 1]);
  });
  return percent;
}
