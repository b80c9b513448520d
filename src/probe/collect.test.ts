import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_COLLECTORS } from '../collectors/index.js';
import { ExporterMetrics } from '../metrics/exporter-metrics.js';
import { Exposition } from '../metrics/exposition.js';
import { HealthTracker } from '../metrics/health.js';
import { parseTargetAddress } from '../targets/target-address.js';
import { Target } from '../targets/target.js';
import { samples, SIM_USER, startSimTarget, type SimTarget } from '../testing/sim-target.js';
import { UdpTransport } from '@bmc-exporter/ipmi';
import { collectProbe } from './collect.js';

const GET_SENSOR_READING = '04:2d';

let sim: SimTarget | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const probeOf = (s: SimTarget) => ({ address: parseTargetAddress(s.target), credentials: { ...SIM_USER }, selEvents: 5 });

describe("probe: one read of the BMC through the exporter's collectors and session cache", () => {
  it('asks each command once: the report reuses what the collectors read', async () => {
    sim = await startSimTarget('server-2s');
    const { result, exposition } = await collectProbe(probeOf(sim), AbortSignal.timeout(20_000));
    expect(result.errors).toEqual({});
    expect(result.sensors.length).toBeGreaterThan(0);
    // Every SDR sensor is in the report, and each one the BMC can read was asked once, though
    // collectors read many of them too (the library answers the others without a command).
    const readable = result.sensors.filter((s) => s.state !== 'unavailable');
    expect(readable.length).toBeGreaterThan(10);
    expect(sim.commands.get(GET_SENSOR_READING)).toBe(readable.length);
    expect(sim.commands.get('00:01')).toBe(1); // Get Chassis Status
    expect(sim.commands.get('06:01')).toBe(1); // Get Device ID
    expect(sim.commands.get('0a:40')).toBe(1); // Get SEL Info

    // Two renderings of one read: the report's values are the exposition's.
    const metrics = samples(exposition.text());
    expect(metrics.get('bmc_up')).toBe(1);
    expect(metrics.get('chassis_powered_on')).toBe(result.chassis?.poweredOn ? 1 : 0);
    expect(metrics.get('sel_entries')).toBe(result.sel?.entries);
    expect(metrics.get('dcmi_power_current_watts')).toBe(result.dcmiPower?.currentWatts);
    expect(result.device?.firmware).toBeTruthy();
    expect(result.guid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("serves the families a /bmc scrape of the exporter's Target serves", async () => {
    sim = await startSimTarget('server-2s');
    const { exposition } = await collectProbe(probeOf(sim), AbortSignal.timeout(20_000));
    const transport = new UdpTransport();
    const target = new Target({
      address: parseTargetAddress(sim.target),
      credentials: { ...SIM_USER },
      transport,
      metrics: new ExporterMetrics({ version: 'v', commit: 'c', health: new HealthTracker(), processMetrics: false }),
      health: new HealthTracker(),
      collectors: DEFAULT_COLLECTORS,
    });
    const scraped = new Exposition('Nan');
    try {
      await target.scrape(AbortSignal.timeout(20_000), scraped);
    } finally {
      await target.close();
      await transport.close();
    }
    const names = (exposition: Exposition) => [...exposition.samples().keys()];
    // The probe runs every collector, the opt-in ones too: a superset of the default scrape.
    expect(names(exposition)).toEqual(expect.arrayContaining(names(scraped)));
  });

  it("a wrong password is the probe's failure, thrown with its class", async () => {
    sim = await startSimTarget('server-2s');
    const probe = { ...probeOf(sim), credentials: { username: SIM_USER.username, password: 'wrong' } };
    await expect(collectProbe(probe, AbortSignal.timeout(20_000))).rejects.toMatchObject({ name: 'AuthenticationError' });
  });
});
