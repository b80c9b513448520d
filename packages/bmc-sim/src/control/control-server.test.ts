import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../fleet/index.js';
import { startControlServer, type ControlServer } from './control-server.js';

describe('control API', () => {
  let fleet: Fleet;
  let control: ControlServer;
  let base: string;
  beforeAll(async () => {
    fleet = await startFleet({ count: 2, baseAddress: '127.0.0.1', port: 47200, portRange: true });
    control = await startControlServer(fleet, { address: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${control.port}`;
  });
  afterAll(async () => {
    await control.close();
    await fleet.close();
  });

  const call = async (method: string, path: string, body?: string) => {
    const r = await fetch(base + path, { method, body, headers: body ? { 'content-type': 'application/json' } : {} });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };

  it('lists BMCs with counters', async () => {
    const r = await call('GET', '/bmcs');
    expect(r.status).toBe(200);
    const list = r.json as unknown as Array<{ address: string; port: number; counters: { sessions: { open: number } } }>;
    expect(list.map((b) => `${b.address}:${b.port}`)).toEqual(['127.0.0.1:47200', '127.0.0.1:47201']);
    expect(list[0]!.counters.sessions.open).toBe(0);
  });

  it('changes faults, sensors and the SEL, and restarts', async () => {
    const f = await call('PUT', '/bmcs/127.0.0.1:47201/faults', JSON.stringify({ lossPercent: 25, sdrMaxRead: 16 }));
    expect(f.status).toBe(200);
    expect(f.json.lossPercent).toBe(25);
    expect(fleet.bmcs[1]!.faults.config.lossPercent).toBe(25);
    expect(fleet.bmcs[0]!.faults.config.lossPercent).toBe(0);
    const raw = fleet.bmcs[0]!.model.sensor('CPU1 Temp').rawReading;
    expect((await call('POST', '/bmcs/127.0.0.1:47200/sensors/CPU1%20Temp', '{"value": 77}')).status).toBe(200);
    expect(fleet.bmcs[0]!.model.sensor('CPU1 Temp').rawReading).not.toBe(raw);
    expect((await call('POST', '/bmcs/127.0.0.1:47200/sensors/CPU1%20Temp', '{"value": null}')).status).toBe(200);
    expect(fleet.bmcs[0]!.model.sensor('CPU1 Temp').rawReading).toBeNull();
    expect((await call('POST', '/bmcs/127.0.0.1:47200/sensors/PSU2%20Status', '{"states": [0, 1]}')).status).toBe(200);
    // Discrete: state byte 1 (Table 35-15) now has offsets 0 (present) and 1 (failure detected).
    expect(fleet.bmcs[0]!.model.sensor('PSU2 Status').response[2]).toBe(0b11);
    expect((await call('POST', '/bmcs/127.0.0.1:47200/sensors/PSU2%20Status', '{"states": [15]}')).status).toBe(400);
    const before = fleet.bmcs[0]!.model.sel.count;
    const s = await call(
      'POST',
      '/bmcs/127.0.0.1:47200/sel',
      JSON.stringify({ sensorType: 'temperature', sensorNumber: 1, eventType: 1, data: [0x59, 0x4d, 0x55] }),
    );
    expect(s.status).toBe(201);
    expect(fleet.bmcs[0]!.model.sel.count).toBe(before + 1);
    expect((await call('DELETE', '/bmcs/127.0.0.1:47200/sel')).status).toBe(200);
    expect(fleet.bmcs[0]!.model.sel.count).toBe(0);
    expect((await call('POST', '/bmcs/127.0.0.1/restart')).status).toBe(200);
  });

  it('answers bad input with a clear JSON error and keeps running', async () => {
    expect(await call('GET', '/bmcs/127.9.9.9/counters')).toEqual({ status: 404, json: { error: 'no BMC at 127.9.9.9' } });
    expect((await call('PUT', '/bmcs/127.0.0.1/faults', '{"lossPercent": 300}')).json.error).toBe('faults.lossPercent: expected a percentage 0-100');
    expect((await call('PUT', '/bmcs/127.0.0.1/faults', '{nope')).status).toBe(400);
    expect((await call('POST', '/bmcs/127.0.0.1/sensors/Nope', '{"value": 1}')).status).toBe(404);
    expect((await call('POST', '/bmcs/127.0.0.1/sensors/CPU1%20Temp', '{"value": "hot"}')).status).toBe(400);
    expect((await call('POST', '/bmcs/127.0.0.1/sel', '{"sensorNumber": 1}')).status).toBe(400);
    expect((await call('GET', '/bmcs/127.0.0.1/faults')).status).toBe(405);
    expect((await call('GET', '/nothing')).status).toBe(404);
    expect((await call('GET', '/bmcs')).status).toBe(200);
  });
});
