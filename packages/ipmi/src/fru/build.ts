import { ByteWriter, checksum8 } from '../codec/writer.js';
import { InvalidArgumentError } from '../errors.js';
import { END_OF_FIELDS, writeField, type FieldValue } from './field.js';
import { FRU_EPOCH_MS, FRU_FORMAT_VERSION, FRU_HEADER_LENGTH } from './inventory.js';

/**
 * Builds FRU images laid out as the FRU spec v1.0 describes (§8 header,
 * §9 internal use, §10 chassis, §11 board, §12 product, §16 multirecord),
 * so tests read like the spec and the simulated BMC can serve a FRU.
 * Plain strings are written as 8-bit ASCII fields; use { type, value } for
 * BCD plus, 6-bit ASCII or binary (hex) fields.
 */
interface AreaSpec {
  custom?: FieldValue[];
  /** write a wrong checksum, as damaged or sloppy FRUs have */
  corruptChecksum?: boolean;
}

export interface ChassisSpec extends AreaSpec {
  /** SMBIOS chassis type; default 0x17 rack mount */
  type?: number;
  partNumber?: FieldValue;
  serialNumber?: FieldValue;
}

export interface BoardSpec extends AreaSpec {
  /** default 25 (English) */
  languageCode?: number;
  /** whole minutes are kept; null/undefined writes "unspecified" */
  manufacturedAt?: Date | null;
  manufacturer?: FieldValue;
  productName?: FieldValue;
  serialNumber?: FieldValue;
  partNumber?: FieldValue;
  fruFileId?: FieldValue;
}

export interface ProductSpec extends AreaSpec {
  languageCode?: number;
  manufacturer?: FieldValue;
  productName?: FieldValue;
  partNumber?: FieldValue;
  version?: FieldValue;
  serialNumber?: FieldValue;
  assetTag?: FieldValue;
  fruFileId?: FieldValue;
}

export interface FruImageSpec {
  internalUse?: Buffer;
  chassis?: ChassisSpec;
  board?: BoardSpec;
  product?: ProductSpec;
  /** §16 multirecords, written in order with the last one flagged end-of-list */
  multiRecords?: Array<{ type: number; data: Buffer }>;
  corruptHeaderChecksum?: boolean;
  /** pad the image with 0xFF (an erased EEPROM) up to this size */
  totalSize?: number;
}

/** Fixed bytes, fields, end marker, zero pad to a multiple of 8, zero checksum (§10-§12). */
function infoArea(fixed: (w: ByteWriter) => void, fields: FieldValue[], spec: AreaSpec): Buffer {
  const w = new ByteWriter(64);
  w.u8(FRU_FORMAT_VERSION).u8(0);
  fixed(w);
  for (const f of [...fields, ...(spec.custom ?? [])]) writeField(w, f);
  w.u8(END_OF_FIELDS);
  while ((w.length + 1) % 8 !== 0) w.u8(0);
  w.setU8(1, (w.length + 1) / 8);
  const body = w.toBuffer();
  const sum = checksum8(body);
  return Buffer.concat([body, Buffer.from([spec.corruptChecksum ? (sum + 1) & 0xff : sum])]);
}

export function buildChassisArea(c: ChassisSpec): Buffer {
  return infoArea((w) => w.u8(c.type ?? 0x17), [c.partNumber ?? '', c.serialNumber ?? ''], c);
}

export function buildBoardArea(b: BoardSpec): Buffer {
  const minutes = b.manufacturedAt ? Math.floor((b.manufacturedAt.getTime() - FRU_EPOCH_MS) / 60_000) : 0;
  return infoArea(
    (w) => w.u8(b.languageCode ?? 25).u24le(minutes),
    [b.manufacturer ?? '', b.productName ?? '', b.serialNumber ?? '', b.partNumber ?? '', b.fruFileId ?? ''],
    b,
  );
}

export function buildProductArea(p: ProductSpec): Buffer {
  return infoArea(
    (w) => w.u8(p.languageCode ?? 25),
    [p.manufacturer ?? '', p.productName ?? '', p.partNumber ?? '', p.version ?? '', p.serialNumber ?? '', p.assetTag ?? '', p.fruFileId ?? ''],
    p,
  );
}

/** §16.1 record header: type, [7] end of list | [3:0] format 2, length, record checksum, header checksum. */
function multiRecordArea(records: Array<{ type: number; data: Buffer }>): Buffer {
  const w = new ByteWriter(64);
  records.forEach((rec, i) => {
    const head = Buffer.from([rec.type, (i === records.length - 1 ? 0x80 : 0) | 0x02, rec.data.length, checksum8(rec.data)]);
    w.bytes(head).u8(checksum8(head)).bytes(rec.data);
  });
  return w.toBuffer();
}

function padTo8(b: Buffer): Buffer {
  return b.length % 8 === 0 ? b : Buffer.concat([b, Buffer.alloc(8 - (b.length % 8))]);
}

export function buildFru(spec: FruImageSpec): Buffer {
  const areas: Array<Buffer | undefined> = [
    spec.internalUse && padTo8(Buffer.concat([Buffer.from([FRU_FORMAT_VERSION]), spec.internalUse])),
    spec.chassis && buildChassisArea(spec.chassis),
    spec.board && buildBoardArea(spec.board),
    spec.product && buildProductArea(spec.product),
    spec.multiRecords && spec.multiRecords.length > 0 ? multiRecordArea(spec.multiRecords) : undefined,
  ];
  const header = new ByteWriter(FRU_HEADER_LENGTH).u8(FRU_FORMAT_VERSION);
  let offset = FRU_HEADER_LENGTH;
  for (const a of areas) {
    if (a && offset / 8 > 0xff) throw new InvalidArgumentError('FRU image too large for 8-bit area offsets');
    header.u8(a ? offset / 8 : 0);
    if (a) offset += a.length;
  }
  header.u8(0);
  const h = header.toBuffer();
  const sum = checksum8(h);
  const image = Buffer.concat([h, Buffer.from([spec.corruptHeaderChecksum ? (sum + 1) & 0xff : sum]), ...areas.filter((a) => a !== undefined)]);
  if (spec.totalSize === undefined || spec.totalSize <= image.length) return image;
  return Buffer.concat([image, Buffer.alloc(spec.totalSize - image.length, 0xff)]);
}
