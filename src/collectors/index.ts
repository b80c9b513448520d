import { bmcInfoCollector } from './bmc-info.js';
import { chassisTemperatureCollector } from './chassis-temperature.js';
import { chassisCollector } from './chassis.js';
import type { Collector } from './collector.js';
import { dcmiCollector } from './dcmi.js';
import { fansCollector } from './fans.js';
import { powerDrawCollector } from './power-draw.js';
import { powerSupplyCollector } from './power-supply.js';
import { processorTemperatureCollector } from './processor-temperature.js';
import { selCollector } from './sel.js';
import { sensorHealthCollector } from './sensor-health.js';
import { sensorsCollector } from './sensors.js';
import { voltagesCollector } from './voltages.js';

export type { CollectContext, Collector, CollectTarget } from './collector.js';

/**
 * Every collector, in the order a scrape runs them: the bmc_exporter-compatible
 * ones first (bmc_info first: it is cached, so free when warm), so a tight
 * deadline cuts the newer families rather than the ones dashboards rely on.
 * Per-sensor collectors before sensor_health, which then finds most readings
 * already in the scrape's cache.
 */
export const ALL_COLLECTORS: readonly Collector[] = [
  bmcInfoCollector,
  chassisCollector,
  processorTemperatureCollector,
  powerDrawCollector,
  chassisTemperatureCollector,
  fansCollector,
  voltagesCollector,
  powerSupplyCollector,
  sensorHealthCollector,
  dcmiCollector,
  sensorsCollector,
  // Last: while it catches up on a large log it reads until a few round trips before the deadline.
  selCollector,
];

/** Collectors that run only when named (per target, by flag or by query parameter). */
export const OPT_IN_COLLECTORS: ReadonlySet<string> = new Set([
  /** every threshold sensor: many series per BMC, for users who ask for it */
  'sensors',
]);

/** What runs when nothing names collectors: everything but the opt-in ones. */
export const DEFAULT_COLLECTORS: readonly Collector[] = ALL_COLLECTORS.filter((c) => !OPT_IN_COLLECTORS.has(c.name));

/** The names a secrets entry, the --collectors.default flag or a ?collectors= parameter may use. */
export const COLLECTOR_NAMES: readonly string[] = ALL_COLLECTORS.map((c) => c.name);

/**
 * The collectors to run: those named, in run order (not the order given),
 * or `fallback` when no names are given. Names are looked up among
 * ALL_COLLECTORS and `fallback` (tests pass collectors of their own);
 * unknown names are ignored here: config, flag and query validation report them.
 */
export function selectCollectors(names: readonly string[] | undefined, fallback: readonly Collector[] = DEFAULT_COLLECTORS): readonly Collector[] {
  if (!names || names.length === 0) return fallback;
  const wanted = new Set(names);
  const extra = fallback.filter((c) => !COLLECTOR_NAMES.includes(c.name));
  return [...ALL_COLLECTORS, ...extra].filter((c) => wanted.has(c.name));
}

/** A collector list that cannot be used; the message names the known collectors. */
export class CollectorListError extends Error {
  override name = 'CollectorListError';
}

/**
 * Comma-separated collector names, from one value or several (Prometheus
 * sends `params: {collectors: [a, b]}` as `collectors=a&collectors=b`).
 * Throws CollectorListError for an empty list, an empty name or an unknown one.
 */
export function parseCollectorList(values: readonly string[], known: readonly string[] = COLLECTOR_NAMES): string[] {
  const names = values.flatMap((v) => v.split(',')).map((n) => n.trim());
  if (names.length === 0 || names.every((n) => n === '')) throw new CollectorListError(`name at least one collector; known collectors: ${known.join(', ')}`);
  if (names.includes('')) throw new CollectorListError(`a collector name is empty; known collectors: ${known.join(', ')}`);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new CollectorListError(
      `unknown collector${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; known collectors: ${known.join(', ')}`,
    );
  }
  return [...new Set(names)];
}
