import { Writable } from 'node:stream';
import { createLogger } from '../logger.js';
import { startExporter, type Exporter, type StartDeps, type StartOptions } from '../main.js';

/** The settings in-process exporter tests start from: loopback on a free port, nothing logged. */
export const TEST_EXPORTER_OPTIONS: StartOptions = {
  listen: { host: '127.0.0.1', port: 0 },
  scrapeTimeoutMs: 4000,
  scrapeTimeoutOffsetMs: 500,
  logLevel: 'error',
  logFormat: 'json',
  targetIdleTimeoutMs: 60_000,
  demo: false,
};

/** An exporter in this process reading `secretsFile`, quiet unless a test passes its own logger. */
export function startTestExporter(secretsFile: string, options: Partial<StartOptions> = {}, deps: StartDeps = {}): Promise<Exporter> {
  return startExporter(
    { ...TEST_EXPORTER_OPTIONS, secretsFile, ...options },
    { processMetrics: false, logger: createLogger({ level: 'error', format: 'json', destination: new Writable({ write: (_c, _e, cb) => cb() }) }), ...deps },
  );
}
