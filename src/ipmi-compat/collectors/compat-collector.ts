import type { CollectContext } from '../../collectors/collector.js';
import type { CompatCollectorName, IpmiModule } from '../modules-config.js';

/**
 * What an ipmi_exporter-compatible collector gets: the scrape's context on
 * the shared session (whose `out` is the /ipmi answer) and its module.
 */
export interface CompatContext extends CollectContext {
  module: IpmiModule;
}

/**
 * One of ipmi_exporter's collectors. collect() throws when ipmi_exporter's
 * would have failed (its FreeIPMI command exiting non-zero or printing
 * nothing it could parse): the handler then sets ipmi_up{collector} 0.
 */
export interface CompatCollector {
  readonly name: CompatCollectorName;
  collect(ctx: CompatContext): Promise<void>;
}

/** A failure that is an answer, not a fault in the session (e.g. a BMC without DCMI). */
export class CollectorUnsupportedError extends Error {
  override name = 'CollectorUnsupportedError';
}
