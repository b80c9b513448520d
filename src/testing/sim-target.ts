import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGuid } from '@bmc-exporter/ipmi';
import { BmcModel, BmcProtocol, PROFILES, type FaultInjector, protocolConfig, serveBmc, type CommandHandler, type ServedBmc } from '@bmc-exporter/bmc-sim';

export const SIM_USER = { username: 'scraper', password: 'pw-Do-Not-Leak-42' } as const;

/** One simulated BMC on 127.0.0.1 (a free port) with counters the exporter tests assert on. */
export interface SimTarget {
  model: BmcModel;
  protocol: BmcProtocol;
  served: ServedBmc;
  target: string;
  /** Request datagrams received (dropped ones included). */
  requests: number;
  /** Commands that reached the model, by "netFn:cmd" in hex ("00:01" Get Chassis Status). */
  commands: Map<string, number>;
  /** Answer only this many more requests, then drop everything (undefined: answer all). */
  answerBudget: number | undefined;
  resetCounts(): void;
  close(): Promise<void>;
}

const hex = (n: number) => n.toString(16).padStart(2, '0');

/**
 * `wrap` puts a test's own answers in front of the model's (a broken BMC on
 * one command); `faults` loses requests and alters answers (its delays and
 * reordering are not applied here).
 */
export async function startSimTarget(
  profile: keyof typeof PROFILES | string = 'server-2s',
  wrap: (model: CommandHandler) => CommandHandler = (h) => h,
  faults?: FaultInjector,
): Promise<SimTarget> {
  const def = PROFILES[profile];
  if (!def) throw new Error(`no profile ${profile}`);
  const model = new BmcModel(def, { seed: 1 });
  const sim = { requests: 0, commands: new Map<string, number>(), answerBudget: undefined as number | undefined };
  const protocol = new BmcProtocol(
    protocolConfig({ guid: parseGuid(def.guid), users: [{ name: SIM_USER.username, password: SIM_USER.password, maxPrivilege: 4 }] }),
    wrap(model.handler),
    {
      hooks: {
        onRequest: (datagram) => {
          sim.requests++;
          if (faults && !faults.onRequest(datagram)) return false;
          if (sim.answerBudget === undefined) return true;
          if (sim.answerBudget <= 0) return false;
          sim.answerBudget--;
          return true;
        },
        ...(faults ? { onResponse: faults.onResponse } : {}),
        onCommand: (netFn, cmd) => {
          const k = `${hex(netFn & 0xfe)}:${hex(cmd)}`;
          sim.commands.set(k, (sim.commands.get(k) ?? 0) + 1);
        },
      },
    },
  );
  const served = await serveBmc(protocol, { address: '127.0.0.1', port: 0 });
  return Object.assign(sim, {
    model,
    protocol,
    served,
    target: `127.0.0.1:${served.port}`,
    resetCounts() {
      sim.requests = 0;
      sim.commands.clear();
    },
    close: () => served.close(),
  });
}

/** A secrets file in bmc_exporter's format for these targets, in a fresh temp dir. */
export async function writeSecrets(
  targets: readonly string[],
): Promise<{ path: string; rewrite(targets: readonly string[] | string): Promise<void>; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'bmc-exporter-test-'));
  const path = join(dir, 'secrets.yml');
  const render = (ts: readonly string[]) => ts.map((t) => `"${t}":\n  username: ${SIM_USER.username}\n  password: ${SIM_USER.password}\n`).join('') || '{}\n';
  await writeFile(path, render(targets));
  return {
    path,
    rewrite: (t) => writeFile(path, typeof t === 'string' ? t : render(t)),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export { samples } from '../../test/exporter/cli.js';
