// Proves the ipmi_sim harness and the ipmitool runner: the simulated BMC
// answers ipmitool with exactly what test/peers/sim-model.ts says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIpmiSim } from './peers/ipmi-sim.js';
import type { IpmiSimHandle } from './peers/ipmi-sim.js';
import { parseChassisStatus, parseKeyValues, parseMcGuid, parseMcInfo, parseSdrElist, parseSelElist, parseSensorList, runIpmitool } from './peers/ipmitool.js';
import { SIM_DISCRETE_SENSORS, SIM_FRU, SIM_MC, SIM_SEL, SIM_THRESHOLD_SENSORS } from './peers/sim-model.js';

const pad2 = (n: number): string => String(n).padStart(2, '0');
const selDate = (ts: number): string => {
  const d = new Date(ts * 1000);
  return `${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}/${pad2(d.getUTCFullYear() % 100)}`;
};
const selTime = (ts: number): string => new Date(ts * 1000).toISOString().slice(11, 19);

describe('ipmi_sim harness', () => {
  let sim: IpmiSimHandle;

  beforeAll(async () => {
    sim = await startIpmiSim();
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('answers Get Device ID with the configured identity (lanplus, suite 3)', async () => {
    const info = parseMcInfo(await runIpmitool(sim, ['mc', 'info']));
    expect(info).toMatchObject({
      deviceId: SIM_MC.deviceId,
      deviceRevision: SIM_MC.deviceRevision,
      firmwareRevision: SIM_MC.firmwareRevision,
      ipmiVersion: SIM_MC.ipmiVersion,
      manufacturerId: SIM_MC.manufacturerId,
      productId: SIM_MC.productId,
    });
  });

  it('reports the GUID the handle advertises', async () => {
    expect(parseMcGuid(await runIpmitool(sim, ['mc', 'guid']))).toBe(sim.guid);
  });

  it('lists every configured sensor with its number, entity, reading and status', async () => {
    const rows = parseSdrElist(await runIpmitool(sim, ['sdr', 'elist']));
    for (const s of SIM_THRESHOLD_SENSORS) {
      const row = rows.find((r) => r.name === s.name);
      expect(row, s.name).toBeDefined();
      expect(row).toMatchObject({ number: s.number, entity: s.entity, unit: s.unit });
      expect(row?.reading).toBeCloseTo(s.value, 6);
      expect(row?.status === 'ok' ? 'ok' : 'nc', s.name).toBe(s.status);
    }
    for (const s of SIM_DISCRETE_SENSORS) {
      const row = rows.find((r) => r.name === s.name);
      expect(row, s.name).toMatchObject({ number: s.number, entity: s.entity, reading: null, status: 'ok' });
    }
    expect(rows.find((r) => r.name === 'PSU1 Status')?.raw).toBe('Presence detected');
    expect(rows.find((r) => r.name === 'Exhaust Temp')?.status).toBe('unc');
  });

  it('reads fractional voltages and thresholds with sensor list precision', async () => {
    const rows = parseSensorList(await runIpmitool(sim, ['sensor', 'list']));
    const v12 = rows.find((r) => r.name === '12V');
    expect(v12?.reading).toBe(12.04);
    expect(v12?.thresholds).toMatchObject({ lcr: 10.78, ucr: 13.23, unr: null });
    expect(rows.find((r) => r.name === '3.3V')?.reading).toBe(3.32);
    expect(rows.find((r) => r.name === 'Exhaust Temp')).toMatchObject({ status: 'nc', thresholds: { unc: 50, ucr: 60 } });
    expect(rows.find((r) => r.name === 'PSU1 Status')?.discreteState).toBe(0x0100);
  });

  it('reports chassis power on with no faults', async () => {
    expect(parseChassisStatus(await runIpmitool(sim, ['chassis', 'status']))).toMatchObject({
      powerOn: true,
      intrusion: false,
      powerFault: false,
      coolingFault: false,
      driveFault: false,
    });
  });

  it('holds the configured SEL entries with their timestamps', async () => {
    const rows = parseSelElist(await runIpmitool(sim, ['sel', 'elist']));
    expect(rows).toHaveLength(SIM_SEL.length);
    SIM_SEL.forEach((e, i) => {
      const row = rows[i];
      expect(row?.id).toBe(i + 1);
      expect(row?.date).toBe(selDate(e.timestamp));
      expect(row?.time).toBe(selTime(e.timestamp));
      expect(row?.sensor.endsWith(e.sensor)).toBe(true);
      expect(row?.description).toBe(e.description);
      expect(row?.direction).toBe(e.direction);
    });
  });

  it('serves the FRU inventory', async () => {
    const kv = parseKeyValues(await runIpmitool(sim, ['fru', 'print', '0']));
    expect(kv.get('Board Mfg')).toBe(SIM_FRU.board.manufacturer);
    expect(kv.get('Board Serial')).toBe(SIM_FRU.board.serialNumber);
    expect(kv.get('Product Name')).toBe(SIM_FRU.product.productName);
    expect(kv.get('Product Serial')).toBe(SIM_FRU.product.serialNumber);
    expect(kv.get('Product Part Number')).toBe(SIM_FRU.product.partNumber);
  });

  it('changes a reading through the console', async () => {
    expect(await sim.console('sensor_set_value 0x20 0 0x01 67 0')).toBe('');
    const rows = parseSdrElist(await runIpmitool(sim, ['sdr', 'elist']));
    expect(rows.find((r) => r.name === 'CPU1 Temp')?.reading).toBe(67);
    await expect(sim.console('no_such_command')).resolves.toMatch(/Unknown command/);
  });

  it('opens IPMI 1.5 sessions (MD5, straight password) and USER-privilege sessions', async () => {
    expect(parseMcInfo(await runIpmitool(sim, ['mc', 'info'], { interface: 'lan', authType: 'MD5' })).deviceId).toBe(SIM_MC.deviceId);
    expect(parseMcInfo(await runIpmitool(sim, ['mc', 'info'], { interface: 'lan', authType: 'PASSWORD' })).deviceId).toBe(SIM_MC.deviceId);
    expect(parseMcInfo(await runIpmitool(sim, ['mc', 'info'], { user: 'user' })).deviceId).toBe(SIM_MC.deviceId);
  });

  it('rejects a wrong password', async () => {
    const wrong = { ...sim, users: { ...sim.users, admin: { username: 'admin', password: 'wrong' } } };
    await expect(runIpmitool(wrong, ['mc', 'info'], { timeoutMs: 20_000 })).rejects.toThrow(/ipmitool/);
  });

  it('survives kill() and restart() with its SEL and a new PID', async () => {
    const before = sim.pid;
    await sim.kill();
    await expect(runIpmitool(sim, ['mc', 'info'], { timeoutMs: 10_000 })).rejects.toThrow();
    await sim.restart();
    expect(sim.pid).not.toBe(before);
    expect(parseMcInfo(await runIpmitool(sim, ['mc', 'info'])).deviceId).toBe(SIM_MC.deviceId);
    expect(parseSelElist(await runIpmitool(sim, ['sel', 'elist']))).toHaveLength(SIM_SEL.length);
    expect(parseSdrElist(await runIpmitool(sim, ['sdr', 'elist']))).toHaveLength(SIM_THRESHOLD_SENSORS.length + SIM_DISCRETE_SENSORS.length);
  });

  it('refuses to start a second BMC on a busy address', async () => {
    await expect(startIpmiSim({ address: sim.host, port: sim.port })).rejects.toThrow(/EADDRINUSE|still running/);
  });
});
