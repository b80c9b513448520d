// Runs in the vitest project "gc" (vitest.config.ts), whose worker has --expose-gc.
import { describe, it } from 'vitest';
import { runDeadlineUnderGc } from '../testing/deadline-under-gc.js';
import { expectDeadlinesKept } from '../testing/expect-deadlines-kept.js';

describe('the scrape deadline while the garbage collector runs', () => {
  it('/bmc answers every scrape of a silent and a garbage-answering BMC by its deadline plus a small bound: 200 with bmc_up 0, or 503 while queued', async () => {
    const r = await runDeadlineUnderGc({ endpoint: '/bmc', concurrency: 40, firstHeaderSeconds: 4.5, headerSeconds: 1.5 });
    expectDeadlinesKept(r, 40);
  }, 60_000);

  it('/ipmi (the ipmi_exporter-compatible endpoint) does the same: 200 with every ipmi_up 0, or 503 while queued', async () => {
    const r = await runDeadlineUnderGc({ endpoint: '/ipmi', concurrency: 40, firstHeaderSeconds: 4.5, headerSeconds: 1.5 });
    expectDeadlinesKept(r, 40);
  }, 60_000);
});
