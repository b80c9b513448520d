// Starts OpenIPMI's ipmi_sim as a real BMC on a loopback address for the
// peer tests. Config lives in test/peers/ipmi-sim/; expected values in
// sim-model.ts. Binding port 623 needs root.
import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { accessSync, constants as fsConstants } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildFruImage } from './fru-image.js';
import { SIM_FRU, SIM_SEL, SIM_USERS } from './sim-model.js';
import { freePort } from './free-port.js';

export interface IpmiSimHandle {
  host: string;
  port: number;
  pid: number;
  stateDir: string;
  consolePort: number;
  users: { admin: { username: string; password: string }; user: { username: string; password: string } };
  guid: string; // as `ipmitool mc guid` prints it
  console(command: string): Promise<string>;
  stop(): Promise<void>;
  kill(): Promise<void>;
  restart(): Promise<void>;
}

const CONFIG_DIR = fileURLToPath(new URL('./ipmi-sim/', import.meta.url));
// lan.conf's guid / mc_set_guid bytes, in wire order (RAKP 2, Get Device GUID).
export const SIM_GUID_BYTES = '4c4c4544004a3510804ab4c04f4e5331';
// How ipmitool 1.8.19 `mc guid` prints them: it decodes the first three
// fields little-endian (SMBIOS order).
const GUID = '44454c4c-4a00-1035-804a-b4c04f4e5331';
const READY_TIMEOUT_MS = 10_000;

function findBinary(name: string, pkg: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  throw new Error(`${name} not found on PATH: install the Debian package "${pkg}" (or run node scripts/ensure-test-deps.mjs as root)`);
}

async function assertUdpPortFree(host: string, port: number): Promise<void> {
  const sock = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(port, host, () => resolve());
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      `cannot bind ${host}:${port}/udp (${code}): ` +
        (code === 'EADDRINUSE'
          ? 'another BMC simulator is still running there (a crashed earlier run?); stop it by its PID'
          : code === 'EACCES'
            ? 'port 623 needs root'
            : String(err)),
    );
  } finally {
    await new Promise<void>((resolve) => sock.close(() => resolve())).catch(() => undefined);
  }
}

// ASF Presence Ping (DSP0136 section 3.2.4): RMCP header 06 00 ff 06, IANA 4542, type 0x80.
const PRESENCE_PING = Buffer.from('0600ff06000011be80000000', 'hex');

async function presencePing(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const sock = createSocket('udp4');
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      sock.on('message', (msg) => {
        // Presence Pong: message type 0x40 at offset 8.
        if (msg.length >= 12 && msg[8] === 0x40) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      sock.on('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
      sock.send(PRESENCE_PING, port, host);
    });
  } finally {
    sock.close();
  }
}

// sdrcomp -r writes the records back to back; each is 5 header bytes plus
// the length in byte 4 (IPMI v2.0 section 43).
function splitSdrs(raw: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < raw.length; ) {
    const len = raw[off + 4];
    if (len === undefined) throw new Error('truncated sdrcomp output');
    out.push(raw.subarray(off, off + 5 + len));
    off += 5 + len;
  }
  return out;
}

const hexBytes = (bytes: Iterable<number>): string => [...bytes].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');

// The SEL persist file ipmi_sim reads at start ("<id>:d:<escaped bytes>"
// lines, one 16-byte record each; see OpenIPMI utils/persist.c). Writing it
// ourselves keeps the configured timestamps: sel_add would stamp uptime.
function selPersistFile(): string {
  const esc = (bytes: Iterable<number>): string => [...bytes].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
  const lines = SIM_SEL.map((e, i) => {
    const rec = Buffer.alloc(16);
    // System event record, IPMI v2.0 section 32.1: id(2) type(1)=0x02 timestamp(4)
    // generator id(2, 0x0020 = BMC) EvM rev(1)=0x04 sensor type, number, dir|type, data 1-3.
    rec.writeUInt16LE(i + 1, 0);
    rec[2] = 0x02;
    rec.writeUInt32LE(e.timestamp, 3);
    Buffer.from([0x20, 0x00, 0x04, e.sensorType, e.sensorNumber, e.eventType, ...e.data]).copy(rec, 7);
    return `${i + 1}:d:${esc(rec)}`;
  });
  const last = SIM_SEL.at(-1)?.timestamp ?? 0;
  // ipmi_sim 2.0.33 loads the records in reverse file order (it writes them
  // newest first). Its SEL clock is CLOCK_MONOTONIC (seconds since boot) until a
  // client sends Set SEL Time, which it does not persist: entries added at run
  // time show as "Pre-Init".
  return [...lines.reverse(), `last_add_time:i:${last}`, 'last_erase_time:i:0', ''].join('\n');
}

async function render(name: string, vars: Record<string, string>): Promise<string> {
  let text = await readFile(join(CONFIG_DIR, name), 'utf8');
  for (const [k, v] of Object.entries(vars)) text = text.split(`@${k}@`).join(v);
  return text;
}

async function prepare(dir: string, host: string, port: number, consolePort: number): Promise<void> {
  const sdrcomp = findBinary('sdrcomp', 'openipmi');
  const rawPath = join(dir, 'sdr.raw');
  await promisify(execFile)(sdrcomp, ['-8', '-r', '-o', rawPath, join(CONFIG_DIR, 'server.sdrs')]);
  const sdrs = splitSdrs(await readFile(rawPath));
  await writeFile(join(dir, 'sdrs.emu'), sdrs.map((r) => `main_sdr_add 0x20 ${hexBytes(r)}`).join('\n') + '\n');
  await writeFile(join(dir, 'fru.bin'), buildFruImage(SIM_FRU));
  await copyFile(join(CONFIG_DIR, 'chassis-control'), join(dir, 'chassis-control'));
  await chmod(join(dir, 'chassis-control'), 0o755);
  await writeFile(join(dir, 'lan.conf'), await render('lan.conf', { ADDRESS: host, PORT: String(port), CONSOLE_PORT: String(consolePort), DIR: dir }));
  await writeFile(join(dir, 'server.emu'), await render('server.emu', { DIR: dir }));
  // ipmi_sim keeps its persistent data in <state>/ipmi_sim/<name from lan.conf>/.
  const persist = join(dir, 'state', 'ipmi_sim', 'bmcsim');
  await mkdir(persist, { recursive: true });
  await writeFile(join(persist, 'sel.20'), selPersistFile());
}

export async function startIpmiSim(opts: { address?: string; port?: number } = {}): Promise<IpmiSimHandle> {
  const host = opts.address ?? '127.0.0.2';
  const port = opts.port ?? 623;
  if (!host.startsWith('127.')) throw new Error(`ipmi_sim must bind a loopback address, not ${host}`);
  const ipmiSim = findBinary('ipmi_sim', 'openipmi');
  findBinary('sdrcomp', 'openipmi');
  await assertUdpPortFree(host, port);

  const dir = await mkdtemp(join(tmpdir(), 'bmc-ipmisim-'));
  let child: ChildProcess | undefined;
  let log = '';
  let exited: Promise<void> = Promise.resolve();
  const consolePort = await freePort(host);
  await prepare(dir, host, port, consolePort);

  const launch = async (): Promise<void> => {
    log = '';
    const proc = spawn(ipmiSim, ['-n', '-c', join(dir, 'lan.conf'), '-f', join(dir, 'server.emu'), '-s', join(dir, 'state')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    proc.stdout.on('data', (d: Buffer) => (log += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (log += d.toString()));
    exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`ipmi_sim exited during start-up (${proc.exitCode ?? proc.signalCode}):\n${log}`);
      }
      if (await presencePing(host, port, 200)) return;
    }
    proc.kill('SIGKILL');
    throw new Error(`ipmi_sim did not answer an RMCP presence ping on ${host}:${port} within ${READY_TIMEOUT_MS} ms:\n${log}`);
  };

  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(child.pid, sig);
      await exited;
    }
  };

  try {
    await launch();
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const handle: IpmiSimHandle = {
    host,
    port,
    get pid() {
      return child?.pid ?? -1;
    },
    stateDir: join(dir, 'state'),
    consolePort,
    users: { admin: { ...SIM_USERS.admin }, user: { ...SIM_USERS.user } },
    guid: GUID,
    console: (command) => sendConsole(host, consolePort, command),
    async stop() {
      await signal('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
    async kill() {
      await signal('SIGKILL');
    },
    async restart() {
      await signal('SIGTERM');
      await launch();
    },
  };
  return handle;
}

// The console prints "> " as its prompt; one command per connection.
async function sendConsole(host: string, port: number, command: string): Promise<string> {
  if (/[\r\n]/.test(command)) throw new Error('one console command at a time');
  return await new Promise<string>((resolve, reject) => {
    const sock = createConnection({ host, port });
    let buf = '';
    let sent = false;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`ipmi_sim console: no prompt after "${command}"; got ${JSON.stringify(buf)}`));
    }, 5_000);
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (!buf.endsWith('> ')) return;
      if (!sent) {
        sent = true;
        buf = '';
        sock.write(`${command}\n`);
        return;
      }
      clearTimeout(timer);
      sock.end();
      // The console echoes the command line first.
      const lines = buf.slice(0, -2).replace(/\r/g, '').split('\n');
      if (lines[0]?.trim() === command.trim()) lines.shift();
      resolve(lines.join('\n').trim());
    });
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
