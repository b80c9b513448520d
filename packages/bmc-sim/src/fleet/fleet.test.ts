import { BmcClient, UdpTransport, getDeviceId, getSensorReading } from '@bmc-exporter/ipmi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointAt, validateFleetDefinition } from './fleet-definition.js';
import { startFleet, type Fleet } from './fleet.js';
import { parse } from 'yaml';
import { formatSecretsFile } from './secrets-file.js';

describe('endpointAt', () => {
  it('counts 127.x.y.z up from the base, skipping .0 and .255', () => {
    const def = { count: 600 };
    expect(endpointAt(def, 0)).toEqual({ address: '127.1.0.1', port: 623 });
    expect(endpointAt(def, 253)).toEqual({ address: '127.1.0.254', port: 623 });
    expect(endpointAt(def, 254)).toEqual({ address: '127.1.1.1', port: 623 });
    expect(endpointAt({ count: 2, baseAddress: '127.2.3.255' }, 0).address).toBe('127.2.4.1');
    expect(endpointAt({ count: 2, baseAddress: '127.2.3.0' }, 1).address).toBe('127.2.3.2');
  });

  it('gives consecutive ports on one address in portRange mode', () => {
    const def = { count: 3, baseAddress: '127.0.0.1', port: 40000, portRange: true };
    expect([0, 1, 2].map((i) => endpointAt(def, i).port)).toEqual([40000, 40001, 40002]);
  });
});

describe('validateFleetDefinition', () => {
  it('names what is wrong', () => {
    expect(() => validateFleetDefinition({})).toThrow('count: required');
    expect(() => validateFleetDefinition({ count: 1, profile: 'nope' })).toThrow(/profile: unknown profile "nope"/);
    expect(() => validateFleetDefinition({ count: 1, baseAddress: '10.0.0.1' })).toThrow(/loopback/);
    expect(() => validateFleetDefinition({ count: 1, colour: 'red' })).toThrow(/unknown key "colour"/);
    expect(() => validateFleetDefinition({ count: 10, port: 65530, portRange: true, baseAddress: '127.0.0.1' })).toThrow(/65535/);
    expect(() => validateFleetDefinition({ count: 1, faults: { loss: 3 } })).toThrow(/unknown fault "loss"/);
  });
});

describe('startFleet (in-process)', () => {
  let fleet: Fleet;
  const transport = new UdpTransport();
  beforeAll(async () => {
    fleet = await startFleet({ count: 4, baseAddress: '127.0.0.1', port: 47100, portRange: true, seed: 5 });
  });
  afterAll(async () => {
    await fleet.close();
    await transport.close();
  });

  it('serves every BMC with its own values and counts commands', async () => {
    const secrets = fleet.secrets();
    expect(Object.keys(secrets)).toEqual(['127.0.0.1:47100', '127.0.0.1:47101', '127.0.0.1:47102', '127.0.0.1:47103']);
    const temps = new Set<number>();
    for (const [target, cred] of Object.entries(secrets)) {
      const [host, port] = target.split(':');
      const c = new BmcClient({ host: host!, port: Number(port), username: cred.username, password: cred.password, transport, cipherSuites: [3] });
      const id = await c.execute(getDeviceId, undefined);
      expect(id.manufacturerId).toBe(0xa2);
      const r = await c.execute(getSensorReading, { sensorNumber: 0x01 });
      temps.add(r.raw);
      await c.close();
    }
    const counters = await fleet.counters(0);
    expect(counters.commands['0x06:0x01']).toBeGreaterThanOrEqual(1);
    expect(counters.commands['0x04:0x2d']).toBe(1);
    expect(counters.sessions.openedTotal).toBe(1);
    expect(fleet.indexOf('127.0.0.1:47102')).toBe(2);
    expect(fleet.indexOf('127.0.0.1')).toBe(0);
  });

  it('writes a secrets file bmc_exporter reads: host:port → username/password only', () => {
    const parsed = parse(formatSecretsFile(fleet.secrets())) as Record<string, Record<string, string>>;
    for (const v of Object.values(parsed)) expect(Object.keys(v).sort()).toEqual(['password', 'username']);
    expect(parsed['127.0.0.1:47100']!.username).toBe('admin');
  });
});

describe('startFleet (worker processes; from dist/, built before the tests by test/build-dist.ts)', () => {
  it('spreads BMCs over workers and forwards control operations', async () => {
    const fleet = await startFleet({ count: 5, baseAddress: '127.0.0.1', port: 47300, portRange: true }, { maxInProcess: 2, perWorker: 3 });
    try {
      expect(fleet.workers).toBe(2);
      expect(fleet.bmcs).toEqual([]);
      const cred = fleet.secrets()['127.0.0.1:47304']!;
      const c = new BmcClient({ host: '127.0.0.1', port: 47304, username: cred.username, password: cred.password });
      expect((await c.execute(getDeviceId, undefined)).manufacturerId).toBe(0xa2);
      await c.close();
      expect((await fleet.counters(4)).commands['0x06:0x01']).toBe(1);
      expect((await fleet.setFaults(4, { lossPercent: 5 })).lossPercent).toBe(5);
      await fleet.setSensor(1, 'CPU1 Temp', 50);
      await expect(fleet.setSensor(1, 'Nope', 50)).rejects.toThrow(/no sensor/);
      await expect(fleet.counters(5)).rejects.toThrow('no BMC with index 5');
    } finally {
      await fleet.close();
    }
  });
});
