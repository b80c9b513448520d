// Benchmark runner: `npm run bench [-- NAME ...]`. Runs every module in this
// directory that exports `benchmark` (or only the named ones; helpers a
// benchmark forks are named *-child.ts and skipped), prints one JSON
// object per measured figure on stdout as it goes, then a readable summary.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface Measurement {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  note?: string;
}

export type Report = (metric: string, value: number, unit: string, note?: string) => void;

export interface Benchmark {
  name: string;
  description: string;
  run(report: Report, log: (line: string) => void): Promise<void>;
}

async function discover(): Promise<Map<string, Benchmark>> {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const found = new Map<string, Benchmark>();
  for (const f of readdirSync(dir).sort()) {
    // *-child.js are processes a benchmark forks; importing them would start them.
    if (!f.endsWith('.js') || f === 'run.js' || f.endsWith('-child.js')) continue;
    const mod = (await import(pathToFileURL(`${dir}/${f}`).href)) as { benchmark?: Benchmark };
    if (mod.benchmark) found.set(mod.benchmark.name, mod.benchmark);
  }
  return found;
}

async function main(names: string[]): Promise<number> {
  const all = await discover();
  const unknown = names.filter((n) => !all.has(n));
  if (unknown.length) {
    console.error(`bench: unknown benchmark ${unknown.join(', ')} (have: ${[...all.keys()].join(', ')})`);
    return 2;
  }
  const chosen = names.length ? names.map((n) => all.get(n)!) : [...all.values()];
  const results: Measurement[] = [];
  let failed = 0;
  for (const b of chosen) {
    const log = (line: string) => console.error(`[${b.name}] ${line}`);
    log(b.description);
    const t0 = performance.now();
    try {
      await b.run((metric, value, unit, note) => {
        const m: Measurement = { bench: b.name, metric, value, unit, ...(note ? { note } : {}) };
        results.push(m);
        console.log(JSON.stringify(m));
      }, log);
    } catch (err) {
      failed++;
      console.log(JSON.stringify({ bench: b.name, error: (err as Error).message }));
    }
    log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  console.error('\nSummary');
  for (const m of results) {
    const v = Number.isInteger(m.value) ? String(m.value) : m.value.toFixed(m.value < 10 ? 3 : 1);
    console.error(`  ${m.bench.padEnd(12)} ${m.metric.padEnd(28)} ${v.padStart(12)} ${m.unit}${m.note ? `  (${m.note})` : ''}`);
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
