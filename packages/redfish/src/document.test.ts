import { describe, expect, it } from 'vitest';
import { arr, isResourcePath, link, memberPaths, num, parseJsonObject, status, str } from './document.js';
import * as errors from './errors.js';
import { isoDurationSeconds } from './readings.js';

const parse = (text: string) => parseJsonObject('/redfish/v1/x', Buffer.from(text));

describe('parseJsonObject (hostile bodies)', () => {
  it.each([
    ['truncated', '{"Name": "Thermal", "Temperatures": [{"Reading'],
    ['HTML error page', '<html><body>502 Bad Gateway</body></html>'],
    ['an array', '[1, 2, 3]'],
    ['a string', '"hello"'],
    ['null', 'null'],
    ['empty', ''],
  ])('%s is a REDFISH_MALFORMED error naming the path', (_name, text) => {
    expect(() => parse(text)).toThrow(errors.RedfishMalformedError);
    expect(() => parse(text)).toThrow(/\/redfish\/v1\/x/);
  });
});

describe('typed property access', () => {
  const doc = parse(
    JSON.stringify({
      Name: 'x'.repeat(10_000),
      Reading: '12',
      Good: 12.5,
      Gone: null,
      Members: [{ '@odata.id': '/redfish/v1/Chassis/1' }, { '@odata.id': 'https://evil.example/redfish' }, 'junk', { '@odata.id': '/redfish/v1/../etc' }, null],
      Thermal: { '@odata.id': '/redfish/v1/Chassis/1/Thermal' },
      Power: { '@odata.id': 42 },
      Status: { State: 'Enabled', Health: 'Bogus', HealthRollup: 'Critical' },
    }),
  );
  const proto = parse('{"__proto__": {"Reading": 5}}');

  it('returns only values of the expected type', () => {
    expect(num(doc, 'Reading')).toBeUndefined();
    expect(num(doc, 'Good')).toBe(12.5);
    expect(num(doc, 'Gone')).toBeNull();
    expect(str(doc, 'Good')).toBeUndefined();
    expect(str(doc, 'Name')).toHaveLength(512);
    expect(num(proto, 'Reading')).toBeUndefined();
    expect(arr(doc, 'Name', 10)).toEqual([]);
  });

  it('follows only service-relative links', () => {
    expect(memberPaths(doc, 100)).toEqual(['/redfish/v1/Chassis/1']);
    expect(memberPaths(doc, 0)).toEqual([]);
    expect(link(doc, 'Thermal')).toBe('/redfish/v1/Chassis/1/Thermal');
    expect(link(doc, 'Power')).toBeUndefined();
    expect(isResourcePath('/redfish/v1/a b')).toBe(false);
    expect(isResourcePath('//evil/redfish')).toBe(false);
  });

  it('keeps Health only when it is one of the schema values', () => {
    expect(status(doc)).toEqual({ state: 'Enabled', health: undefined, healthRollup: 'Critical' });
  });
});

describe('isoDurationSeconds', () => {
  it.each([
    ['PT1M', 60],
    ['PT30S', 30],
    ['PT0.5S', 0.5],
    ['P1DT2H', 93600],
    ['PT', undefined],
    ['P', undefined],
    ['1 minute', undefined],
    [undefined, undefined],
  ])('%s -> %s', (text, seconds) => {
    expect(isoDurationSeconds(text)).toBe(seconds);
  });
});

describe('errors', () => {
  const all = Object.values(errors).filter((v) => typeof v === 'function' && v.prototype instanceof Error) as unknown[];

  it('every error has its own stable code and its class name', () => {
    const codes = new Set<string>();
    for (const E of all) {
      const e: errors.RedfishError =
        E === errors.RedfishTlsError
          ? new errors.RedfishTlsError('m', 'X')
          : E === errors.RedfishHttpError
            ? new errors.RedfishHttpError('GET', '/p', 500)
            : E === errors.RedfishBodyTooLargeError
              ? new errors.RedfishBodyTooLargeError('/p', 1)
              : E === errors.RedfishMalformedError
                ? new errors.RedfishMalformedError('/p', 'm')
                : new (E as new (m: string) => errors.RedfishError)('m');
      expect(e).toBeInstanceOf(errors.RedfishError);
      expect(e.name).toBe((E as { name: string }).name);
      expect(e.code).toMatch(/^REDFISH_[A-Z_]+$/);
      codes.add(e.code);
    }
    expect(codes.size).toBe(all.length);
  });

  it('HTTP errors are temporary for 5xx and 429 only', () => {
    expect(new errors.RedfishHttpError('GET', '/p', 503).temporary).toBe(true);
    expect(new errors.RedfishHttpError('GET', '/p', 429).temporary).toBe(true);
    expect(new errors.RedfishHttpError('GET', '/p', 404).temporary).toBe(false);
  });
});
