import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExporterMetrics } from './exporter-metrics.js';
import { HealthTracker } from './health.js';

/**
 * The metric contract of /metrics (docs/metrics.md): every family's name,
 * help, type, label names and buckets, and the exposition an idle exporter
 * serves, as recorded from the exporter before its definitions became a
 * table. A family renamed, retyped, relabelled or reworded fails here; adding
 * one means adding it to the recorded file too, on purpose.
 */
const RECORDED = JSON.parse(readFileSync(new URL('./exporter-metrics.contract.json', import.meta.url), 'utf8')) as {
  families: unknown[];
  exposition: string[];
};

async function contractOf(metrics: ExporterMetrics): Promise<{ families: unknown[]; exposition: string[] }> {
  const json = await metrics.registry.getMetricsAsJSON();
  const families = metrics.registry.getMetricsAsArray().map((metric, i) => {
    const { name, help, labelNames, upperBounds } = metric as unknown as { name: string; help: string; labelNames: string[]; upperBounds?: number[] };
    return { name, help, type: json[i]?.type, labelNames: [...labelNames], ...(upperBounds ? { buckets: [...upperBounds] } : {}) };
  });
  return { families, exposition: (await metrics.registry.metrics()).split('\n') };
}

describe('ExporterMetrics', () => {
  it('keeps the recorded contract: names, help texts, types, labels, buckets and the series an idle exporter shows', async () => {
    const metrics = new ExporterMetrics({ version: '1.2.3', commit: 'abc', health: new HealthTracker(), processMetrics: false });
    expect(await contractOf(metrics)).toEqual(RECORDED);
  });

  it('reads the scrape-time gauges from its options at every scrape', async () => {
    const health = new HealthTracker();
    let targets = 3;
    const metrics = new ExporterMetrics({ version: 'v', commit: 'c', health, targetCount: () => targets, targetsBackingOff: () => 1, processMetrics: false });
    const value = async (name: string) => (await metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value;
    expect(await value('bmc_exporter_targets')).toBe(3);
    targets = 5;
    expect(await value('bmc_exporter_targets')).toBe(5);
    expect(await value('bmc_exporter_targets_backing_off')).toBe(1);
    expect(await value('bmc_exporter_sockets_open')).toBe(0);
    expect(await value('bmc_exporter_healthy')).toBe(1);
    health.markTransportFailed();
    expect(await value('bmc_exporter_healthy')).toBe(0);
  });

  it('gives each family a typed property that counts into the registry', async () => {
    const metrics = new ExporterMetrics({ version: 'v', commit: 'c', health: new HealthTracker(), processMetrics: false });
    metrics.clientHooks.commandCompleted('Get Device ID', 0.002, 'timeout');
    metrics.clientHooks.sessionOpened({} as never);
    const text = await metrics.registry.metrics();
    expect(text).toContain('bmc_exporter_command_failures_total{command="Get Device ID",outcome="timeout"} 1');
    expect(text).toContain('bmc_exporter_sessions_open 1');
    expect(text).toContain('bmc_exporter_command_duration_seconds_count{command="Get Device ID"} 1');
  });
});
