// Part of the exporter benchmark: the same ipmi_sim BMC scraped N times in a
// row by our exporter and by prometheus-ipmi-exporter (Debian package,
// FreeIPMI based: every scrape runs bmc-info, ipmimonitoring and ipmi-chassis
// as child processes, each opening and closing its own RMCP+ session). CPU
// per scrape includes those children (cutime+cstime of the exporter, which
// reaps them) and p50 scrape time for both.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from './run.js';
import { startExporterCli } from './exporter.js';
import { freePort, percentile, pin, procCpu, stopped, waitHttp } from './exporter-proc.js';

const SIM_HOST = '127.0.0.7';
const PEER_BIN = 'prometheus-ipmi-exporter';

function which(bin: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The Debian package, installed on the spot when we may (root); otherwise undefined and the reason logged. */
function ensurePeer(log: (l: string) => void): string | undefined {
  const found = which(PEER_BIN);
  if (found) return found;
  if (process.getuid?.() !== 0) {
    log(`${PEER_BIN} is not installed: run "apt-get install -y ${PEER_BIN}" as root, then re-run; skipping the comparison`);
    return undefined;
  }
  log(`installing the Debian package ${PEER_BIN} (apt-get)`);
  try {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', PEER_BIN], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', PEER_BIN], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  return which(PEER_BIN);
}

/** The harness reads its lan.conf/SDR sources next to the module; tsc does not copy them into dist. */
function ensureSimConfigInDist(): void {
  const inDist = fileURLToPath(new URL('../peers/ipmi-sim', import.meta.url));
  const source = fileURLToPath(new URL('../../../test/peers/ipmi-sim', import.meta.url));
  if (!existsSync(inDist) && existsSync(source)) symlinkSync(source, inDist, 'dir');
}

async function timedScrapes(url: string, n: number, ok: (body: string) => string | undefined): Promise<{ ms: number[]; bad: number; firstBad?: string }> {
  const ms: number[] = [];
  let bad = 0;
  let firstBad: string | undefined;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(url);
    const body = await r.text();
    ms.push(performance.now() - t);
    const why = r.ok ? ok(body) : `HTTP ${r.status}`;
    if (why) {
      bad++;
      firstBad ??= why;
    }
  }
  return { ms, bad, firstBad };
}

export async function compareWithIpmiExporter(n: number, dir: string, report: Report, log: (l: string) => void): Promise<void> {
  const peerBin = ensurePeer(log);
  ensureSimConfigInDist();
  const { startIpmiSim } = await import('../peers/ipmi-sim.js');
  const sim = await startIpmiSim({ address: SIM_HOST, port: 623 });
  pin(sim.pid, 1);
  try {
    // Ours: the sim's admin user, cipher suite 3; the first scrape is cold (session + SDR walk), the rest warm.
    const { username, password } = sim.users.admin;
    const ours = await startExporterCli(
      `${SIM_HOST}:623:\n  username: ${JSON.stringify(username)}\n  password: ${JSON.stringify(password)}\n  cipher_suites: [3]\n`,
      dir,
      0,
      'exporter-ipmi-sim',
    );
    let oursCpu: number;
    let oursWarmCpu: number;
    let oursMs: number[];
    try {
      const c0 = procCpu(ours.pid).self;
      const first = await timedScrapes(`${ours.base}/bmc?target=${SIM_HOST}:623`, 1, (b) => (/^bmc_up 1$/m.test(b) ? undefined : 'bmc_up 0'));
      const c1 = procCpu(ours.pid).self;
      const rest = await timedScrapes(`${ours.base}/bmc?target=${SIM_HOST}:623`, n - 1, (b) => (/^bmc_up 1$/m.test(b) ? undefined : 'bmc_up 0'));
      const c2 = procCpu(ours.pid).self;
      oursCpu = (c2 - c0) / n;
      oursWarmCpu = (c2 - c1) / Math.max(1, n - 1);
      oursMs = [...first.ms, ...rest.ms].sort((a, b) => a - b);
      const bad = first.bad + rest.bad;
      report(
        'ipmi_sim_ours_cpu_ms_per_scrape',
        oursCpu * 1000,
        'ms',
        `${n} sequential scrapes incl. the cold first (${(first.ms[0] ?? NaN).toFixed(0)} ms); warm only ${(oursWarmCpu * 1000).toFixed(2)} ms${bad ? `; ${bad} not up: ${first.firstBad ?? rest.firstBad}` : ''}`,
      );
      report('ipmi_sim_ours_p50', percentile(oursMs, 50), 'ms', 'collectors bmc_info, chassis, power_draw, processor_temperature');
    } finally {
      await ours.stop();
    }
    if (!peerBin) return;

    const version =
      execFileSync(peerBin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
        .split('\n')[0]
        ?.trim() ?? '?';
    // Closest to ours: bmc (bmc_info), chassis, ipmi (all sensors: it has no per-sensor
    // selection, so it reads more than our two collectors). dcmi is left out: ipmi_sim
    // has no DCMI, and our power_draw falls back to DCMI only without PSU sensors.
    const config = join(dir, 'ipmi_exporter.yml');
    writeFileSync(
      config,
      [
        'modules:',
        '  default:',
        `    user: ${JSON.stringify(username)}`,
        `    pass: ${JSON.stringify(password)}`,
        '    driver: "LAN_2_0"',
        '    privilege: "user"',
        '    timeout: 10000',
        '    workaround_flags: ["opensesspriv"]',
        '    collectors: [bmc, ipmi, chassis]',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const port = await freePort();
    const peer = spawn(peerBin, [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    peer.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    pin(peer.pid!, 0);
    try {
      await waitHttp(`http://127.0.0.1:${port}/metrics`, 10_000, () => peer.exitCode === null);
      const p0 = procCpu(peer.pid!);
      const r = await timedScrapes(`http://127.0.0.1:${port}/ipmi?target=${SIM_HOST}&module=default`, n, (b) => {
        const down = [...b.matchAll(/^ipmi_up\{collector="([^"]+)"\} (\d+)/gm)].filter((m) => m[2] !== '1').map((m) => m[1]);
        return down.length ? `ipmi_up 0 for ${down.join(', ')}` : undefined;
      });
      const p1 = procCpu(peer.pid!);
      const self = (p1.self - p0.self) / n;
      const children = (p1.children - p0.children) / n;
      const ms = [...r.ms].sort((a, b) => a - b);
      report(
        'ipmi_sim_peer_cpu_ms_per_scrape',
        (self + children) * 1000,
        'ms',
        `${version}; exporter ${(self * 1000).toFixed(1)} ms + FreeIPMI children ${(children * 1000).toFixed(1)} ms; collectors bmc, ipmi, chassis${r.bad ? `; ${r.bad} failed: ${r.firstBad}` : ''}`,
      );
      report('ipmi_sim_peer_p50', percentile(ms, 50), 'ms', `${n} sequential scrapes of /ipmi?target=${SIM_HOST}&module=default`);
      report(
        'ipmi_sim_cpu_ratio_peer_over_ours',
        (self + children) / oursCpu,
        'x',
        `per scrape, ours incl. its cold first scrape (warm only: ${((self + children) / oursWarmCpu).toFixed(0)}x)`,
      );
      report('ipmi_sim_p50_ratio_peer_over_ours', percentile(ms, 50) / percentile(oursMs, 50), 'x');
      if (r.bad) log(`prometheus-ipmi-exporter stderr: ${err.slice(-500)}`);
    } finally {
      peer.kill('SIGTERM');
      await stopped(peer, 5_000);
    }
  } finally {
    await sim.stop();
  }
}
