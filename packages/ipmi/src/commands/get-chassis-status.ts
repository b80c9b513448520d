import { ByteReader } from '../codec/reader.js';
import { NETFN, type Command } from './command.js';

/** IPMI v2.0 Table 28-3 byte 1 bits [6:5]: what the chassis does when AC returns. */
export const POWER_RESTORE_POLICIES = {
  /** chassis stays powered off after AC returns */
  0: 'always-off',
  /** power is restored to the state that was in effect when AC was lost */
  1: 'previous',
  /** chassis always powers up after AC returns */
  2: 'always-on',
  /** the BMC does not know */
  3: 'unknown',
} as const;

export type PowerRestorePolicy = (typeof POWER_RESTORE_POLICIES)[keyof typeof POWER_RESTORE_POLICIES];

/** IPMI v2.0 Table 28-3 byte 3 bits [5:4]: chassis identify (LED) state. */
export const CHASSIS_IDENTIFY_STATES = {
  /** identify off */
  0: 'off',
  /** identify on for a timed interval */
  1: 'temporary',
  /** identify on until told otherwise */
  2: 'indefinite',
  /** reserved value */
  3: 'reserved',
} as const;

export interface FrontPanelButtons {
  standbyDisableAllowed: boolean;
  diagnosticInterruptDisableAllowed: boolean;
  resetDisableAllowed: boolean;
  powerOffDisableAllowed: boolean;
  standbyDisabled: boolean;
  diagnosticInterruptDisabled: boolean;
  resetDisabled: boolean;
  powerOffDisabled: boolean;
}

/**
 * IPMI v2.0 §28.2 Get Chassis Status (Chassis 0x01), response Table 28-3:
 *   1  current power state: [6:5] restore policy, [4] power control fault,
 *      [3] power fault, [2] interlock, [1] overload, [0] power is on
 *   2  last power event: [4] on via IPMI command, [3] off by power fault,
 *      [2] off by interlock, [1] off by overload, [0] AC failed
 *   3  misc: [6] identify state supported, [5:4] identify state,
 *      [3] cooling/fan fault, [2] drive fault, [1] front panel lockout, [0] intrusion
 *   4  front panel button capabilities (optional)
 */
export interface ChassisStatus {
  poweredOn: boolean;
  powerOverload: boolean;
  interlock: boolean;
  powerFault: boolean;
  powerControlFault: boolean;
  powerRestorePolicy: PowerRestorePolicy;
  lastPowerEvent: {
    acFailed: boolean;
    powerOverload: boolean;
    interlock: boolean;
    powerFault: boolean;
    powerOnByIpmi: boolean;
  };
  /** Chassis intrusion active. */
  intrusion: boolean;
  frontPanelLockout: boolean;
  driveFault: boolean;
  coolingFault: boolean;
  /** Undefined when the BMC does not report identify state (byte 3 bit 6 clear). */
  identifyState: (typeof CHASSIS_IDENTIFY_STATES)[keyof typeof CHASSIS_IDENTIFY_STATES] | undefined;
  frontPanelButtons: FrontPanelButtons | undefined;
}

export type ChassisStatusReq = void;

const bit = (b: number, n: number) => (b & (1 << n)) !== 0;

export const getChassisStatus: Command<ChassisStatusReq, ChassisStatus> = {
  name: 'Get Chassis Status',
  netFn: NETFN.chassis,
  cmd: 0x01,
  encode: () => Buffer.alloc(0),
  decode(data) {
    const r = new ByteReader(data, 'Get Chassis Status response');
    const power = r.u8('current power state');
    const last = r.u8('last power event');
    const misc = r.u8('misc chassis state');
    const fp = r.remaining > 0 ? r.u8('front panel buttons') : undefined;
    return {
      poweredOn: bit(power, 0),
      powerOverload: bit(power, 1),
      interlock: bit(power, 2),
      powerFault: bit(power, 3),
      powerControlFault: bit(power, 4),
      powerRestorePolicy: POWER_RESTORE_POLICIES[((power >> 5) & 0x03) as 0 | 1 | 2 | 3],
      lastPowerEvent: {
        acFailed: bit(last, 0),
        powerOverload: bit(last, 1),
        interlock: bit(last, 2),
        powerFault: bit(last, 3),
        powerOnByIpmi: bit(last, 4),
      },
      intrusion: bit(misc, 0),
      frontPanelLockout: bit(misc, 1),
      driveFault: bit(misc, 2),
      coolingFault: bit(misc, 3),
      identifyState: bit(misc, 6) ? CHASSIS_IDENTIFY_STATES[((misc >> 4) & 0x03) as 0 | 1 | 2 | 3] : undefined,
      frontPanelButtons:
        fp === undefined
          ? undefined
          : {
              standbyDisableAllowed: bit(fp, 7),
              diagnosticInterruptDisableAllowed: bit(fp, 6),
              resetDisableAllowed: bit(fp, 5),
              powerOffDisableAllowed: bit(fp, 4),
              standbyDisabled: bit(fp, 3),
              diagnosticInterruptDisabled: bit(fp, 2),
              resetDisabled: bit(fp, 1),
              powerOffDisabled: bit(fp, 0),
            },
    };
  },
};
