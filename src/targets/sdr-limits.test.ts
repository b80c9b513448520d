import type { CommandHandler } from '@bmc-exporter/bmc-sim';
import { afterEach, describe, expect, it } from 'vitest';
import type { Exporter, StartOptions } from '../main.js';
import { samples, startSimTarget, writeSecrets, type SimTarget } from '../testing/sim-target.js';
import { startTestExporter } from '../testing/test-exporter.js';

const FAST = { initialTimeoutMs: 150, maxTimeoutMs: 300, backoff: 2, attempts: 2, sessionAttempts: 2 };
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const GET_SDR = { netFn: 0x0a, cmd: 0x23 } as const;

/**
 * Get SDR of record `from` answers with "next record ID" = 1 (the first record):
 * the repository's links form a cycle. The simulator numbers records 1..N.
 * Request (IPMI v2.0 §33.12): reservation (2), record ID (2), offset, bytes to read;
 * response data: next record ID (2), then the record's bytes.
 */
function cycleAfter(from: number): (model: CommandHandler) => CommandHandler {
  return (model) => (req, ctx) => {
    const rsp = model(req, ctx);
    if (req.netFn !== GET_SDR.netFn || req.cmd !== GET_SDR.cmd || !rsp?.data || rsp.completionCode !== 0) return rsp;
    if (req.data.readUInt16LE(2) !== from) return rsp;
    const data = Buffer.from(rsp.data);
    data.writeUInt16LE(1, 0);
    return { ...rsp, data };
  };
}

async function setup(wrap: (model: CommandHandler) => CommandHandler, opts: Partial<StartOptions> = {}): Promise<{ sim: SimTarget; exporter: Exporter }> {
  const sim = await startSimTarget('server-2s', wrap);
  cleanup.push(() => sim.close());
  const secrets = await writeSecrets([sim.target]);
  cleanup.push(() => secrets.remove());
  const exporter = await startTestExporter(secrets.path, opts, { retry: FAST });
  cleanup.push(() => exporter.close());
  return { sim, exporter };
}

const text = async (url: string) => (await fetch(url)).text();
const family = (m: Map<string, number>, name: string) => [...m.keys()].filter((k) => k.startsWith(`${name}{`));

describe('an SDR walk cut short', () => {
  it('by a cycle in its links: the sensors read before are exported, the cycle is reported in health and on the homepage', async () => {
    const { sim, exporter } = await setup(cycleAfter(4));
    const m = samples(await text(`${exporter.url}/bmc?target=${sim.target}`));
    expect(m.get('bmc_up')).toBe(1);
    // The first records (CPU temperatures) were read; the fans further on were not.
    expect(m.get('processor_temperature_celsius{cpu="1"}')).toBeCloseTo(45, 0);
    expect(family(m, 'fan_speed_rpm')).toEqual([]);
    // Four records, each read once and whole: no second lap.
    expect(sim.commands.get('0a:23')).toBe(4);

    const self = samples(await text(`${exporter.url}/metrics`));
    expect(self.get('bmc_exporter_sdr_incomplete_total{reason="cycle"}')).toBe(1);
    expect(self.get('bmc_exporter_healthy')).toBe(0);
    const status = exporter.pool.peek(sim.target)!.status;
    expect(status.lastError).toBe("SDR: SDR record 0x0004 links back to record 0x0001, already read: the repository's links form a cycle");
    expect(await text(`${exporter.url}/`)).toContain('SDR: SDR record 0x0004 links back to record 0x0001');

    // The next scrape uses the cached (partial) walk, and still says it is partial.
    sim.resetCounts();
    const again = samples(await text(`${exporter.url}/bmc?target=${sim.target}`));
    expect(again.get('processor_temperature_celsius{cpu="1"}')).toBeCloseTo(45, 0);
    expect(sim.commands.get('0a:23')).toBeUndefined();
    expect(exporter.pool.peek(sim.target)!.status.lastError).toMatch(/^SDR: .*cycle/);
    expect(samples(await text(`${exporter.url}/metrics`)).get('bmc_exporter_sdr_incomplete_total{reason="cycle"}')).toBe(1);
  });

  it('by --sdr.max-records: the records within it are used, the cap is reported', async () => {
    const { sim, exporter } = await setup((h) => h, { sdrMaxRecords: 4 });
    const m = samples(await text(`${exporter.url}/bmc?target=${sim.target}`));
    expect(m.get('bmc_up')).toBe(1);
    expect(m.get('processor_temperature_celsius{cpu="1"}')).toBeCloseTo(45, 0);
    expect(family(m, 'fan_speed_rpm')).toEqual([]);
    expect(sim.commands.get('0a:23')).toBe(4);
    const self = samples(await text(`${exporter.url}/metrics`));
    expect(self.get('bmc_exporter_sdr_incomplete_total{reason="record-limit"}')).toBe(1);
    expect(self.get('bmc_exporter_healthy')).toBe(0);
    expect(exporter.pool.peek(sim.target)!.status.lastError).toBe("SDR: SDR has more than 4 records (the walk's limit); the rest were not read");
  });

  it('by --sdr.max-bytes likewise', async () => {
    const { sim, exporter } = await setup((h) => h, { sdrMaxBytes: 200 });
    const m = samples(await text(`${exporter.url}/bmc?target=${sim.target}`));
    expect(m.get('bmc_up')).toBe(1);
    expect(family(m, 'fan_speed_rpm')).toEqual([]);
    expect(samples(await text(`${exporter.url}/metrics`)).get('bmc_exporter_sdr_incomplete_total{reason="byte-limit"}')).toBe(1);
    expect(exporter.pool.peek(sim.target)!.status.lastError).toMatch(/^SDR: SDR holds more than 200 bytes/);
  });

  it('a whole SDR within the default limits reports nothing', async () => {
    const { sim, exporter } = await setup((h) => h);
    const m = samples(await text(`${exporter.url}/bmc?target=${sim.target}`));
    expect(family(m, 'fan_speed_rpm')).toHaveLength(6);
    const self = samples(await text(`${exporter.url}/metrics`));
    expect(self.get('bmc_exporter_sdr_incomplete_total{reason="cycle"}')).toBe(0);
    expect(self.get('bmc_exporter_healthy')).toBe(1);
  });
});
