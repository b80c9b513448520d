// prometheus-community/ipmi_exporter as Debian ships it (prometheus-ipmi-exporter,
// FreeIPMI based), started on a loopback port with a modules file. A missing
// binary is an error: the side-by-side tests must fail without their peer.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port.js';

export interface IpmiExporterHandle {
  readonly url: string;
  readonly pid: number;
  readonly version: string;
  logs(): string;
  stop(): Promise<void>;
}

export function ipmiExporterBinary(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v prometheus-ipmi-exporter'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'prometheus-ipmi-exporter not found: install the Debian package "prometheus-ipmi-exporter" (node scripts/ensure-test-deps.mjs as root does)',
    );
  }
}

export async function startIpmiExporter(configFile: string): Promise<IpmiExporterHandle> {
  const bin = ipmiExporterBinary();
  const v = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  const version = /version (\d[^\s]*)/.exec(`${v.stdout}${v.stderr}`)?.[1] ?? '?';
  const port = await freePort();
  const child: ChildProcess = spawn(bin, [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${port}`, '--freeipmi.path=/usr/sbin'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus-ipmi-exporter exited (${child.exitCode}):\n${log}`);
    try {
      if ((await fetch(`${url}/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prometheus-ipmi-exporter did not answer on ${url} within 10 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid!,
    version,
    logs: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGTERM');
      await exited;
    },
  };
}
