import { describe, expect, it } from 'vitest';
import { MalformedPacketError } from '../errors.js';
import { getChassisStatus } from './get-chassis-status.js';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('Get Chassis Status (§28.2)', () => {
  it('is Chassis 0x01 with no request data', () => {
    expect([getChassisStatus.netFn, getChassisStatus.cmd]).toEqual([0x00, 0x01]);
    expect(getChassisStatus.encode()).toHaveLength(0);
  });

  it.each([
    {
      name: 'ipmi_sim without chassis_control: off, policy always-off',
      bytes: '00 00 00',
      want: {
        poweredOn: false,
        powerRestorePolicy: 'always-off',
        intrusion: false,
        identifyState: undefined,
        frontPanelButtons: undefined,
      },
    },
    {
      name: 'on, restore previous, last event AC failed, identify supported and off, buttons',
      bytes: '21 01 40 f1',
      want: {
        poweredOn: true,
        powerOverload: false,
        powerRestorePolicy: 'previous',
        lastPowerEvent: { acFailed: true, powerOverload: false, interlock: false, powerFault: false, powerOnByIpmi: false },
        identifyState: 'off',
        frontPanelButtons: {
          standbyDisableAllowed: true,
          diagnosticInterruptDisableAllowed: true,
          resetDisableAllowed: true,
          powerOffDisableAllowed: true,
          standbyDisabled: false,
          diagnosticInterruptDisabled: false,
          resetDisabled: false,
          powerOffDisabled: true,
        },
      },
    },
    {
      name: 'every fault bit set',
      bytes: '5f 1f 6f',
      want: {
        poweredOn: true,
        powerOverload: true,
        interlock: true,
        powerFault: true,
        powerControlFault: true,
        powerRestorePolicy: 'always-on',
        lastPowerEvent: { acFailed: true, powerOverload: true, interlock: true, powerFault: true, powerOnByIpmi: true },
        intrusion: true,
        frontPanelLockout: true,
        driveFault: true,
        coolingFault: true,
        identifyState: 'indefinite',
      },
    },
    {
      // ipmitool raw 0x00 0x01 against ipmi_sim with chassis_control reporting power on.
      name: 'ipmi_sim powered on',
      bytes: '01 00 00',
      want: { poweredOn: true, powerRestorePolicy: 'always-off', intrusion: false, coolingFault: false, driveFault: false },
    },
    { name: 'unknown restore policy', bytes: '60 00 00', want: { powerRestorePolicy: 'unknown', poweredOn: false } },
  ])('$name', ({ bytes, want }) => {
    expect(getChassisStatus.decode(h(bytes))).toMatchObject(want);
  });

  it('rejects short data', () => {
    expect(() => getChassisStatus.decode(h('01 00'))).toThrow(MalformedPacketError);
  });
});
