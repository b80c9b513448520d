import type { CompatCollectorName } from '../modules-config.js';
import type { CompatCollector } from './compat-collector.js';
import { selEventsCompatCollector } from './sel-events.js';
import { ipmiSensorsCollector } from './sensors.js';
import {
  bmcCompatCollector,
  bmcWatchdogCompatCollector,
  chassisCompatCollector,
  dcmiCompatCollector,
  selCompatCollector,
  smLanModeCompatCollector,
} from './simple.js';

export type { CompatCollector, CompatContext } from './compat-collector.js';

/** ipmi_exporter's collectors by the name a module lists them under. */
export const COMPAT_COLLECTOR_BY_NAME: Readonly<Record<CompatCollectorName, CompatCollector>> = {
  ipmi: ipmiSensorsCollector,
  dcmi: dcmiCompatCollector,
  bmc: bmcCompatCollector,
  'bmc-watchdog': bmcWatchdogCompatCollector,
  chassis: chassisCompatCollector,
  sel: selCompatCollector,
  'sel-events': selEventsCompatCollector,
  'sm-lan-mode': smLanModeCompatCollector,
};
