import { ConfigError } from './secrets.js';
import { loadSecretsFileOffThread } from './secrets-loader.js';
import type { ParseSecretsOptions, Secrets } from './secrets.js';

export interface SecretsStoreHooks {
  /** After every reload() (not the first load): E2 counts failures in a metric and logs. */
  reloaded?(ok: boolean, error?: ConfigError): void;
}

export type ReloadResult = { ok: true } | { ok: false; error: ConfigError };

const EMPTY: Secrets = { lookup: () => undefined, size: 0, targets: () => [], discovery: () => [] };

/**
 * The secrets file behind SIGHUP and POST /-/reload. A reload swaps the whole
 * table at once (readers never see half a file), and a bad file keeps the
 * config that was working: a typo must not cut off every BMC.
 */
export class SecretsStore {
  private secrets: Secrets = EMPTY;
  private loaded = false;
  /** Reloads in flight are chained so a slow older read never replaces a newer one. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly hooks: SecretsStoreHooks = {},
    private readonly parseOptions: ParseSecretsOptions = {},
  ) {}

  get current(): Secrets {
    return this.secrets;
  }

  /** The first load: a bad or missing file throws ConfigError and the exporter should not start. */
  async load(): Promise<void> {
    this.secrets = await loadSecretsFileOffThread(this.path, this.parseOptions);
    this.loaded = true;
  }

  reload(): Promise<ReloadResult> {
    const next = this.chain.then(() => this.reloadNow());
    this.chain = next;
    return next;
  }

  private async reloadNow(): Promise<ReloadResult> {
    let result: ReloadResult;
    try {
      this.secrets = await loadSecretsFileOffThread(this.path, this.parseOptions, this.secrets);
      this.loaded = true;
      result = { ok: true };
    } catch (err) {
      const error = err instanceof ConfigError ? err : new ConfigError(this.path, `cannot reload: ${(err as Error).message}`);
      result = { ok: false, error };
    }
    this.hooks.reloaded?.(result.ok, result.ok ? undefined : result.error);
    return result;
  }

  /** True once some file has been read successfully. */
  get hasLoaded(): boolean {
    return this.loaded;
  }
}
