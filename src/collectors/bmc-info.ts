import { formatGuid } from '@bmc-exporter/ipmi';
import type { Collector } from './collector.js';
import { formatFirmwareLabel } from './firmware.js';

/** gebn/bmc_exporter bmc/subcollector/bmc_info.go. */
export const BMC_INFO = {
  name: 'bmc_info',
  help: "Provides the BMC's GUID, firmware, and the version of IPMI used to scrape it. Constant 1.",
  labelNames: ['guid', 'firmware', 'ipmi'],
} as const;

/**
 * bmc_info{guid, firmware, ipmi} = 1. Get Device ID and Get System GUID do not
 * change within a session, so a warm scrape sends nothing for this. A BMC
 * without Get System GUID gets guid="" instead of no series at all.
 */
export const bmcInfoCollector: Collector = {
  name: 'bmc_info',
  async collect({ target, signal, out }) {
    const { device, guid } = await target.deviceInfo(signal);
    out.set(BMC_INFO, 1, {
      guid: guid ? formatGuid(guid) : '',
      firmware: formatFirmwareLabel(device),
      ipmi: target.ipmiVersion,
    });
  },
};
