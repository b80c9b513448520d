// The fault-matrix benchmark: 1,000 simulated BMCs, every one with
// the same network fault, one condition at a time: none, 10% and 30% loss,
// duplicated answers, reordered answers, 50 ms delay. Per condition a fresh
// exporter CLI does one cold pass (session + SDR walk per target) and then
// warm passes; figures per condition and phase:
//  - complete: answered 200 with bmc_up 1 and as many series as the fullest
//    clean (no-fault) scrape (every BMC runs the same profile): nothing lost;
//  - p99 duration of the /bmc request as the generator saw it;
//  - false bmc_up 0: every BMC is up, so each non-200 or bmc_up 0 is false.
// Addresses: 127.201.0.0/16, a range no test or other benchmark uses, so the
// run needs no peer-test lock.
// Knobs (environment): MATRIX_TARGETS (1000), MATRIX_PASSES (warm passes per
// condition, 2), MATRIX_CONCURRENCY (scrapes in flight, 32: about what Prometheus keeps in
// flight for 1,000 targets at a 30 s interval; 200 measures an overloaded exporter), MATRIX_CONDITIONS
// (comma list of condition names, default all; "none" always runs first, it
// is the reference).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultConfig } from '@bmc-exporter/bmc-sim';
import { startExporterCli, type ExporterProcess } from './exporter.js';
import { child, next, percentile, pin, stopped } from './exporter-proc.js';
import type { FromFaultFleet, ToFaultFleet } from './fault-fleet-child.js';
import type { FromScrape, ScrapeRecord, ToScrape } from './fault-scrape-child.js';
import type { Benchmark, Report } from './run.js';
import { secretsYaml } from './soak.js';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
const TIMEOUT_HEADER_SECONDS = 10;
export const MATRIX_BASE_ADDRESS = '127.201.0.1';

/** Every fault a condition may set, at its off value: each condition starts from here. */
const OFF: Partial<FaultConfig> = { lossPercent: 0, duplicatePercent: 0, reorder: false, delayMs: 0 };
export const CONDITIONS: Record<string, Partial<FaultConfig>> = {
  none: {},
  'loss-10': { lossPercent: 10 },
  'loss-30': { lossPercent: 30 },
  'duplicate-50': { duplicatePercent: 50 },
  reorder: { reorder: true },
  'delay-50ms': { delayMs: 50 },
};

type Passed = Extract<FromScrape, { type: 'passed' }>;

function figures(records: ScrapeRecord[], reference: Map<number, number>): { complete: number; falseDown: number; p99: number; p50: number; max: number } {
  const lat = records.map((r) => r.ms).sort((a, b) => a - b);
  let complete = 0;
  let falseDown = 0;
  for (const r of records) {
    if (!r.up) falseDown++;
    else if (r.series >= (reference.get(r.target) ?? Infinity)) complete++;
  }
  const n = records.length;
  return { complete: (complete / n) * 100, falseDown: (falseDown / n) * 100, p99: percentile(lat, 99), p50: percentile(lat, 50), max: lat.at(-1) ?? NaN };
}

function reportPhase(report: Report, cond: string, phase: string, records: ScrapeRecord[], reference: Map<number, number>): string {
  const f = figures(records, reference);
  const down = records.filter((r) => !r.up);
  const why: Record<string, number> = {};
  for (const r of down) {
    const k = r.status === 0 ? 'no answer' : r.status !== 200 ? `HTTP ${r.status}` : 'bmc_up 0';
    why[k] = (why[k] ?? 0) + 1;
  }
  const k = `${cond}@${phase}`;
  report(`complete_share@${k}`, f.complete, '%', `${records.length} scrapes; complete = 200, bmc_up 1 and every series of the clean scrape`);
  report(`p99_duration@${k}`, f.p99, 'ms', `p50 ${f.p50.toFixed(0)} ms, slowest ${f.max.toFixed(0)} ms`);
  report(
    `false_bmc_up_0@${k}`,
    f.falseDown,
    '%',
    down.length
      ? Object.entries(why)
          .map(([w, n]) => `${w} ${n}`)
          .join(', ')
      : 'none',
  );
  return `| ${cond} | ${phase} | ${f.complete.toFixed(2)}% | ${f.p99.toFixed(0)} ms | ${f.falseDown.toFixed(2)}% |`;
}

export const benchmark: Benchmark = {
  name: 'fault-matrix',
  description: 'fault matrix: 1,000 simulated BMCs at 0/10/30% loss, duplicates, reordering, 50 ms delay; complete scrapes, p99 duration, false bmc_up 0',
  async run(report, log) {
    const count = env('MATRIX_TARGETS', 1000);
    const passes = env('MATRIX_PASSES', 2);
    const concurrency = env('MATRIX_CONCURRENCY', 32);
    const wanted = process.env.MATRIX_CONDITIONS ? process.env.MATRIX_CONDITIONS.split(',') : Object.keys(CONDITIONS);
    const unknown = wanted.filter((c) => !(c in CONDITIONS));
    if (unknown.length) throw new Error(`MATRIX_CONDITIONS: unknown ${unknown.join(', ')} (have ${Object.keys(CONDITIONS).join(', ')})`);
    const conditions = ['none', ...wanted.filter((c) => c !== 'none')];
    const def = { count, profile: 'server-2s', baseAddress: MATRIX_BASE_ADDRESS, port: 623, seed: 31, sessionIdleTimeoutMs: 3_600_000 };
    const dir = mkdtempSync(join(tmpdir(), 'bmc-exporter-matrix-'));
    const fleet = child('./fault-fleet-child.js', [JSON.stringify(def)]);
    const gen = child('./fault-scrape-child.js');
    let exp: ExporterProcess | undefined;
    const table = ['| condition | phase | complete | p99 | false bmc_up 0 |', '|---|---|---|---|---|'];
    try {
      if (!(pin(fleet.pid!, 1) && pin(gen.pid!, 1))) log('taskset not available: processes are separate but not pinned');
      const ready = await next<Extract<FromFaultFleet, { type: 'ready' }>>(fleet, 'ready', undefined, 120_000);
      log(`fleet of ${ready.count} BMCs from ${MATRIX_BASE_ADDRESS} bound in ${ready.bindMs.toFixed(0)} ms`);
      const reference = new Map<number, number>();
      const pass = (base: string, n: number) =>
        next<Passed>(
          gen,
          'passed',
          { type: 'pass', base, targets: ready.targets, concurrency, passes: n, timeoutHeaderSeconds: TIMEOUT_HEADER_SECONDS } satisfies ToScrape,
          1_800_000,
        );
      for (const cond of conditions) {
        await next(fleet, 'done', { type: 'faults', indexes: 'all', patch: { ...OFF, ...CONDITIONS[cond] } } satisfies ToFaultFleet, 120_000);
        // Sessions the last condition's exporter could not close (its Close Session lost) would
        // otherwise fill the BMCs' session slots: every condition starts from freshly restarted BMCs.
        await next(fleet, 'done', { type: 'restart', indexes: ready.targets.map((_, i) => i) } satisfies ToFaultFleet, 120_000);
        exp = await startExporterCli(secretsYaml(ready.secrets), dir, 0, `exporter-matrix-${cond}`);
        const cold = await pass(exp.base, 1);
        const warm = await pass(exp.base, passes);
        await exp.stop();
        exp = undefined;
        if (cond === 'none') {
          // Every BMC runs the same profile, so every complete scrape has as many series: the most
          // any clean scrape had (a clean scrape can itself be cut short on a busy machine).
          const full = Math.max(...[...cold.records, ...warm.records].filter((r) => r.up).map((r) => r.series));
          for (let i = 0; i < count; i++) reference.set(i, full);
          const clean = [...cold.records, ...warm.records].filter((r) => r.up && r.series >= full).length;
          log(`reference: ${full} series per complete scrape; ${clean}/${cold.records.length + warm.records.length} clean scrapes had them all`);
        }
        table.push(reportPhase(report, cond, 'cold', cold.records, reference));
        table.push(reportPhase(report, cond, 'warm', warm.records, reference));
        log(`${cond}: cold pass ${(cold.ms / 1000).toFixed(1)} s, ${passes} warm passes ${(warm.ms / 1000).toFixed(1)} s`);
      }
      log(`\n${table.join('\n')}`);
    } finally {
      if (exp) await exp.stop();
      if (gen.connected) gen.send({ type: 'close' } satisfies ToScrape);
      if (fleet.connected) fleet.send({ type: 'close' } satisfies ToFaultFleet);
      await Promise.all([stopped(gen), stopped(fleet)]);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
