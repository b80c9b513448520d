import { MalformedPacketError, NETFN, type Command } from '@bmc-exporter/ipmi';

/**
 * The few commands only the ipmi_exporter-compatible collectors send. Pure
 * codecs like the library's: the client owns framing and completion codes.
 */

function need(data: Buffer, bytes: number, what: string): void {
  if (data.length < bytes) throw new MalformedPacketError(`${what}: want ${bytes} bytes, got ${data.length}`);
}

/**
 * IPMI v2.0 §27.7 Get Watchdog Timer (App 0x25), response Table 27-7:
 *   1    timer use: [7] don't log, [6] timer running, [2:0] use (1 BIOS FRB2 .. 5 OEM)
 *   2    actions: [6:4] pre-timeout interrupt (0 none, 1 SMI, 2 NMI, 3 messaging), [2:0] timeout action
 *   3    pre-timeout interval, seconds
 *   4    timer use expiration flags
 *   5:6  initial countdown, 100 ms units, LS byte first
 *   7:8  present countdown, 100 ms units, LS byte first
 */
export interface WatchdogTimer {
  logging: boolean;
  running: boolean;
  use: number;
  preTimeoutInterrupt: number;
  timeoutAction: number;
  preTimeoutIntervalSeconds: number;
  initialCountdownSeconds: number;
  /** NaN when the BMC leaves bytes 7:8 out (OpenIPMI's ipmi_sim 2.0.33 answers 6 bytes). */
  presentCountdownSeconds: number;
}

export const getWatchdogTimer: Command<void, WatchdogTimer> = {
  name: 'Get Watchdog Timer',
  netFn: NETFN.app,
  cmd: 0x25,
  encode: () => Buffer.alloc(0),
  decode(data) {
    need(data, 6, 'Get Watchdog Timer response');
    const use = data.readUInt8(0);
    const actions = data.readUInt8(1);
    return {
      logging: (use & 0x80) === 0,
      running: (use & 0x40) !== 0,
      use: use & 0x07,
      preTimeoutInterrupt: (actions >> 4) & 0x07,
      timeoutAction: actions & 0x07,
      preTimeoutIntervalSeconds: data.readUInt8(2),
      initialCountdownSeconds: data.readUInt16LE(4) / 10,
      presentCountdownSeconds: data.length >= 8 ? data.readUInt16LE(6) / 10 : NaN,
    };
  },
};

/**
 * Supermicro OEM "get LAN mode" (NetFn 0x30, command 0x70, data 0x0C 0x00),
 * the raw request ipmi_exporter's sm-lan-mode collector sends through
 * ipmi-raw: one data byte, 0 dedicated, 1 shared, 2 failover.
 */
export const supermicroGetLanMode: Command<void, number[]> = {
  name: 'Supermicro Get LAN Mode',
  netFn: 0x30,
  cmd: 0x70,
  encode: () => Buffer.from([0x0c, 0x00]),
  decode: (data) => [...data],
};

/**
 * IPMI v2.0 §22.14b Get System Info Parameters (App 0x59), parameter 1
 * (system firmware version), Table 22-16a: each set carries 16 bytes; set 0
 * starts with [3:0] string encoding and the string length, then the first
 * 14 bytes of the string; later sets carry 16 bytes each.
 */
export interface SystemInfoBlock {
  setSelector: number;
  data: Buffer;
}

export const getSystemFirmwareVersionBlock: Command<{ set: number }, SystemInfoBlock> = {
  name: 'Get System Info Parameters',
  netFn: NETFN.app,
  cmd: 0x59,
  encode: (req) => Buffer.from([0x00, 0x01, req.set & 0xff, 0x00]),
  decode(data) {
    need(data, 2, 'Get System Info Parameters response');
    return { setSelector: data.readUInt8(1), data: data.subarray(2) };
  },
};
