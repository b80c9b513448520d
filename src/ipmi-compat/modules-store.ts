import { ConfigError } from '../config/config-error.js';
import { loadModulesConfig, type ModulesConfig } from './modules-config.js';

/**
 * The modules file behind SIGHUP and POST /-/reload, as the secrets store:
 * a reload swaps the whole table at once, and a bad file keeps the modules
 * that were working (ipmi_exporter does the same).
 */
export class ModulesStore {
  private config: ModulesConfig = { modules: new Map(), ignored: [] };
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  get current(): ModulesConfig {
    return this.config;
  }

  /** The first load: a bad or missing file throws ConfigError and the exporter does not start. */
  async load(): Promise<ModulesConfig> {
    this.config = await loadModulesConfig(this.path);
    return this.config;
  }

  reload(): Promise<{ ok: true } | { ok: false; error: ConfigError }> {
    const next = this.chain.then(async () => {
      try {
        this.config = await loadModulesConfig(this.path);
        return { ok: true as const };
      } catch (err) {
        return { ok: false as const, error: err instanceof ConfigError ? err : new ConfigError(this.path, `cannot reload: ${(err as Error).message}`) };
      }
    });
    this.chain = next;
    return next;
  }
}
