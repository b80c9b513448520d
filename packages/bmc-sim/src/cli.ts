#!/usr/bin/env node
// npm run sim -- --count N [--profile NAME] [--base-address 127.x.y.z] [--port 623]
//   [--port-range] [--seed N] [--config fleet.yml] [--secrets-out FILE] [--control ADDR:PORT]
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { makeSelfSignedCert, RedfishSimServer, type SelfSignedCert } from './redfish/index.js';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { startControlServer, type ControlServer } from './control/index.js';
import { FleetDefinitionError, formatSecretsFile, startFleet, validateFleetDefinition, type Fleet, type FleetDefinition } from './fleet/index.js';
import { ConfigFileError, bmcDefinitionToYaml, loadFleetConfig } from './fleet/index.js';
import { FaultConfigError } from './faults/index.js';
import { PROFILES } from './model/index.js';

/** Exit status for unusable flags or config, as commander uses for usage errors. */
const EXIT_USAGE = 2;
/** Up to this many endpoints are printed one per line; more get a range summary. */
const LIST_LIMIT = 20;

const int = (name: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer ${min}-${max}`);
  return n;
};

function hostPort(v: string): { address: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(v);
  if (!m || Number(m[2]) > 65535) throw new InvalidArgumentError('expected ADDRESS:PORT, e.g. 127.0.0.1:9623');
  return { address: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

interface Flags {
  count?: number;
  profile?: string;
  baseAddress?: string;
  port?: number;
  portRange?: boolean;
  seed?: number;
  config?: string;
  secretsOut?: string;
  control?: { address: string; port: number };
  printProfile?: string;
  redfishPort?: number;
}

function program(): Command {
  return new Command('bmc-sim')
    .description('Serve a fleet of simulated BMCs (IPMI over LAN) on loopback until SIGINT/SIGTERM.')
    .option('--count <n>', 'number of BMCs', int('--count', 1, 1_000_000))
    .addOption(new Option('--profile <name>', 'built-in BMC profile').choices(Object.keys(PROFILES)))
    .option('--base-address <ip>', 'first BMC address; each next BMC takes the next 127.x.y.z (default 127.1.0.1)')
    .option('--port <n>', 'UDP port (default 623)', int('--port', 1, 65535))
    .option('--port-range', 'one address, consecutive ports from --port')
    .option('--seed <n>', 'seed for per-BMC values and the default password', int('--seed', 0, 0xffffffff))
    .option('--config <file>', 'fleet or BMC definition (YAML); flags override it')
    .option('--secrets-out <file>', "write bmc_exporter's secrets file (host:port → username/password)")
    .option('--control <addr:port>', 'serve the control API (HTTP/JSON) on this loopback address', hostPort)
    .option('--print-profile <name>', 'print a built-in profile as YAML and exit')
    .option(
      '--redfish-port <n>',
      'also serve Redfish over HTTPS on this TCP port of each BMC address (with --port-range: consecutive ports from it)',
      int('--redfish-port', 1, 65535),
    )
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
}

function definitionFrom(flags: Flags): FleetDefinition {
  const overrides: Partial<FleetDefinition> = {
    count: flags.count,
    profile: flags.profile,
    baseAddress: flags.baseAddress,
    port: flags.port,
    portRange: flags.portRange,
    seed: flags.seed,
  };
  if (flags.config) return loadFleetConfig(flags.config, overrides);
  if (flags.count === undefined) throw new FleetDefinitionError('--count is required (or a --config file with count)');
  return validateFleetDefinition(Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)));
}

function describeEndpoints(fleet: Fleet): string[] {
  const e = fleet.endpoints;
  if (e.length <= LIST_LIMIT) return e.map((x) => `  ${x.address}:${x.port}`);
  const first = e[0]!;
  const last = e[e.length - 1]!;
  return [`  ${first.address}:${first.port} … ${last.address}:${last.port} (${e.length} BMCs; GET /bmcs on the control API lists them all)`];
}

async function main(argv: string[]): Promise<number> {
  let flags: Flags;
  try {
    flags = program().parse(argv, { from: 'user' }).opts<Flags>();
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0; // --help / --version
      console.error(`bmc-sim: ${err.message.replace(/^error: /, '')}`);
      return EXIT_USAGE;
    }
    throw err;
  }
  if (flags.printProfile) {
    const p = PROFILES[flags.printProfile];
    if (!p) {
      console.error(`bmc-sim: unknown profile "${flags.printProfile}" (built in: ${Object.keys(PROFILES).join(', ')})`);
      return EXIT_USAGE;
    }
    process.stdout.write(bmcDefinitionToYaml(p, `bmc-sim built-in profile "${flags.printProfile}"`));
    return 0;
  }
  let def: FleetDefinition;
  try {
    def = definitionFrom(flags);
  } catch (err) {
    if (err instanceof FleetDefinitionError || err instanceof ConfigFileError || err instanceof FaultConfigError) {
      console.error(`bmc-sim: ${err.message}`);
      return EXIT_USAGE;
    }
    throw err;
  }

  let fleet: Fleet;
  try {
    fleet = await startFleet(def);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const hint = e.code === 'EACCES' ? ' (ports below 1024 need root)' : e.code === 'EADDRINUSE' ? ' (another fleet or ipmi_sim is running there)' : '';
    console.error(`bmc-sim: cannot start the fleet: ${e.message}${hint}`);
    return 1;
  }
  let control: ControlServer | undefined;
  let redfish: RedfishFleet | undefined;
  try {
    if (flags.control) control = await startControlServer(fleet, flags.control);
    if (flags.redfishPort !== undefined) redfish = await startRedfish(fleet, flags.redfishPort, flags.portRange === true);
    if (flags.secretsOut)
      writeFileSync(flags.secretsOut, redfish ? redfish.secretsFile(flags.secretsOut) : formatSecretsFile(fleet.secrets()), { mode: 0o600 });
  } catch (err) {
    console.error(`bmc-sim: ${(err as Error).message}`);
    await redfish?.close();
    await control?.close();
    await fleet.close();
    return 1;
  }

  const profile = def.bmc ? 'custom definition' : `profile ${def.profile ?? 'server-2s'}`;
  const lines = [
    `bmc-sim: ${fleet.endpoints.length} BMCs (${profile}, seed ${def.seed ?? 1}) bound in ${Math.round(fleet.bindMs)} ms${fleet.workers ? ` across ${fleet.workers} worker processes` : ''}:`,
    ...describeEndpoints(fleet),
    flags.secretsOut ? `secrets file: ${flags.secretsOut}` : `user: ${Object.values(fleet.secrets())[0]!.username} (pass --secrets-out FILE for the passwords)`,
    ...(redfish ? [`Redfish (HTTPS): ${redfish.describe()}`] : []),
    ...(control ? [`control API: http://${control.address.includes(':') ? `[${control.address}]` : control.address}:${control.port}/bmcs`] : []),
    'ready',
  ];
  console.log(lines.join('\n'));

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await redfish?.close();
  await control?.close();
  await fleet.close();
  console.log('bmc-sim: stopped');
  return 0;
}

interface RedfishFleet {
  /** The secrets file for the exporter: each BMC with transport redfish, its redfish_port and the CA file written next to it. */
  secretsFile(secretsPath: string): string;
  describe(): string;
  close(): Promise<void>;
}

/**
 * Redfish over HTTPS for every BMC of an in-process fleet, from the same
 * models as their IPMI side, with one self-signed certificate covering every
 * address (its file is the CA clients trust).
 */
async function startRedfish(fleet: Fleet, port: number, portRange: boolean): Promise<RedfishFleet> {
  if (fleet.bmcs.length === 0) throw new Error('--redfish-port serves in-process fleets only (this one runs in worker processes)');
  const secrets = fleet.secrets();
  const cert: SelfSignedCert = await makeSelfSignedCert(fleet.bmcs.map((b) => b.address));
  const servers: RedfishSimServer[] = [];
  const close = async () => {
    for (const s of servers) await s.close();
    await cert.dispose();
  };
  try {
    for (const [i, bmc] of fleet.bmcs.entries()) {
      const cred = secrets[`${bmc.address.includes(':') ? `[${bmc.address}]` : bmc.address}:${bmc.port}`];
      if (!cred) throw new Error(`no credentials for ${bmc.address}:${bmc.port}`);
      const server = new RedfishSimServer({
        address: bmc.address,
        port: portRange ? port + i : port,
        model: () => bmc.model,
        users: [{ name: cred.username, password: cred.password }],
        tls: cert,
      });
      await server.listen();
      servers.push(server);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    secretsFile(secretsPath) {
      const caName = `${basename(secretsPath).replace(/\.ya?ml$/, '')}-ca.pem`;
      writeFileSync(join(dirname(secretsPath), caName), cert.cert);
      const out: Record<string, object> = {};
      fleet.bmcs.forEach((bmc, i) => {
        const key = `${bmc.address.includes(':') ? `[${bmc.address}]` : bmc.address}:${bmc.port}`;
        out[key] = { ...secrets[key], transport: 'redfish', redfish_port: servers[i]!.port, ca_file: caName };
      });
      return `# bmc-sim fleet credentials for the exporter, read over Redfish (transport: redfish)\n${stringify(out)}`;
    },
    describe: () => `${servers[0]!.origin}${servers.length > 1 ? ` … ${servers.at(-1)!.origin}` : ''}`,
    close,
  };
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bmc-sim: ${(err as Error).stack ?? String(err)}`);
    process.exitCode = 1;
  },
);
