// The RMCP+ suite hint (BmcClientOptions.cipherSuiteHint, and the client's own
// last suite): a login that knows which suite the BMC took last time skips
// Get Channel Cipher Suites (four exchanges against this simulator's list of
// twelve suites), and a hint the BMC refuses costs one Open Session before
// the usual discovery. Against our simulator on loopback; the exchanges are
// the client's session-step reports (one per set-up exchange), the sessions
// the simulator's count.
import { PROFILES, SimBmc } from '@bmc-exporter/bmc-sim';
import { BmcClient, type BmcClientOptions, getDeviceId, UdpTransport } from '@bmc-exporter/ipmi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const USER = 'hint';
const PASSWORD = 'hint-password';

const transport = new UdpTransport();
const bmcs: SimBmc[] = [];

beforeAll(async () => {
  for (let i = 0; i < 5; i++) {
    const bmc = new SimBmc({
      address: `127.2.9.${i + 1}`,
      port: 623,
      definition: PROFILES['server-2s']!,
      users: [{ name: USER, password: PASSWORD, maxPrivilege: 4 }],
      seed: 90 + i,
    });
    await bmc.bind();
    bmcs.push(bmc);
  }
});

afterAll(async () => {
  await transport.close();
  await Promise.all(bmcs.map((b) => b.close()));
});

function client(bmc: SimBmc, options: Partial<BmcClientOptions> = {}) {
  const steps: string[] = [];
  const suites: (number | null)[] = [];
  const c = new BmcClient({
    host: bmc.address,
    username: USER,
    password: PASSWORD,
    transport,
    // The re-login after the BMC's restart starts with a command the lost session leaves unanswered.
    retry: { initialTimeoutMs: 150, maxTimeoutMs: 300 },
    hooks: { sessionStep: (step) => steps.push(step), sessionOpened: (d) => suites.push(d.cipherSuite) },
    ...options,
  });
  return { c, steps, suites };
}

/** Get Channel Cipher Suites exchanges among the steps. */
const discoveries = (steps: readonly string[]) => steps.filter((s) => s === 'Get Channel Cipher Suites').length;

describe('cipher suite hint', () => {
  it('a re-login uses the suite of the last session without discovering the suites again', async () => {
    const bmc = bmcs[0]!;
    const { c, steps, suites } = client(bmc);
    await c.execute(getDeviceId, undefined);
    // Twelve suites of five bytes: four reads of 16 bytes.
    expect(discoveries(steps)).toBe(4);
    // The BMC forgets every session: the next command logs in again.
    bmc.restart();
    steps.length = 0;
    await c.execute(getDeviceId, undefined);
    expect(suites).toEqual([17, 17]);
    expect(steps).toEqual(['Get Channel Authentication Capabilities', 'Open Session', 'RAKP 1', 'RAKP 3']);
    expect(bmc.counters.sessions.openedTotal).toBe(2);
    await c.close();
  });

  it('a hint given by the caller is tried first, with no discovery', async () => {
    const bmc = bmcs[1]!;
    const { c, steps, suites } = client(bmc, { cipherSuiteHint: 3 });
    await c.execute(getDeviceId, undefined);
    expect(suites).toEqual([3]);
    expect(discoveries(steps)).toBe(0);
    expect(bmc.counters.sessions.openedTotal).toBe(1);
    await c.close();
  });

  it('a hint the BMC refuses costs one Open Session, then the suites are discovered as without it', async () => {
    const bmc = bmcs[2]!;
    // The BMC no longer offers 17 (say, after a firmware update).
    bmc.protocol.update({ cipherSuites: [3] });
    const { c, steps, suites } = client(bmc, { cipherSuiteHint: 17 });
    await c.execute(getDeviceId, undefined);
    expect(suites).toEqual([3]);
    expect(discoveries(steps)).toBeGreaterThan(0);
    expect(steps.filter((s) => s === 'Open Session')).toHaveLength(2);
    expect(steps.indexOf('Get Channel Cipher Suites')).toBeGreaterThan(steps.indexOf('Open Session'));
    await c.close();
  });

  it('pinned suites win over the hint', async () => {
    const bmc = bmcs[3]!;
    const { c, suites } = client(bmc, { cipherSuites: [3], cipherSuiteHint: 17 });
    await c.execute(getDeviceId, undefined);
    expect(suites).toEqual([3]);
    await c.close();
  });

  it('a hint outside the preference (suite 0: no authentication) is never tried', async () => {
    const bmc = bmcs[4]!;
    const { c, steps, suites } = client(bmc, { cipherSuiteHint: 0 });
    await c.execute(getDeviceId, undefined);
    expect(suites).toEqual([17]);
    expect(steps).toContain('Get Channel Cipher Suites');
    await c.close();
  });
});
