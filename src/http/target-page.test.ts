// /target against one simulated BMC in process (the unit project's pattern:
// 127.0.0.1, a free port): the view comes from what scrapes kept, a GET
// sends nothing, the command count matches what the BMC received, and POST
// scrapes now and redirects back.
import { formatGuid, parseGuid } from '@bmc-exporter/ipmi';
import { PROFILES } from '@bmc-exporter/bmc-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { startExporter, type Exporter } from '../main.js';
import { SIM_USER, startSimTarget, writeSecrets } from '../testing/sim-target.js';
import type { TargetView } from './target-view.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup() {
  const sim = await startSimTarget('server-2s');
  cleanup.push(() => sim.close());
  const secrets = await writeSecrets([sim.target]);
  cleanup.push(() => secrets.remove());
  const exporter: Exporter = await startExporter(
    {
      listen: { host: '127.0.0.1', port: 0 },
      scrapeTimeoutMs: 2500,
      scrapeTimeoutOffsetMs: 500,
      logLevel: 'error',
      logFormat: 'json',
      targetIdleTimeoutMs: 60_000,
      demo: false,
      secretsFile: secrets.path,
    },
    { retry: { initialTimeoutMs: 150, maxTimeoutMs: 300, backoff: 2, attempts: 2, sessionAttempts: 2 }, processMetrics: false },
  );
  cleanup.push(() => exporter.close());
  const view = async (): Promise<TargetView> => (await fetch(`${exporter.url}/target?target=${sim.target}&format=json`)).json() as Promise<TargetView>;
  return { sim, exporter, view };
}

const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe('/target', () => {
  it('shows what the scrapes read, sends nothing itself, and counts the commands the BMC received', async () => {
    const { sim, exporter, view } = await setup();
    expect((await fetch(`${exporter.url}/target?target=${sim.target}`)).status).toBe(404);
    sim.model.setSensorValue('CPU1 Temp', 50);
    await fetch(`${exporter.url}/bmc?target=${sim.target}`);
    sim.resetCounts();
    await fetch(`${exporter.url}/bmc?target=${sim.target}`);
    const warmCommands = total(sim.commands);

    sim.resetCounts();
    const v = await view();
    const html = await (await fetch(`${exporter.url}/target?target=${sim.target}`)).text();
    expect(sim.requests).toBe(0);
    expect(html).not.toContain(SIM_USER.password);
    expect(JSON.stringify(v)).not.toContain(SIM_USER.password);

    expect(v.lastScrape).toMatchObject({ state: 'up', up: true, partial: false, errors: [], commands: warmCommands });
    expect(warmCommands).toBeGreaterThan(5);
    expect(v.bmcInfo).toMatchObject({ guid: formatGuid(parseGuid(PROFILES['server-2s']!.guid)), firmware: '2.47', ipmiVersion: '2.0' });
    expect(v.session).toMatchObject({ ipmiVersion: '2.0', privilege: 'user' });
    expect(v.session!.cipherSuite).toEqual(expect.any(Number));
    const cpu1 = v.sensors.find((s) => s.name === 'CPU1 Temp')!;
    expect(cpu1.state).toBe('ok');
    expect(cpu1.value).toBe(50);
    expect(v.powerSupplies.map((p) => [p.psu, p.present, p.failed])).toEqual([
      ['1', true, false],
      ['2', true, false],
    ]);
    expect(v.fans).toHaveLength(6);
    expect(v.dcmiPower?.currentWatts).toBeGreaterThan(0);
    // server-2s ships two SEL records, read on the first scrape: not new.
    expect(v.sel.events.map((e) => [e.category, e.fresh])).toEqual([
      ['ac-lost', false],
      ['memory-ecc-correctable', false],
    ]);
  });

  it('POST scrapes now and answers 303 back to the page; a target without credentials gets 403 and no packet', async () => {
    const { sim, exporter, view } = await setup();
    sim.model.setSensorValue('CPU1 Temp', 92);
    const r = await fetch(`${exporter.url}/target?target=${sim.target}`, { method: 'POST', redirect: 'manual' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe(`target?target=${encodeURIComponent(sim.target)}`);
    expect(sim.requests).toBeGreaterThan(0);
    expect((await view()).sensors.find((s) => s.name === 'CPU1 Temp')).toMatchObject({ state: 'critical', value: 92 });

    const refused = await fetch(`${exporter.url}/target?target=127.0.0.1:9`, { method: 'POST', redirect: 'manual' });
    expect(refused.status).toBe(403);
    expect((await fetch(`${exporter.url}/target`)).status).toBe(400);
  });
});
