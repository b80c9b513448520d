import { stringify } from 'yaml';
import type { SecretsFile } from './fleet.js';

/**
 * The secrets file as bmc_exporter reads it (gebn/bmc_exporter
 * session/file/provider.go: a strict YAML map from the scrape target
 * "host:port" to `username` and `password`, nothing else).
 */
export function formatSecretsFile(secrets: SecretsFile): string {
  return `# bmc-sim fleet credentials, in bmc_exporter's secrets file format\n${stringify(secrets)}`;
}
