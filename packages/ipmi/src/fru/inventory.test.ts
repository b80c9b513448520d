import { describe, expect, it } from 'vitest';
import { MalformedPacketError } from '../errors.js';
import { encodeField } from './field.js';
import { fruSummary, parseFru } from './inventory.js';
import { buildFru } from './build.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// A hand-assembled image, byte by byte from the FRU spec:
//   header: 01 | internal 00 | chassis 00 | board 01 (=8) | product 00 | multi 00 | pad 00 | FE
//     (01 + 01 = 02, so the zero checksum is FE)
//   board area at 8, length 04 (32 bytes), language 19 (25 = English),
//   date C0 9C C0 = 0xC09CC0 = 12623040 minutes after 1996-01-01 = 2020-01-01T00:00Z
//   C4 "ACME"          8-bit ASCII, 4 bytes
//   83 29 DC A6        6-bit ASCII, 3 bytes = "IPMI" (the FRU spec §13.1 example)
//   43 12 34 56        BCD plus, 3 bytes = "123456"
//   C2 "PN"            8-bit ASCII
//   00                 binary, length 0 (empty FRU file id)
//   C1                 end of fields, then 7 pad bytes and checksum BE
const HAND_IMAGE = hex(`
  01 00 00 01 00 00 00 fe
  01 04 19 c0 9c c0 c4 41 43 4d 45 83 29 dc a6 43 12 34 56 c2 50 4e 00 c1 00 00 00 00 00 00 00 be
`);

describe('parseFru', () => {
  it('decodes a hand-assembled board area with every text encoding', () => {
    expect(parseFru(HAND_IMAGE)).toEqual({
      header: { formatVersion: 1, boardOffset: 8, checksumValid: true },
      board: {
        formatVersion: 1,
        checksumValid: true,
        custom: [],
        languageCode: 25,
        manufacturedAt: new Date('2020-01-01T00:00:00Z'),
        manufacturer: 'ACME',
        productName: 'IPMI',
        serialNumber: '123456',
        partNumber: 'PN',
        fruFileId: '',
      },
    });
  });

  it('decodes chassis, board and product areas built to the spec', () => {
    const image = buildFru({
      internalUse: Buffer.from([1, 2, 3]),
      chassis: { type: 0x17, partNumber: 'CH-PART', serialNumber: 'CH-SN', custom: ['rack 4'] },
      board: {
        manufacturedAt: new Date('2023-05-06T07:08:00Z'),
        manufacturer: 'Contoso',
        productName: { type: 'sixBitAscii', value: 'X11 BOARD' },
        serialNumber: { type: 'bcdPlus', value: '0042-17' },
        partNumber: 'B-1',
        fruFileId: { type: 'binary', value: 'deadbeef' },
        custom: ['rev A', 'lot 9'],
      },
      product: {
        manufacturer: 'Contoso',
        productName: 'Server 9000',
        partNumber: 'SRV-9000',
        version: 'v2',
        serialNumber: 'PSN-1',
        assetTag: 'AT-77',
      },
      multiRecords: [{ type: 0x00, data: Buffer.alloc(24, 1) }],
      totalSize: 512,
    });
    const inv = parseFru(image);
    expect(inv.header).toEqual({
      formatVersion: 1,
      internalUseOffset: 8,
      chassisOffset: 16,
      boardOffset: expect.any(Number),
      productOffset: expect.any(Number),
      multiRecordOffset: expect.any(Number),
      checksumValid: true,
    });
    expect(inv.chassis).toEqual({
      formatVersion: 1,
      checksumValid: true,
      custom: ['rack 4'],
      type: 0x17,
      typeName: 'Rack Mount Chassis',
      partNumber: 'CH-PART',
      serialNumber: 'CH-SN',
    });
    expect(inv.board).toMatchObject({
      checksumValid: true,
      manufacturedAt: new Date('2023-05-06T07:08:00Z'),
      manufacturer: 'Contoso',
      productName: 'X11 BOARD',
      // BCD plus pads an odd length with a space.
      serialNumber: '0042-17 ',
      partNumber: 'B-1',
      fruFileId: 'deadbeef',
      custom: ['rev A', 'lot 9'],
    });
    expect(inv.product).toEqual({
      formatVersion: 1,
      checksumValid: true,
      custom: [],
      languageCode: 25,
      manufacturer: 'Contoso',
      productName: 'Server 9000',
      partNumber: 'SRV-9000',
      version: 'v2',
      serialNumber: 'PSN-1',
      assetTag: 'AT-77',
      fruFileId: '',
    });
  });

  it('marks a bad area checksum but still decodes the area', () => {
    const inv = parseFru(buildFru({ board: { manufacturer: 'ACME', corruptChecksum: true }, product: { productName: 'P' + 'Q' } }));
    expect(inv.board).toMatchObject({ checksumValid: false, manufacturer: 'ACME' });
    expect(inv.product).toMatchObject({ checksumValid: true, productName: 'PQ' });
  });

  it('marks a bad header checksum but still decodes', () => {
    const inv = parseFru(buildFru({ corruptHeaderChecksum: true, board: { manufacturer: 'ACME' } }));
    expect(inv.header.checksumValid).toBe(false);
    expect(inv.board?.manufacturer).toBe('ACME');
  });

  it('decodes a truncated area as far as it goes', () => {
    const image = buildFru({ board: { manufacturer: 'ACME', productName: 'LONG PRODUCT NAME' } });
    // header (8) + board fixed bytes (6) + "ACME" field (5) + 3 bytes of the next field
    const inv = parseFru(image.subarray(0, 8 + 6 + 5 + 3));
    expect(inv.board).toMatchObject({ checksumValid: false, manufacturer: 'ACME', productName: '' });
  });

  it('drops an area that starts past the end of the image', () => {
    const image = buildFru({ board: { manufacturer: 'ACME' }, product: { manufacturer: 'ACME' } });
    const inv = parseFru(image.subarray(0, image.length - 16)); // exactly the product area gone
    expect(inv.board).toBeDefined();
    expect(inv.product).toBeUndefined();
  });

  it('reads non-English type 11 fields as UTF-16LE', () => {
    // language 0x12 (German per FRU spec §15) makes type 11 fields 16-bit Unicode.
    const field = Buffer.concat([Buffer.from([0xc0 | 8]), Buffer.from('Müll', 'utf16le')]);
    const area = Buffer.concat([Buffer.from([1, 0, 0x12]), field, Buffer.from([0xc1])]);
    const padded = Buffer.concat([area, Buffer.alloc(16 - area.length)]);
    padded[1] = 2;
    padded[15] = (0x100 - (padded.reduce((a, b) => a + b, 0) & 0xff)) & 0xff;
    const header = hex('01 00 00 00 01 00 00 fe');
    expect(parseFru(Buffer.concat([header, padded])).product).toMatchObject({ checksumValid: true, manufacturer: 'Müll' });
  });

  it('strips NUL padding from 8-bit fields', () => {
    const inv = parseFru(buildFru({ board: { manufacturer: 'ACME\0\0' } }));
    expect(inv.board?.manufacturer).toBe('ACME');
  });

  it('rejects an image that is not FRU format version 1', () => {
    expect(() => parseFru(Buffer.alloc(64, 0xff))).toThrow(MalformedPacketError);
    expect(() => parseFru(hex('01 00 00'))).toThrow(MalformedPacketError);
  });

  it('an unspecified manufacturing date is null', () => {
    expect(parseFru(buildFru({ board: { manufacturer: 'A1' } })).board?.manufacturedAt).toBeNull();
  });
});

describe('fruSummary', () => {
  it('prefers board fields and falls back to product fields', () => {
    const inv = parseFru(
      buildFru({
        board: { manufacturer: 'Board Co', serialNumber: 'BSN' },
        product: { manufacturer: 'Product Co', productName: 'Box', serialNumber: 'PSN', partNumber: 'PPN' },
      }),
    );
    expect(fruSummary(inv)).toEqual({ manufacturer: 'Board Co', product: 'Box', serial: 'BSN', partNumber: 'PPN' });
  });

  it('is all null for a FRU with no info areas', () => {
    expect(fruSummary(parseFru(hex('01 00 00 00 00 00 00 ff')))).toEqual({
      manufacturer: null,
      product: null,
      serial: null,
      partNumber: null,
    });
  });
});

describe('encodeField', () => {
  it('writes the type/length byte of each encoding', () => {
    expect(encodeField('AB')).toEqual(hex('c2 41 42'));
    expect(encodeField({ type: 'sixBitAscii', value: 'IPMI' })).toEqual(hex('83 29 dc a6'));
    expect(encodeField({ type: 'bcdPlus', value: '1234' })).toEqual(hex('42 12 34'));
    expect(encodeField({ type: 'binary', value: '0102' })).toEqual(hex('02 01 02'));
    expect(encodeField('')).toEqual(hex('c0'));
  });

  it('refuses a 1-byte text field, which would read as the end marker', () => {
    expect(() => encodeField('A')).toThrow(/end marker/);
  });
});
