import { bmcInfoCollector } from './bmc-info.js';
import { chassisCollector } from './chassis.js';
import type { Collector } from './collector.js';
import { powerDrawCollector } from './power-draw.js';
import { processorTemperatureCollector } from './processor-temperature.js';

export type { CollectContext, Collector, CollectTarget } from './collector.js';

/** The bmc_exporter-compatible collectors, in the order a scrape runs them (bmc_info first: it is cached, so free when warm). */
export const DEFAULT_COLLECTORS: readonly Collector[] = [bmcInfoCollector, chassisCollector, processorTemperatureCollector, powerDrawCollector];

/** The collectors a target's config names (all when it names none); unknown names are ignored here (config validation reports them). */
export function selectCollectors(names: readonly string[] | undefined, all: readonly Collector[] = DEFAULT_COLLECTORS): readonly Collector[] {
  if (!names || names.length === 0) return all;
  const wanted = new Set(names);
  return all.filter((c) => wanted.has(c.name));
}
