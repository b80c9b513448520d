// Helpers of the exporter benchmark: another process's CPU, RSS and
// descriptors as Linux shows them in /proc, CPU pinning, and child plumbing.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds of `pid` itself and of its children it has waited for (cutime+cstime: FreeIPMI tools run by prometheus-ipmi-exporter). */
export function procCpu(pid: number): { self: number; children: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is field 3, utime 14, stime 15, cutime 16, cstime 17 (proc(5)).
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const n = (i: number) => Number(f[i - 3]);
  const hz = ticksPerSecond();
  return { self: (n(14) + n(15)) / hz, children: (n(16) + n(17)) / hz };
}

/**
 * Times the main thread of `pid` (its event loop) gave up the CPU: voluntary
 * context switches, mostly the loop waiting in epoll for the next event, so
 * the wake-ups it paid for (proc(5): /proc/PID/task/PID/status).
 */
export function procLoopSleeps(pid: number): number {
  const m = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** Resident set size of `pid`, bytes. */
export function procRss(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

function socketInodes(table: string): Set<string> {
  const out = new Set<string>();
  try {
    for (const line of readFileSync(`/proc/net/${table}`, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[9]) out.add(cols[9]);
    }
  } catch {
    // no IPv6
  }
  return out;
}

/** Open descriptors of `pid`: total, UDP sockets, TCP sockets. */
export function procFds(pid: number): { total: number; udp: number; tcp: number } {
  const udp = new Set([...socketInodes('udp'), ...socketInodes('udp6')]);
  const tcp = new Set([...socketInodes('tcp'), ...socketInodes('tcp6')]);
  let total = 0;
  let u = 0;
  let t = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    total++;
    let link: string;
    try {
      link = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (!m) continue;
    if (udp.has(m[1]!)) u++;
    else if (tcp.has(m[1]!)) t++;
  }
  return { total, udp: u, tcp: t };
}

/** Kernel-wide UDP datagrams dropped for a full receive buffer (/proc/net/snmp RcvbufErrors). */
export function udpRcvbufErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  return Number(values[names.indexOf('RcvbufErrors')]);
}

/** Non-zero samples of the exporter's retry, drop and failure counters, as one line. */
export async function exporterTrouble(base: string): Promise<string> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => /^bmc_exporter_(command_retries|packets_dropped|ipmi_requests_abandoned|command_failures|collector_errors)_total/.test(l) && !/ 0$/.test(l))
    .join(', ');
}

/** Where the exporter's memory is, from its own process metrics (prom-client defaults), as one line. */
export async function exporterMemory(base: string): Promise<string> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const mib = (name: string) => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
    return m ? `${(Number(m[1]) / 2 ** 20).toFixed(0)} MiB` : '?';
  };
  const spaces = [...text.matchAll(/^nodejs_heap_space_size_total_bytes\{space="(\w+)"\} (\S+)$/gm)]
    .filter((m) => Number(m[2]) >= 2 ** 20)
    .map((m) => `${m[1]} ${(Number(m[2]) / 2 ** 20).toFixed(0)}`);
  return `V8 heap ${mib('nodejs_heap_size_used_bytes')} used of ${mib('nodejs_heap_size_total_bytes')} (MiB by space: ${spaces.join(', ')}), external ${mib('nodejs_external_memory_bytes')}, RSS ${mib('process_resident_memory_bytes')}`;
}

let canPin: boolean | undefined;
/** Pin every thread of `pid` to `cpu` (children started later inherit it); false when taskset is missing. */
export function pin(pid: number, cpu: number): boolean {
  if (canPin === false) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    canPin = true;
  } catch {
    canPin = false;
  }
  return canPin;
}

export function child(file: string, args: string[] = [], execArgv: string[] = []): ChildProcess {
  return fork(fileURLToPath(new URL(file, import.meta.url)), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
}

export function next<T extends { type: string }>(c: ChildProcess, type: T['type'], send?: unknown, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no "${type}" from child within ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code: number | null) => fail(new Error(`child exited (${code}) before sending "${type}"`));
    const fail = (err: Error) => {
      clearTimeout(timer);
      c.off('message', onMsg);
      c.off('exit', onExit);
      reject(err);
    };
    const onMsg = (m: T & { message?: string }) => {
      if (m.type === 'error') fail(new Error(m.message));
      else if (m.type === type) {
        clearTimeout(timer);
        c.off('message', onMsg);
        c.off('exit', onExit);
        resolve(m);
      }
    };
    c.on('message', onMsg);
    c.once('exit', onExit);
    if (send) c.send(send as object);
  });
}

/** Wait for `c` to exit; SIGKILL it after timeoutMs. */
export function stopped(c: ChildProcess, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', resolve);
  });
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (addr === null || typeof addr === 'string') throw new Error('no TCP port');
  return addr.port;
}

/** Poll `url` until it answers 200. */
export async function waitHttp(url: string, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (!alive()) throw new Error(`process exited before ${url} answered`);
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Request NetFn:command as the simulator counts them, by name (IPMI v2.0 Appendix G, DCMI v1.5 Table 6-1). */
export const COMMAND_NAMES: Record<string, string> = {
  '0x00:0x01': 'Get Chassis Status',
  '0x04:0x2d': 'Get Sensor Reading',
  '0x06:0x01': 'Get Device ID',
  '0x06:0x37': 'Get System GUID',
  '0x06:0x38': 'Get Channel Auth Capabilities',
  '0x06:0x3b': 'Set Session Privilege Level',
  '0x06:0x3c': 'Close Session',
  '0x06:0x54': 'Get Channel Cipher Suites',
  '0x0a:0x20': 'Get SDR Repository Info',
  '0x0a:0x22': 'Reserve SDR Repository',
  '0x0a:0x23': 'Get SDR',
  '0x0a:0x40': 'Get SEL Info',
  '0x0a:0x42': 'Reserve SEL',
  '0x0a:0x43': 'Get SEL Entry',
  '0x2c:0x01': 'DCMI Get Capabilities',
  '0x2c:0x02': 'DCMI Get Power Reading',
};
