import { setFlagsFromString } from 'node:v8';

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
 * Applies HEAP_GROWING_PERCENT unless the operator chose their own with
 * `node --heap-growing-percent=N`. V8 reads the value at every full GC, so
 * setting it at start-up, before the targets' state builds up, is enough.
 * Returns the value in effect when we set it, undefined when the operator's stands.
 */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): number | undefined {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a))) return undefined;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return HEAP_GROWING_PERCENT;
}
