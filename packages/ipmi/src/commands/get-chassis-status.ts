import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
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

function policyCode(p: PowerRestorePolicy): number {
  return Number(Object.entries(POWER_RESTORE_POLICIES).find(([, v]) => v === p)?.[0] ?? 3);
}

/** BMC side: Table 28-3 bytes 1-3, and byte 4 when front panel buttons are given. */
export function encodeGetChassisStatusResponse(rsp: ChassisStatus): Buffer {
  const b = (v: boolean, n: number) => (v ? 1 << n : 0);
  const power =
    b(rsp.poweredOn, 0) |
    b(rsp.powerOverload, 1) |
    b(rsp.interlock, 2) |
    b(rsp.powerFault, 3) |
    b(rsp.powerControlFault, 4) |
    (policyCode(rsp.powerRestorePolicy) << 5);
  const l = rsp.lastPowerEvent;
  const last = b(l.acFailed, 0) | b(l.powerOverload, 1) | b(l.interlock, 2) | b(l.powerFault, 3) | b(l.powerOnByIpmi, 4);
  const identify =
    rsp.identifyState === undefined ? 0 : 0x40 | (Number(Object.entries(CHASSIS_IDENTIFY_STATES).find(([, v]) => v === rsp.identifyState)?.[0] ?? 0) << 4);
  const misc = b(rsp.intrusion, 0) | b(rsp.frontPanelLockout, 1) | b(rsp.driveFault, 2) | b(rsp.coolingFault, 3) | identify;
  const w = new ByteWriter(4).u8(power).u8(last).u8(misc);
  const fp = rsp.frontPanelButtons;
  if (fp) {
    w.u8(
      b(fp.standbyDisableAllowed, 7) |
        b(fp.diagnosticInterruptDisableAllowed, 6) |
        b(fp.resetDisableAllowed, 5) |
        b(fp.powerOffDisableAllowed, 4) |
        b(fp.standbyDisabled, 3) |
        b(fp.diagnosticInterruptDisabled, 2) |
        b(fp.resetDisabled, 1) |
        b(fp.powerOffDisabled, 0),
    );
  }
  return w.toBuffer();
}
