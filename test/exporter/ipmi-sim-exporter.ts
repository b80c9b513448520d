// The exporter in-process against one ipmi_sim BMC, logging in with the
// simulator's USER-privilege account (as a monitoring system should): the
// setup every exporter-vs-ipmi_sim test shares.
import { Writable } from 'node:stream';
import { createLogger, type LogLevel } from '../../src/logger.js';
import { startExporter, type Exporter } from '../../src/main.js';
import { startIpmiSim, type IpmiSimHandle } from '../peers/ipmi-sim.js';
import { tempDir, type TempDir } from './cli.js';

export interface IpmiSimExporter {
  sim: IpmiSimHandle;
  exporter: Exporter;
  /** "127.0.0.x:623" */
  target: string;
  /** Everything the exporter logged (JSON lines). */
  readonly log: string;
  close(): Promise<void>;
}

export interface IpmiSimExporterOptions {
  logLevel?: LogLevel;
  /** `--sdr.cache-dir` */
  sdrCacheDir?: string;
  /** A simulator already running (at `address`): used, and left running by close(). */
  sim?: IpmiSimHandle;
  /** The address the exporter scrapes, when not the simulator's own (a relay in front of it). */
  target?: string;
}

export async function startIpmiSimExporter(address: string, o: IpmiSimExporterOptions = {}): Promise<IpmiSimExporter> {
  const own = o.sim === undefined;
  const sim = o.sim ?? (await startIpmiSim({ address }));
  const target = o.target ?? `${sim.host}:${sim.port}`;
  let dir: TempDir | undefined;
  let log = '';
  try {
    dir = await tempDir('bmc-exporter-ipmisim-');
    const secrets = await dir.write('secrets.yml', { [target]: { username: sim.users.user.username, password: sim.users.user.password } });
    const level = o.logLevel ?? 'error';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        log += String(chunk);
        cb();
      },
    });
    const exporter = await startExporter(
      {
        listen: { host: '127.0.0.1', port: 0 },
        secretsFile: secrets,
        scrapeTimeoutMs: 10_000,
        scrapeTimeoutOffsetMs: 500,
        logLevel: level,
        logFormat: 'json',
        targetIdleTimeoutMs: 600_000,
        demo: false,
        ...(o.sdrCacheDir === undefined ? {} : { sdrCacheDir: o.sdrCacheDir }),
      },
      { processMetrics: false, logger: createLogger({ level, format: 'json', destination: sink }) },
    );
    const d = dir;
    return {
      sim,
      exporter,
      target,
      get log() {
        return log;
      },
      async close() {
        await exporter.close();
        if (own) await sim.stop();
        await d.remove();
      },
    };
  } catch (err) {
    if (own) await sim.stop();
    await dir?.remove();
    throw err;
  }
}
