import { ByteReader } from '../codec/reader.js';
import { checksum8 } from '../codec/writer.js';
import { MalformedPacketError } from '../errors.js';
import { chassisTypeName } from './chassis-types.js';
import { readField } from './field.js';

/**
 * Platform Management FRU Information Storage Definition v1.0.
 * §8 common header (8 bytes):
 *   0 format version [3:0] = 1   1 internal use area offset   2 chassis info
 *   3 board area   4 product info   5 multirecord   (offsets in multiples of
 *   8 bytes, 0 = absent)   6 pad   7 zero checksum
 * §10/§11/§12 info areas: 0 format version, 1 area length (×8 bytes), then
 * the area's fixed bytes and type/length fields, 0xC1, padding, and a zero
 * checksum in the last byte.
 */
export const FRU_HEADER_LENGTH = 8;
export const FRU_FORMAT_VERSION = 1;

/** §11: board manufacturing date counts minutes from 1996-01-01 00:00 UTC. */
export const FRU_EPOCH_MS = Date.UTC(1996, 0, 1);

export interface FruHeader {
  formatVersion: number;
  /** byte offsets (already ×8); undefined when the area is absent */
  internalUseOffset?: number;
  chassisOffset?: number;
  boardOffset?: number;
  productOffset?: number;
  multiRecordOffset?: number;
  checksumValid: boolean;
}

interface AreaCommon {
  formatVersion: number;
  /** false when the area's zero checksum fails or the area is cut short; fields are still decoded */
  checksumValid: boolean;
  /** fields after the mandatory ones, up to the end marker */
  custom: string[];
}

export interface FruChassisInfo extends AreaCommon {
  type: number;
  typeName: string;
  partNumber: string;
  serialNumber: string;
}

export interface FruBoardInfo extends AreaCommon {
  languageCode: number;
  /** null when the FRU says "unspecified" (0) */
  manufacturedAt: Date | null;
  manufacturer: string;
  productName: string;
  serialNumber: string;
  partNumber: string;
  fruFileId: string;
}

export interface FruProductInfo extends AreaCommon {
  languageCode: number;
  manufacturer: string;
  productName: string;
  partNumber: string;
  version: string;
  serialNumber: string;
  assetTag: string;
  fruFileId: string;
}

export interface FruInventory {
  header: FruHeader;
  chassis?: FruChassisInfo;
  board?: FruBoardInfo;
  product?: FruProductInfo;
}

export function parseFruHeader(bytes: Buffer): FruHeader {
  const r = new ByteReader(bytes, 'FRU common header', 0, Math.min(bytes.length, FRU_HEADER_LENGTH));
  const formatVersion = r.u8('format version') & 0x0f;
  const offsets = [0, 1, 2, 3, 4].map(() => r.u8('area offset') * 8);
  r.skip(1, 'pad');
  r.u8('header checksum');
  if (formatVersion !== FRU_FORMAT_VERSION) {
    throw new MalformedPacketError(`FRU common header: format version ${formatVersion}, expected ${FRU_FORMAT_VERSION}`);
  }
  const [internalUse, chassis, board, product, multiRecord] = offsets as [number, number, number, number, number];
  const header: FruHeader = { formatVersion, checksumValid: checksum8(bytes, 0, FRU_HEADER_LENGTH) === 0 };
  if (internalUse) header.internalUseOffset = internalUse;
  if (chassis) header.chassisOffset = chassis;
  if (board) header.boardOffset = board;
  if (product) header.productOffset = product;
  if (multiRecord) header.multiRecordOffset = multiRecord;
  return header;
}

/**
 * A reader over one info area, clamped to the bytes we have. A length byte
 * of 0 or one running past the image is a sloppy FRU: read to the end of
 * what we have and report the checksum as invalid.
 */
function openArea(bytes: Buffer, offset: number, what: string): { r: ByteReader; checksumValid: boolean; formatVersion: number } {
  const head = new ByteReader(bytes, what, offset);
  head.skip(1, 'format version');
  const declared = head.u8('area length') * 8;
  const end = declared > 0 ? Math.min(offset + declared, bytes.length) : bytes.length;
  const checksumValid = declared > 0 && offset + declared <= bytes.length && checksum8(bytes, offset, end) === 0;
  const r = new ByteReader(bytes, what, offset, end);
  const formatVersion = r.u8('format version') & 0x0f;
  r.u8('area length');
  return { r, checksumValid, formatVersion };
}

/**
 * Reads `names.length` mandatory fields then custom fields into `target`.
 * Stops quietly at the end marker or at a field cut short by the area end
 * (then the checksum is reported invalid): real FRUs are often sloppy.
 */
function readFields<T extends AreaCommon>(r: ByteReader, lang: number, target: T, names: ReadonlyArray<keyof T>): void {
  try {
    for (const name of names) {
      const v = readField(r, lang);
      if (v === undefined) return;
      (target as Record<keyof T, unknown>)[name] = v;
    }
    for (let v = readField(r, lang); v !== undefined; v = readField(r, lang)) target.custom.push(v);
  } catch (e) {
    if (!(e instanceof MalformedPacketError)) throw e;
    target.checksumValid = false;
  }
}

function parseChassis(bytes: Buffer, offset: number): FruChassisInfo {
  const { r, checksumValid, formatVersion } = openArea(bytes, offset, 'FRU chassis info area');
  const type = r.u8('chassis type');
  const area: FruChassisInfo = { formatVersion, checksumValid, custom: [], type, typeName: chassisTypeName(type), partNumber: '', serialNumber: '' };
  // §10: chassis fields carry no language code; English is implied.
  readFields(r, 0, area, ['partNumber', 'serialNumber']);
  return area;
}

function parseBoard(bytes: Buffer, offset: number): FruBoardInfo {
  const { r, checksumValid, formatVersion } = openArea(bytes, offset, 'FRU board info area');
  const languageCode = r.u8('language code');
  const minutes = r.u24le('manufacturing date');
  const area: FruBoardInfo = {
    formatVersion,
    checksumValid,
    custom: [],
    languageCode,
    manufacturedAt: minutes === 0 ? null : new Date(FRU_EPOCH_MS + minutes * 60_000),
    manufacturer: '',
    productName: '',
    serialNumber: '',
    partNumber: '',
    fruFileId: '',
  };
  readFields(r, languageCode, area, ['manufacturer', 'productName', 'serialNumber', 'partNumber', 'fruFileId']);
  return area;
}

function parseProduct(bytes: Buffer, offset: number): FruProductInfo {
  const { r, checksumValid, formatVersion } = openArea(bytes, offset, 'FRU product info area');
  const languageCode = r.u8('language code');
  const area: FruProductInfo = {
    formatVersion,
    checksumValid,
    custom: [],
    languageCode,
    manufacturer: '',
    productName: '',
    partNumber: '',
    version: '',
    serialNumber: '',
    assetTag: '',
    fruFileId: '',
  };
  const names = ['manufacturer', 'productName', 'partNumber', 'version', 'serialNumber', 'assetTag', 'fruFileId'] as const;
  readFields(r, languageCode, area, names);
  return area;
}

/**
 * Decodes a FRU image (from offset 0). Throws MalformedPacketError only when
 * the common header is missing or not format version 1; an area that starts
 * beyond the image is left out, and a damaged area is decoded as far as it
 * goes with `checksumValid: false`.
 */
export function parseFru(bytes: Buffer): FruInventory {
  const header = parseFruHeader(bytes);
  // An area needs at least its version and length bytes to be worth reading.
  const area = <T>(off: number | undefined, parse: (bytes: Buffer, off: number) => T): T | undefined =>
    off !== undefined && off + 2 <= bytes.length ? tryArea(() => parse(bytes, off)) : undefined;
  const chassis = area(header.chassisOffset, parseChassis);
  const board = area(header.boardOffset, parseBoard);
  const product = area(header.productOffset, parseProduct);
  return { header, ...(chassis && { chassis }), ...(board && { board }), ...(product && { product }) };
}

/** An area too short for even its fixed bytes is dropped rather than failing the whole FRU. */
function tryArea<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (e) {
    if (e instanceof MalformedPacketError) return undefined;
    throw e;
  }
}

export interface FruSummary {
  manufacturer: string | null;
  product: string | null;
  serial: string | null;
  partNumber: string | null;
}

/** What the exporter shows: board fields, falling back to the product area where the board's are empty. */
export function fruSummary(inv: FruInventory): FruSummary {
  const pick = (...vals: Array<string | undefined>): string | null => vals.find((v) => v !== undefined && v.trim() !== '') ?? null;
  const b = inv.board;
  const p = inv.product;
  return {
    manufacturer: pick(b?.manufacturer, p?.manufacturer),
    product: pick(b?.productName, p?.productName),
    serial: pick(b?.serialNumber, p?.serialNumber),
    partNumber: pick(b?.partNumber, p?.partNumber),
  };
}
