// Builds the FRU image ipmi_sim serves as FRU 0 (mc_add_fru_data ... file).
// Layout: IPMI Platform Management FRU Information Storage Definition v1.0.
import type { SimFru } from './sim-model.js';

// Type/length byte, section 13: bits 7:6 = 11b (8-bit ASCII), 5:0 = length.
function field(text: string): number[] {
  const bytes = [...Buffer.from(text, 'latin1')];
  if (bytes.length > 63) throw new Error(`FRU field too long: ${text}`);
  return [0xc0 | bytes.length, ...bytes];
}

// Zero checksum: all bytes of the area sum to 0 mod 256.
function checksum(bytes: number[]): number {
  return (0x100 - (bytes.reduce((a, b) => a + b, 0) & 0xff)) & 0xff;
}

// Areas (sections 10-12): version 1, length in 8-byte units, fields, 0xC1
// end marker, zero pad, checksum as the last byte.
function area(head: number[], fields: number[][]): number[] {
  const body = [0x01, 0x00, ...head, ...fields.flat(), 0xc1];
  while ((body.length + 1) % 8 !== 0) body.push(0);
  body[1] = (body.length + 1) / 8;
  return [...body, checksum(body)];
}

// Board mfg date: minutes since 1996-01-01 00:00 UTC, 3 bytes little-endian.
function mfgMinutes(date: Date): number[] {
  const m = Math.floor((date.getTime() - Date.UTC(1996, 0, 1)) / 60_000);
  return [m & 0xff, (m >> 8) & 0xff, (m >> 16) & 0xff];
}

export function buildFruImage(fru: SimFru, size = 256): Buffer {
  const chassis = area([fru.chassis.type], [field(fru.chassis.partNumber), field(fru.chassis.serialNumber)]);
  const board = area(
    [0x00, ...mfgMinutes(fru.board.mfgDate)],
    [field(fru.board.manufacturer), field(fru.board.productName), field(fru.board.serialNumber), field(fru.board.partNumber), field('')],
  );
  const product = area(
    [0x00],
    [
      field(fru.product.manufacturer),
      field(fru.product.productName),
      field(fru.product.partNumber),
      field(fru.product.version),
      field(fru.product.serialNumber),
      field(fru.product.assetTag),
      field(''),
    ],
  );
  // Common header (section 8): offsets in 8-byte units.
  const chassisOff = 1;
  const boardOff = chassisOff + chassis.length / 8;
  const productOff = boardOff + board.length / 8;
  const header = [0x01, 0x00, chassisOff, boardOff, productOff, 0x00, 0x00];
  const image = [...header, checksum(header), ...chassis, ...board, ...product];
  if (image.length > size) throw new Error('FRU image larger than the FRU device');
  const out = Buffer.alloc(size, 0);
  Buffer.from(image).copy(out);
  return out;
}
