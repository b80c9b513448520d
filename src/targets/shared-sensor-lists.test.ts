import { sensorsFromSdr, type SensorDescriptor } from '@bmc-exporter/ipmi';
import { describe, expect, it } from 'vitest';
import { SensorListsBySdr, SharedSensorLists } from './shared-sensor-lists.js';

const sensor = (over: Partial<SensorDescriptor> = {}): SensorDescriptor =>
  ({
    ...{ key: '32:0:1', name: 'CPU1 Temp', number: 1, ownerId: 0x20, lun: 0, unit: 'celsius', isThreshold: true },
    conversion: { analogFormat: 'unsigned', m: 1, b: 0, bExp: 0, rExp: 0, linearization: 0 },
    thresholds: { unc: 80, ucr: 90, unr: null },
    ...over,
  }) as unknown as SensorDescriptor;

describe('SharedSensorLists', () => {
  it('gives targets with equal lists one frozen array, and keeps different lists apart', () => {
    const t = new SharedSensorLists();
    const a = t.intern([sensor(), sensor({ key: '32:0:2', number: 2, name: 'CPU2 Temp' })]);
    const b = t.intern([sensor(), sensor({ key: '32:0:2', number: 2, name: 'CPU2 Temp' })]);
    expect(b).toBe(a);
    expect(Object.isFrozen(a) && Object.isFrozen(a[0]) && Object.isFrozen(a[0]!.thresholds)).toBe(true);
    expect(t.intern([sensor({ thresholds: { unc: 81, ucr: 90, unr: null } } as never)])).not.toBe(a);
    expect(t.intern([sensor({ name: 'CPU1 Temp ' })])).not.toBe(a);
    expect(t.size).toBe(3);
  });

  it('tells undefined, null, NaN and Infinity apart (JSON alone would not)', () => {
    const t = new SharedSensorLists();
    const lists = [undefined, null, Number.NaN, Infinity].map((unr) => t.intern([sensor({ thresholds: { unc: 80, ucr: 90, unr } } as never)]));
    expect(new Set(lists).size).toBe(4);
  });

  it('an empty SDR is a list like any other', () => {
    const t = new SharedSensorLists();
    expect(t.intern(sensorsFromSdr([]))).toBe(t.intern([]));
  });
});

describe('SensorListsBySdr', () => {
  const bytes = (...records: string[]) => records.map((r) => Buffer.from(r, 'hex'));

  it('builds the list of an SDR once: the same bytes again give the same list without building', () => {
    const by = new SensorListsBySdr(new SharedSensorLists());
    let builds = 0;
    const build = () => {
      builds++;
      return [sensor()];
    };
    const a = by.get(bytes('0100510102', 'aabb'), build);
    const b = by.get(bytes('0100510102', 'aabb'), build);
    expect(b).toBe(a);
    expect(builds).toBe(1);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('builds again for other bytes, however they are split into records', () => {
    const by = new SensorListsBySdr(new SharedSensorLists());
    let builds = 0;
    const build = (name: string) => () => {
      builds++;
      return [sensor({ name })];
    };
    const a = by.get(bytes('0100510102', 'aabb'), build('A'));
    const b = by.get(bytes('0100510102aa', 'bb'), build('B'));
    const c = by.get(bytes('0100510102', 'aabc'), build('C'));
    expect(builds).toBe(3);
    expect(new Set([a, b, c]).size).toBe(3);
    expect(by.size).toBe(3);
  });

  it('SDRs whose bytes differ but describe the same sensors share the one list', () => {
    const lists = new SharedSensorLists();
    const by = new SensorListsBySdr(lists);
    const a = by.get(bytes('01'), () => [sensor()]);
    const b = by.get(bytes('02'), () => [sensor()]);
    expect(b).toBe(a);
    expect(lists.size).toBe(1);
  });
});
