// The exporter-layer benchmark: what a warm /bmc scrape costs above the IPMI
// library, in this process and without a socket. Real Target objects (the
// default collectors, the scrape context, the session cache, the console's
// snapshot, the self-metrics) scrape into a fresh Exposition whose text is
// then written, under a ScrapeSignal as the /bmc handler makes one; only the
// BmcClient is replaced, by one that answers every command from memory: the
// answer a simulated BMC (bmc-sim's model, profile server-2s as in the
// exporter bench) gave the first time that command and request were sent,
// decoded once. So the figures leave out the library's command path (queue,
// session, crypto, codec) and the UDP noise of a loaded machine, and show what
// the layer this repository's src/ adds: µs of CPU per warm scrape (user +
// system, median of EXPORTER_LAYER_BLOCKS blocks), garbage collections per
// 1,000 scrapes (scavenges and mark-sweeps, from the gc performance entries)
// and the share of the time spent collecting.
// Knobs (environment): EXPORTER_LAYER_TARGETS (targets scraped concurrently
// in each round, 50), EXPORTER_LAYER_SCRAPES (scrapes per block, 20,000),
// EXPORTER_LAYER_BLOCKS (5). Node flags (--max-semi-space-size, --cpu-prof)
// apply as given to `node dist/test/bench/run.js exporter-layer`.
import { constants, PerformanceObserver } from 'node:perf_hooks';
import {
  type ClientHooks,
  type Command,
  CompletionCodeError,
  type Execute,
  type ExecuteOptions,
  type SessionDescription,
  UdpTransport,
} from '@bmc-exporter/ipmi';
import { BmcModel, PROFILES } from '@bmc-exporter/bmc-sim';
import { SessionCache } from '../../src/targets/session-cache.js';
import { parseTargetAddress } from '../../src/targets/target-address.js';
import { Target } from '../../src/targets/target.js';
import { benchMetrics, benchScrape, quietResponse } from './bench-scrape.js';
import type { Benchmark } from './run.js';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
const PROFILE = 'server-2s';

type Answer = { ok: true; rsp: unknown } | { ok: false; err: CompletionCodeError };

/**
 * The part of BmcClient a Target uses, answering from memory. Answers are
 * kept per command and request (by sensor number for Get Sensor Reading, the
 * bulk of a warm scrape, else by the request's JSON), so after the cold scrape
 * a command costs a map lookup and a resolved promise. The client's hooks are
 * told of every command as BmcClient tells them (the exporter's metrics and
 * command count are part of the layer measured).
 */
class MemoryClient {
  session: SessionDescription | undefined;
  private readonly answers = new Map<Command<unknown, unknown>, Map<number | string, Answer>>();
  private readonly description: SessionDescription = { ipmiVersion: '2.0', cipherSuite: 3, authType: null, privilege: 'administrator' };

  constructor(
    private readonly model: BmcModel,
    private readonly hooks: ClientHooks,
  ) {}

  open(): Promise<SessionDescription> {
    if (!this.session) {
      this.session = this.description;
      this.hooks.sessionOpened?.(this.description);
    }
    return Promise.resolve(this.description);
  }

  readonly execute: Execute = <Req, Rsp>(command: Command<Req, Rsp>, request: Req, options?: ExecuteOptions): Promise<Rsp> => {
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    const lun = options?.lun ?? 0;
    const sensorNumber = (request as { sensorNumber?: unknown } | undefined)?.sensorNumber;
    const key = typeof sensorNumber === 'number' && lun === 0 ? sensorNumber : `${lun}/${JSON.stringify(request ?? null)}`;
    let byRequest = this.answers.get(command as Command<unknown, unknown>);
    if (!byRequest) this.answers.set(command as Command<unknown, unknown>, (byRequest = new Map()));
    let answer = byRequest.get(key);
    if (!answer) byRequest.set(key, (answer = this.ask(command, request, lun)));
    if (answer.ok) {
      this.hooks.commandCompleted?.(command.name, 0, 'ok', 0);
      return Promise.resolve(answer.rsp as Rsp);
    }
    this.hooks.commandCompleted?.(command.name, 0, 'completion-code', answer.err.completionCode);
    return Promise.reject(answer.err);
  };

  private ask<Req, Rsp>(command: Command<Req, Rsp>, request: Req, lun: number): Answer {
    const result = this.model.handler({ netFn: command.netFn, cmd: command.cmd, lun, data: command.encode(request) }, { privilege: 4, ipmiVersion: '2.0' });
    if (!result) throw new Error(`the simulated BMC does not answer ${command.name}`);
    if (result.completionCode !== 0) return { ok: false, err: new CompletionCodeError(command.name, result.completionCode) };
    return { ok: true, rsp: command.decode(result.data ?? Buffer.alloc(0)) };
  }

  releaseSignal(): void {}

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const settle = () => new Promise((r) => setTimeout(r, 50));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export const benchmark: Benchmark = {
  name: 'exporter-layer',
  description: 'warm /bmc scrapes above the IPMI library, in-process with a client answering from memory: µs CPU per scrape, GCs per 1,000 scrapes',
  async run(report, log) {
    const targetCount = env('EXPORTER_LAYER_TARGETS', 50);
    const perBlock = env('EXPORTER_LAYER_SCRAPES', 20_000);
    const blocks = env('EXPORTER_LAYER_BLOCKS', 5);
    const def = PROFILES[PROFILE];
    if (!def) throw new Error(`no profile ${PROFILE}`);
    // Never bound: the clients that would use it are replaced before the first scrape.
    const transport = new UdpTransport();
    const targets: Target[] = [];
    const { health, metrics } = benchMetrics(transport, () => targets.length);
    for (let i = 0; i < targetCount; i++) {
      const address = parseTargetAddress(`127.215.0.${i + 1}:623`);
      const target = new Target({ address, credentials: { username: 'bench', password: 'bench-password' }, transport, metrics, health });
      const hooks = (target.client as unknown as { hooks: ClientHooks }).hooks;
      const client = new MemoryClient(new BmcModel(def, { seed: 1 }), hooks);
      // As Target's constructor makes its cache, over the memory client.
      const cache = new SessionCache(client.execute, () => metrics.initialiseTimeouts.inc());
      Object.assign(target, { client, cache });
      targets.push(target);
    }
    const responses = targets.map(() => quietResponse());
    let bytes = 0;
    const scrapeOne = async (i: number) => {
      bytes = await benchScrape(targets[i]!, responses[i]!);
    };
    const scrapes = async (n: number) => {
      for (let done = 0; done < n; done += targetCount) {
        const round: Promise<void>[] = [];
        for (let i = 0; i < targetCount && done + i < n; i++) round.push(scrapeOne(i));
        await Promise.all(round);
        // A turn of the event loop between rounds, as scrapes answered from sockets have.
        await new Promise((r) => setImmediate(r));
      }
    };
    // Cold scrape (SDR walk, device id, DCMI capabilities), then warm-up for the optimising compiler.
    await scrapes(targetCount);
    const commands = targets[0]!.status.commands;
    await scrapes(Math.max(perBlock, 5_000));
    const s = targets[0]!.status;
    if (!s.up || s.partial || s.errors) throw new Error(`a warm scrape was not complete: ${JSON.stringify(s)}`);
    const warmCommands = s.commands;
    log(`${targetCount} targets, cold scrape ${commands} commands, warm scrape ${warmCommands} commands, answer ${bytes} bytes`);

    let scavenges = 0;
    let markSweeps = 0;
    let gcMs = 0;
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as { detail?: { kind?: number } }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
        else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR || kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) markSweeps++;
        gcMs += e.duration;
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    const cpuUs: number[] = [];
    const scavengesPer1000: number[] = [];
    const markSweepsPer1000: number[] = [];
    const gcShare: number[] = [];
    try {
      for (let b = 0; b < blocks; b++) {
        // gc entries reach the observer a while later (a timer, not the next turn): let the previous block's be counted first.
        await settle();
        const s0 = scavenges;
        const m0 = markSweeps;
        const g0 = gcMs;
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        await scrapes(perBlock);
        const c = process.cpuUsage(c0);
        const wallMs = performance.now() - t0;
        await settle();
        cpuUs.push((c.user + c.system) / perBlock);
        scavengesPer1000.push(((scavenges - s0) * 1000) / perBlock);
        markSweepsPer1000.push(((markSweeps - m0) * 1000) / perBlock);
        gcShare.push(((gcMs - g0) / wallMs) * 100);
        log(
          `block ${b + 1}: ${cpuUs.at(-1)!.toFixed(1)} µs CPU a scrape, ${scavengesPer1000.at(-1)!.toFixed(1)} scavenges and ${markSweepsPer1000.at(-1)!.toFixed(2)} mark-sweeps per 1,000 scrapes, GC ${gcShare.at(-1)!.toFixed(0)} % of the time`,
        );
      }
    } finally {
      observer.disconnect();
      await Promise.all(targets.map((t) => t.close()));
      await transport.close();
    }
    const flags = process.execArgv.filter((a) => a.startsWith('--')).join(' ');
    const note = `median of ${blocks} blocks of ${perBlock} warm scrapes, ${targetCount} targets, ${PROFILE}, ${warmCommands} commands a scrape answered from memory${flags ? `, node ${flags}` : ''}`;
    report('cpu_us_per_scrape', median(cpuUs), 'us', note);
    report('scavenges_per_1000_scrapes', median(scavengesPer1000), 'count', note);
    report('mark_sweeps_per_1000_scrapes', median(markSweepsPer1000), 'count', note);
    report('gc_time_share', median(gcShare), '%', note);
    report('commands_per_scrape', warmCommands, 'count', note);
    report('answer_bytes', bytes, 'bytes', note);
  },
};
