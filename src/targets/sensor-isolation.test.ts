import type { CommandHandler } from '@bmc-exporter/bmc-sim';
import { afterEach, describe, expect, it } from 'vitest';
import type { Exporter } from '../main.js';
import { samples, startSimTarget, writeSecrets, type SimTarget } from '../testing/sim-target.js';
import { startTestExporter } from '../testing/test-exporter.js';

const FAST = { initialTimeoutMs: 150, maxTimeoutMs: 300, backoff: 2, attempts: 2, sessionAttempts: 2 };
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** Sensor numbers of server-2s (packages/bmc-sim profiles): FAN1-FAN6 are 0x10-0x15. */
const FAN3 = 0x12;
const GET_SENSOR_READING = { netFn: 0x04, cmd: 0x2d } as const;

/** Get Sensor Reading of `sensor` answered with completion code 0 and `answer` as its data; everything else as the model says. */
function brokenSensor(sensor: number, answer: Buffer): (model: CommandHandler) => CommandHandler {
  return (model) => (req, ctx) =>
    req.netFn === GET_SENSOR_READING.netFn && req.cmd === GET_SENSOR_READING.cmd && req.data[0] === sensor
      ? { completionCode: 0, data: answer }
      : model(req, ctx);
}

async function setup(wrap: (model: CommandHandler) => CommandHandler): Promise<{ sim: SimTarget; exporter: Exporter }> {
  const sim = await startSimTarget('server-2s', wrap);
  cleanup.push(() => sim.close());
  const secrets = await writeSecrets([sim.target]);
  cleanup.push(() => secrets.remove());
  const exporter = await startTestExporter(secrets.path, {}, { retry: FAST });
  cleanup.push(() => exporter.close());
  return { sim, exporter };
}

const text = async (url: string) => (await fetch(url)).text();
const family = (m: Map<string, number>, name: string) => [...m.keys()].filter((k) => k.startsWith(`${name}{`));

describe('one bad sensor reading', () => {
  it.each([
    ['no data bytes', Buffer.alloc(0)],
    ['one data byte', Buffer.from([0x40])],
  ])('(%s) costs only that sensor: the others are exported, the fault is counted and shown', async (_n, answer) => {
    const { sim, exporter } = await setup(brokenSensor(FAN3, answer));
    const m = samples(await text(`${exporter.url}/bmc?target=${sim.target}`));
    expect(m.get('bmc_up')).toBe(1);
    expect(family(m, 'fan_speed_rpm').sort()).toEqual(['FAN1', 'FAN2', 'FAN4', 'FAN5', 'FAN6'].map((f) => `fan_speed_rpm{fan="${f}"}`));
    // Every threshold sensor but FAN3: 4 temperatures, 5 fans, 5 voltages, 2 PSU wattages.
    const states = family(m, 'sensor_threshold_state');
    expect(states).toHaveLength(16);
    expect(states.some((k) => k.includes('"FAN3"'))).toBe(false);
    expect(m.get('voltage_volts{rail="12V"}')).toBeCloseTo(12, 0);
    expect(m.get('power_draw_watts{psu="2"}')).toBeGreaterThan(0);

    const self = samples(await text(`${exporter.url}/metrics`));
    // Once per sensor per scrape, though three collectors wanted FAN3.
    expect(self.get('bmc_exporter_sensor_read_errors_total{reason="malformed"}')).toBe(1);
    expect(self.get('bmc_exporter_healthy')).toBe(0);
    const status = exporter.pool.peek(sim.target)!.status;
    expect(status.lastError).toMatch(/^sensor "FAN3": Get Sensor Reading response/);
    expect(await text(`${exporter.url}/`)).toContain('sensor &quot;FAN3&quot;: Get Sensor Reading response');
  });

  it('a refusal of one sensor (completion code other than "not present") is isolated the same way', async () => {
    const { sim, exporter } = await setup(
      (model) => (req, ctx) =>
        req.netFn === GET_SENSOR_READING.netFn && req.cmd === GET_SENSOR_READING.cmd && req.data[0] === FAN3 ? { completionCode: 0xff } : model(req, ctx),
    );
    const m = samples(await text(`${exporter.url}/bmc?target=${sim.target}`));
    expect(family(m, 'fan_speed_rpm')).toHaveLength(5);
    expect(family(m, 'sensor_threshold_state')).toHaveLength(16);
    const self = samples(await text(`${exporter.url}/metrics`));
    expect(self.get('bmc_exporter_sensor_read_errors_total{reason="completion-code"}')).toBe(1);
    expect(exporter.pool.peek(sim.target)!.status.lastError).toMatch(/^sensor "FAN3": .*completion code 0xff/);
  });

  it('a healthy BMC counts no sensor faults and keeps the exporter healthy', async () => {
    const { sim, exporter } = await setup((h) => h);
    const m = samples(await text(`${exporter.url}/bmc?target=${sim.target}`));
    expect(family(m, 'fan_speed_rpm')).toHaveLength(6);
    expect(family(m, 'sensor_threshold_state')).toHaveLength(17);
    const self = samples(await text(`${exporter.url}/metrics`));
    expect(self.get('bmc_exporter_sensor_read_errors_total{reason="malformed"}')).toBe(0);
    expect(self.get('bmc_exporter_healthy')).toBe(1);
    expect(exporter.pool.peek(sim.target)!.status.lastError).toBeNull();
  });
});
