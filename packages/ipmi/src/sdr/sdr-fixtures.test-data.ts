/**
 * Hand-assembled SDR records (IPMI v2.0 §43), laid out byte by byte from the
 * spec tables, shared by the SDR tests. Header: id (LE), 0x51, type, length.
 */
const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex');

/** Full threshold record: BMC sensor 0x30 "CPU Temp", degrees C, M=1, thresholds 100/95/90 and 0/5/10. */
export const FULL_CPU_TEMP = h(
  `0100 51 01 33
   20 00 30  03 01  7f 68 01 01  800a 800a 3f3f  00 01 00  00
   01 00 00 00 00 00
   07 28 50 0a ff 00
   64 5f 5a 00 05 0a  02 02  0000 00
   c8 ${ascii('CPU Temp')}`,
);

/** Full record on LUN 0, sensor 0x31 "12V": Volts, M=63, R_exp=-3, only UC/LC readable. */
export const FULL_12V = h(
  `0200 51 01 2e
   20 00 31  07 01  7f 68 02 01  0000 0000 1212  00 04 00  00
   3f 00 00 00 00 d0
   00 00 00 00 ff 00
   00 e1 00 00 b4 00  00 00  0000 00
   c3 ${ascii('12V')}`,
);

/** Full record with 2's complement readings: sensor 0x32 "Inlet", entity 0x37. */
export const FULL_SIGNED_INLET = h(
  `0300 51 01 30
   20 00 32  37 01  7f 68 01 01  0000 0000 0000  80 01 00  00
   01 00 00 00 00 00
   00 00 00 00 7f 80
   00 00 00 00 00 00  00 00  0000 00
   c5 ${ascii('Inlet')}`,
);

/** Compact record shared by 4 DIMMs: owner 0x20 LUN 1, sensors 0x40-0x43, numeric suffix from 1, entity instance increments. */
export const COMPACT_DIMMS = h(
  `0400 51 02 1f
   20 01 40  20 01  67 40 0c 6f  0300 0000 0300  c0 00 00
   04 81  00 00  000000 00
   c4 ${ascii('DIMM')}`,
);

/** Compact record of a PSU presence sensor owned by a satellite controller 0x2c (needs bridging). */
export const COMPACT_BRIDGED = h(
  `0500 51 02 1e
   2c 00 60  0a 01  67 40 08 6f  0100 0000 0100  c0 00 00
   00 00  00 00  000000 00
   c3 ${ascii('PS1')}`,
);

/** Event-only record: sensor 0x50 "Events", System Event type. */
export const EVENT_ONLY = h(
  `0600 51 03 12
   20 00 50  07 01  12 6f  00 00  00 00
   c6 ${ascii('Events')}`,
);

/** FRU device locator: logical FRU 0 behind the BMC, "MB FRU". */
export const FRU_LOCATOR = h(
  `0700 51 11 11
   20 00 80 00 00  10 00  07 01  00
   c6 ${ascii('MB FRU')}`,
);

/** MC device locator: the BMC itself, every capability bit but bridge. */
export const MC_LOCATOR = h(
  `0800 51 12 0e
   20 00 00 bf  000000  2e 01  00
   c3 ${ascii('BMC')}`,
);

/** An OEM record (type 0xC0) we keep raw. */
export const OEM_RECORD = h(`0900 51 c0 04 570100aa`);
