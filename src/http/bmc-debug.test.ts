import { Writable } from 'node:stream';
import { CompletionCode } from '@bmc-exporter/ipmi';
import { FaultInjector, type CommandHandler } from '@bmc-exporter/bmc-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { startExporter, type Exporter } from '../main.js';
import { samples, SIM_USER, startSimTarget, writeSecrets, type SimTarget } from '../testing/sim-target.js';

const FAST = { initialTimeoutMs: 150, maxTimeoutMs: 300, backoff: 2, attempts: 2, sessionAttempts: 2 };
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** Sensor numbers of server-2s (packages/bmc-sim profiles): FAN3 is 0x12. */
const FAN3 = 0x12;
const GET_SENSOR_READING = { netFn: 0x04, cmd: 0x2d } as const;
const METRICS_HEADING = 'Metrics that would have been returned:\n';

let logText = '';
async function setup(opts: { wrap?: (model: CommandHandler) => CommandHandler; faults?: FaultInjector; secrets?: (target: string) => string } = {}) {
  const sim = await startSimTarget('server-2s', opts.wrap, opts.faults);
  cleanup.push(() => sim.close());
  const secrets = await writeSecrets([sim.target]);
  cleanup.push(() => secrets.remove());
  if (opts.secrets) await secrets.rewrite(opts.secrets(sim.target));
  logText = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logText += String(chunk);
      cb();
    },
  });
  const exporter = await startExporter(
    {
      listen: { host: '127.0.0.1', port: 0 },
      secretsFile: secrets.path,
      scrapeTimeoutMs: 8000,
      scrapeTimeoutOffsetMs: 500,
      logLevel: 'debug',
      logFormat: 'json',
      targetIdleTimeoutMs: 60_000,
      demo: false,
    },
    { retry: FAST, processMetrics: false, logger: createLogger({ level: 'debug', format: 'json', destination: sink }) },
  );
  cleanup.push(() => exporter.close());
  return { sim, exporter };
}

async function get(exporter: Exporter, path: string) {
  const res = await fetch(`${exporter.url}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

const debugScrape = (e: Exporter, sim: SimTarget, extra = '') => get(e, `/bmc?target=${sim.target}&debug=true${extra}`);

/** The debug answer's two parts: the log lines and the exposition after the heading. */
function split(text: string): { log: string[]; metrics: string } {
  const at = text.indexOf(METRICS_HEADING);
  expect(at).toBeGreaterThan(0);
  return { log: text.slice(0, at).split('\n'), metrics: text.slice(at + METRICS_HEADING.length) };
}

const families = (exposition: string) => new Set(exposition.split('\n').filter((l) => l.startsWith('# TYPE ')));
const count = (log: string[], re: RegExp) => log.filter((l) => re.test(l)).length;

function expectNoCredential(text: string, password: string = SIM_USER.password): void {
  expect(text).not.toContain(password);
  expect(text).not.toContain(SIM_USER.username);
}

describe('/bmc?debug=true', () => {
  it('logs the session set-up and each command with its duration and completion code, then the metrics of a normal scrape', async () => {
    const { sim, exporter } = await setup();
    const res = await debugScrape(exporter, sim);
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/plain; charset=utf-8');
    const { log, metrics } = split(res.text);
    expect(log[0]).toBe(`Log of the scrape of ${sim.target} (deadline 8.000s, collectors of the target's configuration):`);
    // Session set-up, step by step, before the session is reported open.
    const setUp = log.filter((l) => l.includes(' session set-up ')).map((l) => l.replace(/^.* session set-up ([^:]+):.*$/, '$1'));
    // The simulator lists its 12 suites in 16-byte pieces: four Get Channel Cipher Suites.
    const suites = Array<string>(4).fill('Get Channel Cipher Suites');
    expect(setUp).toEqual(['Get Channel Authentication Capabilities', ...suites, 'Open Session', 'RAKP 1', 'RAKP 3']);
    expect(log[1]).toMatch(/^\+ +\d+\.\d{3}s session set-up Get Channel Authentication Capabilities: \d+\.\d{3}s cc=0x00 \(Command completed normally\)$/);
    expect(log).toContainEqual(expect.stringMatching(/ session set-up RAKP 3: \d+\.\d{3}s ok$/));
    expect(log[setUp.length + 1]).toMatch(/^\+ +\d+\.\d{3}s session opened: IPMI 2\.0, cipher suite 17, privilege user$/);
    expect(log).toContainEqual(expect.stringMatching(/^\+ +\d+\.\d{3}s command Get Device ID: \d+\.\d{3}s cc=0x00 \(Command completed normally\)$/));
    expect(log).toContainEqual(expect.stringMatching(/^\+ +\d+\.\d{3}s command Get Sensor Reading: \d+\.\d{3}s cc=0x00 \(Command completed normally\)$/));
    // The totals agree with the lines and with what the console counts for the scrape.
    const commands = count(log, / command /);
    expect(commands).toBe(exporter.pool.peek(sim.target)!.status.commands);
    expect(log).toContain(`totals: ${commands} commands, 0 retries, 0 dropped packets`);
    expect(log).toContainEqual(expect.stringMatching(/^result: up=1 after \d+\.\d{3}s$/));
    expect(log.some((l) => l.startsWith('errors:'))).toBe(false);

    const m = samples(metrics);
    expect(m.get('bmc_up')).toBe(1);
    expect(m.get('fan_speed_rpm{fan="FAN3"}')).toBeGreaterThan(0);
    // The same families and series as a normal scrape of the same BMC.
    const normal = await get(exporter, `/bmc?target=${sim.target}`);
    expect(normal.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(normal.text).not.toContain('Log of the scrape');
    expect(families(metrics)).toEqual(families(normal.text));
    expect([...m.keys()].sort()).toEqual([...samples(normal.text).keys()].sort());
    expectNoCredential(res.text);

    // A warm scrape reuses the session: no set-up, and only what the collectors asked for.
    const warm = split((await debugScrape(exporter, sim, '&collectors=chassis')).text);
    expect(warm.log[0]).toContain('collectors chassis)');
    expect(warm.log).toContainEqual(expect.stringMatching(/session reused: IPMI 2\.0, cipher suite 17, privilege user$/));
    expect(count(warm.log, /session opened/)).toBe(0);
    expect(warm.log.filter((l) => / command /.test(l)).map((l) => l.replace(/^.* command ([^:]+):.*$/, '$1'))).toEqual(['Get Chassis Status']);
  });

  it('logs the privilege raise of an administrator session as a set-up step', async () => {
    const { sim, exporter } = await setup({
      secrets: (t) => `"${t}":\n  username: ${SIM_USER.username}\n  password: ${SIM_USER.password}\n  privilege: administrator\n`,
    });
    const res = await debugScrape(exporter, sim, '&collectors=chassis');
    const { log } = split(res.text);
    const setUp = log.filter((l) => l.includes(' session set-up ')).map((l) => l.replace(/^.* session set-up ([^:]+): \d+\.\d{3}s (.*)$/, '$1: $2'));
    expect(setUp.slice(-3)).toEqual(['RAKP 1: ok', 'RAKP 3: ok', 'Set Session Privilege Level: cc=0x00 (Command completed normally)']);
    expect(log).toContainEqual(expect.stringMatching(/ session opened: IPMI 2\.0, cipher suite 17, privilege administrator$/));
    expectNoCredential(res.text);
  });

  it('names the completion code of a sensor the BMC says is not present', async () => {
    const { sim, exporter } = await setup({
      wrap: (model) => (req, ctx) =>
        req.netFn === GET_SENSOR_READING.netFn && req.cmd === GET_SENSOR_READING.cmd && req.data[0] === FAN3
          ? { completionCode: CompletionCode.notPresent }
          : model(req, ctx),
    });
    const { log, metrics } = split((await debugScrape(exporter, sim)).text);
    expect(log).toContainEqual(expect.stringMatching(/ command Get Sensor Reading: \d+\.\d{3}s cc=0xcb \(Requested sensor, data, or record not present\)$/));
    expect(samples(metrics).has('fan_speed_rpm{fan="FAN3"}')).toBe(false);
    expect(samples(metrics).get('fan_speed_rpm{fan="FAN4"}')).toBeGreaterThan(0);
  });

  it('shows retries and dropped packets under loss and duplicated answers, in step with the self-metrics', async () => {
    const faults = new FaultInjector({ lossPercent: 10, duplicatePercent: 100 }, { seed: 3 });
    const { sim, exporter } = await setup({ faults });
    const { log } = split((await debugScrape(exporter, sim)).text);
    const retries = count(log, /^\+ +\d+\.\d{3}s retry /);
    const dropped = count(log, /^\+ +\d+\.\d{3}s dropped packet: (no-match|stale-sequence)$/);
    expect(faults.counters.dropped.loss).toBeGreaterThan(0);
    expect(retries).toBeGreaterThan(0);
    expect(dropped).toBeGreaterThan(0);
    expect(log).toContain(`totals: ${count(log, / command /)} commands, ${retries} retries, ${dropped} dropped packets`);
    // A retried command says so on its own line.
    expect(log).toContainEqual(expect.stringMatching(/ command [^:]+: \d+\.\d{3}s .*retries=\d+/));
    // Every retry of the scrape is in the log (the only scrape this exporter made).
    const self = samples((await get(exporter, '/metrics')).text);
    const counted = [...self].filter(([k]) => k.startsWith('bmc_exporter_command_retries_total{')).reduce((a, [, v]) => a + v, 0);
    expect(counted).toBe(retries);
  });

  it('for a BMC that refuses the password: the session failure, up=0, and neither the user name nor either password', async () => {
    const wrong = 'Wrong-Secret-77';
    const { sim, exporter } = await setup({ secrets: (t) => `"${t}":\n  username: ${SIM_USER.username}\n  password: ${wrong}\n` });
    const res = await debugScrape(exporter, sim);
    expect(res.status).toBe(200);
    const { log, metrics } = split(res.text);
    expect(count(log, /session opened/)).toBe(0);
    // The BMC's RAKP 2 proves another password: the step fails, the session is refused.
    expect(log).toContainEqual(expect.stringMatching(/ session set-up RAKP 1: \d+\.\d{3}s failed$/));
    expect(log).toContainEqual(expect.stringMatching(/session refused: no new attempt for \d+\.\d{3}s$/));
    expect(log).toContainEqual(expect.stringMatching(/^result: up=0 after /));
    const errorsAt = log.indexOf('errors:');
    expect(errorsAt).toBeGreaterThan(0);
    expect(log[errorsAt + 1]).toMatch(/^ {2}session: /);
    expect(samples(metrics).get('bmc_up')).toBe(0);
    expectNoCredential(res.text, wrong);
    expectNoCredential(res.text);
    expectNoCredential(logText, wrong);
  });

  it('keeps /bmc rules: 400 for a bad debug value (nothing sent), 403 without credentials', async () => {
    const { sim, exporter } = await setup();
    for (const bad of ['yes', '1', 'true&debug=true']) {
      const res = await get(exporter, `/bmc?target=${sim.target}&debug=${bad}`);
      expect(res.status).toBe(400);
      expect(res.text).toContain("bad 'debug' parameter");
    }
    expect(sim.requests).toBe(0);
    const other = await startSimTarget();
    cleanup.push(() => other.close());
    const refused = await debugScrape(exporter, other);
    expect(refused.status).toBe(403);
    expect(other.requests).toBe(0);
    // debug=false is a normal scrape.
    const normal = await get(exporter, `/bmc?target=${sim.target}&debug=false`);
    expect(normal.status).toBe(200);
    expect(normal.text).not.toContain('Log of the scrape');
    expect(samples(normal.text).get('bmc_up')).toBe(1);
  });
});
