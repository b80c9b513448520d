// Child process of the exporter benchmark: the bare scrape. The least a warm
// scrape of the same BMCs can cost in Node with our wire code: a node:http
// server whose /bmc?target= sends the commands of the exporter's warm scrape
// (Get Sensor Reading of every sensor the default collectors read, Get Chassis
// Status, DCMI Get Power Reading, Get SEL Info) one after the other on one node:dgram socket,
// through the session framer of a session the library opened (its AES-CBC and
// HMAC, its integrity, trailer and sequence checks), checks each answer's LAN
// frame (response NetFn, rqSeq, command, both checksums, completion code),
// decodes it with the library's decoders and answers the readings as text.
//
// Everything else a production exporter does is left out: no queue, promise,
// abort signal or collector per command, no retransmit (a lost datagram ends
// the scrape at its deadline with bmc_up 0, which the generator counts as a
// failure), no self-metrics, no logging, no session recovery. Set against
// the exporter on the same targets, under the same generator, it splits our
// cost per command into what the protocol's work costs in Node (this) and
// what the exporter's structure adds on top of it. A failure to set up (a
// login, an SDR walk, a first scrape that is not up) is written to stderr and
// ends the process, so the parent's wait for `ready` fails at once.
import { createSocket, type SocketOptions } from 'node:dgram';
import { createServer } from 'node:http';
import {
  BmcClient,
  dcmiGetPowerReading,
  getChassisStatus,
  getSelInfo,
  getSensorReading,
  interpretReading,
  parseHostPort,
  readSdrRepository,
  sensorsFromSdr,
  UdpTransport,
  type Command,
  type SensorDescriptor,
} from '@bmc-exporter/ipmi';
import type { Framer } from '../../packages/ipmi/src/client/framers.js';
import { RECEIVE_BUFFER_BYTES } from '../../src/main.js';
import { EXPOSITION_HEADERS, labelText } from '../../src/metrics/exposition.js';

export interface BareRequest {
  type: 'serve';
  targets: { target: string; username: string; password: string }[];
  /** The suites the exporter's targets pin (undefined: the library's discovery). */
  cipherSuites?: number[];
  /** Answers are padded with a constant comment to this many bytes, the exporter's warm answer, so Node's HTTP server writes as much. */
  padTo: number;
  deadlineMs: number;
}
export type FromBare =
  | { type: 'ready'; port: number; commandsPerScrape: number; loginMs: number; bodyBytes: number }
  | { type: 'counts'; roundTrips: number; dropped: number };

const send = (m: FromBare) => process.send!(m);
const LOGIN_CONCURRENCY = 64;
/** Table 42-3 sensor type Power Supply, and event/reading type 6Fh (sensor-specific, Table 42-1). */
const POWER_SUPPLY = 0x08;
const SENSOR_SPECIFIC = 0x6f;

type Kind = 'sensor' | 'chassis' | 'power' | 'sel';
interface Step {
  kind: Kind;
  netFn: number;
  cmd: number;
  rsLun: number;
  data: Buffer;
  sensor?: SensorDescriptor;
  /** `name{labels} ` of the step's line, made once. */
  prefix: string;
}

const literal = ((address: string, _options: unknown, callback: (err: null, address: string, family: number) => void) =>
  callback(null, address, 4)) as unknown as SocketOptions['lookup'];
// The exporter's receive buffer: 256 scrapes in flight answer in bursts.
const socket = createSocket({ type: 'udp4', lookup: literal, recvBufferSize: RECEIVE_BUFFER_BYTES });
let roundTrips = 0;
let dropped = 0;

/**
 * The datagrams of one turn of the event loop, as the library's transport
 * handles them (its TurnBatch, for the same reason: Node's receive and send
 * paths cost two to three times as much when each answer's work runs between
 * them): the answers one poll phase reads are noted, handed to their targets
 * in the check phase right after, and the requests they lead to sent together
 * after that. A scrape's first request, made outside that turn, goes at once.
 */
class Outbox {
  private readonly answers: Buffer[] = [];
  private readonly answerTargets: BareTarget[] = [];
  private readonly datagrams: Buffer[] = [];
  private readonly to: BareTarget[] = [];
  private inTurn = false;
  private scheduled = false;
  private readonly turn = () => this.runTurn();

  received(d: Buffer, t: BareTarget): void {
    this.answers.push(d);
    this.answerTargets.push(t);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.turn);
    }
  }

  send(d: Buffer, t: BareTarget): void {
    if (!this.inTurn) {
      socket.send(d, t.port, t.address);
      return;
    }
    this.datagrams.push(d);
    this.to.push(t);
  }

  private runTurn(): void {
    this.scheduled = false;
    this.inTurn = true;
    const { answers, answerTargets, datagrams, to } = this;
    for (let i = 0; i < answers.length; i++) answerTargets[i]!.datagram(answers[i]!);
    answers.length = 0;
    answerTargets.length = 0;
    this.inTurn = false;
    for (let i = 0; i < datagrams.length; i++) socket.send(datagrams[i]!, to[i]!.port, to[i]!.address);
    datagrams.length = 0;
    to.length = 0;
  }
}
const outbox = new Outbox();

/** One BMC: its session's framer, its scrape's steps, and the scrape in progress (at most one: the generator asks each target once per pass). */
class BareTarget {
  private rqSeq = 1;
  private step = -1;
  private values: number[] = [];
  private answer: ((body: string) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly address: string,
    readonly port: number,
    private readonly framer: Framer,
    readonly steps: readonly Step[],
    /** Appended to every answer (set once the first answer's size is known). */
    public pad = '',
  ) {}

  scrape(answer: (body: string) => void, deadlineMs: number): void {
    if (this.answer !== undefined) {
      answer('bmc_up 0\n');
      return;
    }
    this.answer = answer;
    this.values = [];
    this.step = 0;
    this.timer = setTimeout(() => this.finish(false), deadlineMs);
    this.sendStep();
  }

  private sendStep(): void {
    const s = this.steps[this.step]!;
    this.rqSeq = (this.rqSeq + 1) & 0x3f;
    outbox.send(this.framer.wrapRequest(s.netFn, s.cmd, this.rqSeq, s.rsLun, s.data), this);
  }

  datagram(d: Buffer): void {
    if (this.answer === undefined) return void dropped++;
    const lan = this.framer.unwrap(d);
    if (!Buffer.isBuffer(lan)) return void dropped++;
    const s = this.steps[this.step]!;
    const n = lan.length;
    // Table 13-4 response: rqAddr, netFn/rqLUN, checksum, rsAddr, rqSeq/rsLUN, cmd, completion code, data, checksum.
    if (n < 8 || lan[1]! >> 2 !== s.netFn + 1 || lan[4]! >> 2 !== this.rqSeq || lan[5] !== s.cmd) return void dropped++;
    if (((lan[0]! + lan[1]! + lan[2]!) & 0xff) !== 0) return void dropped++;
    let sum = 0;
    for (let i = 3; i < n; i++) sum += lan[i]!;
    if ((sum & 0xff) !== 0) return void dropped++;
    roundTrips++;
    this.values.push(lan[6] === 0 ? decode(s, lan.subarray(7, n - 1)) : Number.NaN);
    if (++this.step < this.steps.length) this.sendStep();
    else this.finish(true);
  }

  private finish(up: boolean): void {
    clearTimeout(this.timer);
    const answer = this.answer!;
    this.answer = undefined;
    let out = '';
    const { steps, values } = this;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isNaN(v)) out += `${steps[i]!.prefix}${v}\n`;
    }
    out += up ? 'bmc_up 1\n' : 'bmc_up 0\n';
    answer(out + this.pad);
  }
}

function decode(s: Step, data: Buffer): number {
  switch (s.kind) {
    case 'sensor':
      return interpretReading(s.sensor!, getSensorReading.decode(data)).value ?? Number.NaN;
    case 'chassis':
      return getChassisStatus.decode(data).poweredOn ? 1 : 0;
    case 'power': {
      const p = dcmiGetPowerReading.decode(data);
      return p.powerMeasurementActive ? p.currentWatts : Number.NaN;
    }
    case 'sel':
      return getSelInfo.decode(data).entries;
  }
}

function commandStep<Req>(kind: Kind, command: Command<Req, unknown>, req: Req, prefix: string): Step {
  return { kind, netFn: command.netFn, cmd: command.cmd, rsLun: 0, data: command.encode(req), prefix };
}

/** The session's framer: the bench reads the client's private session, as nothing public hands a framer out. */
function framerOf(client: BmcClient): Framer {
  const framer = (client as unknown as { active?: { framer?: Framer } }).active?.framer;
  if (framer === undefined) throw new Error(`${client.target}: no session framer after open()`);
  return framer;
}

async function login(req: BareRequest, transport: UdpTransport, t: BareRequest['targets'][number]): Promise<BareTarget> {
  const { host, port } = parseHostPort(t.target);
  const client = new BmcClient({
    host,
    port,
    username: t.username,
    password: t.password,
    privilege: 'user',
    transport,
    ...(req.cipherSuites ? { cipherSuites: req.cipherSuites } : {}),
  });
  await client.open();
  const sdr = await readSdrRepository(client.execute);
  // The sensors the default collectors read: every threshold sensor, and the power supplies' sensor-specific status.
  const sensors = sensorsFromSdr(sdr.records).filter(
    (s) => s.readable && !s.bridged && (s.isThreshold || (s.sensorType === POWER_SUPPLY && s.eventReadingType === SENSOR_SPECIFIC)),
  );
  const steps: Step[] = sensors.map((sensor) => ({
    kind: 'sensor',
    netFn: getSensorReading.netFn,
    cmd: getSensorReading.cmd,
    rsLun: sensor.lun,
    data: getSensorReading.encode({ sensorNumber: sensor.number }),
    sensor,
    prefix: `bmc_sensor_value${labelText({ sensor: sensor.name, key: sensor.key })} `,
  }));
  steps.push(commandStep('chassis', getChassisStatus, undefined, 'bmc_chassis_power_on '));
  steps.push(commandStep('power', dcmiGetPowerReading, {}, 'bmc_power_watts '));
  steps.push(commandStep('sel', getSelInfo, undefined, 'bmc_sel_entries '));
  // The client keeps its session open (and is never used again): the bare path sends in it from its own socket.
  return new BareTarget(host, port, framerOf(client), steps);
}

process.once('message', (req: BareRequest) => {
  void (async () => {
    try {
      const t0 = performance.now();
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      const transport = new UdpTransport();
      const targets = new Map<string, BareTarget>();
      let nextIndex = 0;
      await Promise.all(
        Array.from({ length: LOGIN_CONCURRENCY }, async () => {
          while (nextIndex < req.targets.length) {
            const t = req.targets[nextIndex++]!;
            targets.set(t.target, await login(req, transport, t));
          }
        }),
      );
      const byAddress = new Map<string, BareTarget>();
      for (const t of targets.values()) byAddress.set(t.address, t);
      socket.on('message', (d, from) => {
        const t = byAddress.get(from.address);
        if (t === undefined || t.port !== from.port) dropped++;
        else outbox.received(d, t);
      });
      const first = targets.values().next().value as BareTarget;
      const commandsPerScrape = first.steps.length;
      // The pad: a constant comment, so an answer is as long as the exporter's.
      const sample = await new Promise<string>((resolve) => first.scrape(resolve, req.deadlineMs));
      if (!sample.includes('bmc_up 1')) throw new Error(`${first.address}: the first bare scrape failed:\n${sample}`);
      const padBytes = Math.max(0, req.padTo - Buffer.byteLength(sample) - 3);
      const pad = padBytes > 0 ? `# ${'x'.repeat(padBytes)}\n` : '';
      for (const t of targets.values()) t.pad = pad;
      const bodyBytes = Buffer.byteLength(sample) + Buffer.byteLength(pad);

      const server = createServer((request, res) => {
        request.resume();
        const url = request.url ?? '';
        const at = url.indexOf('target=');
        const target = at < 0 ? undefined : targets.get(decodeURIComponent(url.slice(at + 7)));
        if (target === undefined) {
          res.writeHead(404).end('no such target\n');
          return;
        }
        target.scrape((body) => {
          res.writeHead(200, EXPOSITION_HEADERS);
          res.end(body);
        }, req.deadlineMs);
      });
      server.on('error', fail);
      server.listen(0, '127.0.0.1', () => {
        const addr = server.address();
        if (addr === null || typeof addr === 'string') fail(new Error('no TCP port'));
        else send({ type: 'ready', port: addr.port, commandsPerScrape, loginMs: performance.now() - t0, bodyBytes });
      });
      process.on('message', (m: { type: string }) => {
        if (m.type === 'counts') send({ type: 'counts', roundTrips, dropped });
      });
      // The parent closes the IPC channel when it is done with us.
      process.once('disconnect', () => {
        server.closeAllConnections();
        server.close();
        socket.close();
        void transport.close();
      });
    } catch (err) {
      fail(err);
    }
  })();
});

function fail(err: unknown): void {
  process.stderr.write(`bare scrape: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
