import { CompletionCodeError, formatFirmware, getChassisStatus, getSelInfo, type DeviceId } from '@bmc-exporter/ipmi';
import { labelText } from '../../metrics/exposition.js';
import { getSystemFirmwareVersionBlock, getWatchdogTimer, supermicroGetLanMode } from '../commands.js';
import { freeipmiManufacturer } from '../freeipmi-names.js';
import { CollectorUnsupportedError, type CompatCollector, type CompatContext } from './compat-collector.js';

/** ipmi_exporter reads leading digits and dots out of FreeIPMI's text (`[0-9.]*`). */
const leadingVersion = (text: string) => /^[0-9.]*/.exec(text)?.[0] ?? '';

/** One instance, thrown on every scrape of a BMC without DCMI: no stack trace captured per scrape. */
const NO_DCMI = new CollectorUnsupportedError('the BMC does not answer DCMI Get Power Reading');

// The families' specs, made once (not an object per scrape).
const DCMI_POWER = { name: 'ipmi_dcmi_power_consumption_watts', help: 'Current power consumption in Watts.' };
const BMC_INFO = {
  name: 'ipmi_bmc_info',
  help: "Constant metric with value '1' providing details about the BMC.",
  labelNames: ['firmware_revision', 'manufacturer_id', 'system_firmware_version'],
};
const CHASSIS_POWER = { name: 'ipmi_chassis_power_state', help: 'Current power state (1=on, 0=off).' };
const CHASSIS_DRIVE_FAULT = { name: 'ipmi_chassis_drive_fault_state', help: 'Current drive fault state (1=false, 0=true).' };
const CHASSIS_COOLING_FAULT = { name: 'ipmi_chassis_cooling_fault_state', help: 'Current Cooling/fan fault state (1=false, 0=true).' };
const SEL_ENTRIES = { name: 'ipmi_sel_logs_count', help: 'Current number of log entries in the SEL.' };
const SEL_FREE = { name: 'ipmi_sel_free_space_bytes', help: 'Current free space remaining for new SEL entries.' };

/** `dcmi` (ipmi-dcmi --get-system-power-statistics): the current power, whatever the measurement state. */
export const dcmiCompatCollector: CompatCollector = {
  name: 'dcmi',
  async collect(ctx) {
    const p = await ctx.dcmiPowerReading();
    if (!p) throw NO_DCMI;
    ctx.out.setLabelled(DCMI_POWER, '', p.currentWatts);
  },
};

/**
 * The system firmware (BIOS) version, Get System Info Parameters 1, as
 * bmc-info prints it: the string over as many 16-byte sets as its length
 * needs. Null when the BMC does not keep it (ipmi_exporter then says "N/A").
 */
async function systemFirmwareVersion(ctx: CompatContext): Promise<string | null> {
  let first;
  try {
    first = await ctx.execute(getSystemFirmwareVersionBlock, { set: 0 }, { signal: ctx.signal });
  } catch (err) {
    if (err instanceof CompletionCodeError) return null;
    throw err;
  }
  if (first.data.length < 2) return null;
  const length = first.data[1] ?? 0;
  const parts = [first.data.subarray(2)];
  let have = parts[0]?.length ?? 0;
  // At most 16 sets: the length byte cannot ask for more than 255 bytes.
  for (let set = 1; have < length && set < 17; set++) {
    const next = await ctx.execute(getSystemFirmwareVersionBlock, { set }, { signal: ctx.signal });
    if (next.data.length === 0) break;
    parts.push(next.data);
    have += next.data.length;
  }
  return Buffer.concat(parts).subarray(0, length).toString('latin1').replace(/\0+$/, '');
}

/**
 * ipmi_bmc_info's label text per session, keyed by the session's cached
 * device info (a new object each session): the system firmware version is
 * asked once per session like Get Device ID, not on every scrape as bmc-info
 * does, and the labels are built once from both. A failed read is not kept.
 */
const infoLabelsBySession = new WeakMap<object, Promise<string>>();

function infoLabels(device: DeviceId, sys: string | null): string {
  return labelText({
    firmware_revision: leadingVersion(formatFirmware(device)),
    manufacturer_id: freeipmiManufacturer(device.manufacturerId),
    system_firmware_version: sys === null ? 'N/A' : leadingVersion(sys),
  });
}

/** `bmc` (bmc-info): firmware revision, manufacturer and the host's system firmware version. */
export const bmcCompatCollector: CompatCollector = {
  name: 'bmc',
  async collect(ctx) {
    const info = await ctx.target.deviceInfo(ctx.signal);
    let labels = infoLabelsBySession.get(info);
    if (!labels) {
      labels = systemFirmwareVersion(ctx).then((sys) => infoLabels(info.device, sys));
      infoLabelsBySession.set(info, labels);
      labels.catch(() => infoLabelsBySession.delete(info));
    }
    ctx.out.setLabelled(BMC_INFO, await labels, 1);
  },
};

/**
 * `chassis` (ipmi-chassis --get-chassis-status): power state, and the drive
 * and cooling fault states later ipmi_exporter releases added (1 = no fault,
 * 0 = fault, as their help text says).
 */
export const chassisCompatCollector: CompatCollector = {
  name: 'chassis',
  async collect(ctx) {
    const s = await ctx.execute(getChassisStatus, undefined, { signal: ctx.signal });
    ctx.out.setLabelled(CHASSIS_POWER, '', s.poweredOn ? 1 : 0);
    ctx.out.setLabelled(CHASSIS_DRIVE_FAULT, '', s.driveFault ? 0 : 1);
    ctx.out.setLabelled(CHASSIS_COOLING_FAULT, '', s.coolingFault ? 0 : 1);
  },
};

/** `sel` (ipmi-sel --info): entry count and free bytes, from one Get SEL Info. */
export const selCompatCollector: CompatCollector = {
  name: 'sel',
  async collect(ctx) {
    const info = await ctx.execute(getSelInfo, undefined, { signal: ctx.signal });
    ctx.out.setLabelled(SEL_ENTRIES, '', info.entries);
    ctx.out.setLabelled(SEL_FREE, '', info.freeBytes);
  },
};

/** `sm-lan-mode` (ipmi-raw 0x0 0x30 0x70 0x0c 0): Supermicro's LAN mode, 0 dedicated, 1 shared, 2 failover. */
export const smLanModeCompatCollector: CompatCollector = {
  name: 'sm-lan-mode',
  async collect(ctx) {
    const data = await ctx.execute(supermicroGetLanMode, undefined, { signal: ctx.signal });
    const mode = data[0];
    if (data.length !== 1 || mode === undefined || mode > 2) throw new CollectorUnsupportedError(`unexpected LAN mode answer (${data.length} bytes)`);
    ctx.out.set({ name: 'ipmi_config_lan_mode', help: 'Returns configured LAN mode (0=dedicated, 1=shared, 2=failover).' }, mode);
  },
};

const TIMER_USES = ['BIOS FRB2', 'BIOS POST', 'OS LOAD', 'SMS/OS', 'OEM'] as const;
const TIMEOUT_ACTIONS = ['None', 'Hard Reset', 'Power Down', 'Power Cycle'] as const;
const PRETIMEOUT_INTERRUPTS = ['None', 'SMI', 'NMI / Diagnostic Interrupt', 'Messaging Interrupt'] as const;

/**
 * `bmc-watchdog` (bmc-watchdog --get, added after 1.6.1): the watchdog timer's
 * state, one series per possible use/action/interrupt with 1 on the current one.
 */
export const bmcWatchdogCompatCollector: CompatCollector = {
  name: 'bmc-watchdog',
  async collect(ctx) {
    const w = await ctx.execute(getWatchdogTimer, undefined, { signal: ctx.signal });
    const r = ctx.out;
    r.set({ name: 'ipmi_bmc_watchdog_timer_state', help: 'Watchdog timer running (1: running, 0: stopped)' }, w.running ? 1 : 0);
    const use = { name: 'ipmi_bmc_watchdog_timer_use_state', help: 'Watchdog timer use (1: active, 0: inactive)', labelNames: ['name'] as const };
    TIMER_USES.forEach((name, i) => r.set(use, w.use === i + 1 ? 1 : 0, { name }));
    r.set({ name: 'ipmi_bmc_watchdog_logging_state', help: 'Watchdog log flag (1: Enabled, 0: Disabled / note: reverse of freeipmi)' }, w.logging ? 1 : 0);
    const action = {
      name: 'ipmi_bmc_watchdog_timeout_action_state',
      help: 'Watchdog timeout action (1: active, 0: inactive)',
      labelNames: ['action'] as const,
    };
    TIMEOUT_ACTIONS.forEach((a, i) => r.set(action, w.timeoutAction === i ? 1 : 0, { action: a }));
    const irq = {
      name: 'ipmi_bmc_watchdog_pretimeout_interrupt_state',
      help: 'Watchdog pre-timeout interrupt (1: active, 0: inactive)',
      labelNames: ['interrupt'] as const,
    };
    PRETIMEOUT_INTERRUPTS.forEach((i, n) => r.set(irq, w.preTimeoutInterrupt === n ? 1 : 0, { interrupt: i }));
    r.set({ name: 'ipmi_bmc_watchdog_pretimeout_interval_seconds', help: 'Watchdog pre-timeout interval in seconds' }, w.preTimeoutIntervalSeconds);
    r.set({ name: 'ipmi_bmc_watchdog_initial_countdown_seconds', help: 'Watchdog initial countdown in seconds' }, w.initialCountdownSeconds);
    r.set({ name: 'ipmi_bmc_watchdog_current_countdown_seconds', help: 'Watchdog initial countdown in seconds' }, w.presentCountdownSeconds);
  },
};
