import { createSocket, type Socket } from 'node:dgram';
import { parseGuid } from '@bmc-exporter/ipmi';
import { commandKey, formatCommandKey } from '../command-handler.js';
import { FaultInjector, HostileAnswers, NO_FAULTS, type FaultConfig, type FaultCounters, type HostileCounters } from '../faults/index.js';
import { BmcModel, type BmcDefinition, type SensorDefinition } from '../model/index.js';
import { BmcProtocol, protocolConfig, type AuthType15Name, type ProtocolConfig, type SessionCounters, type SimUser } from '../protocol/index.js';

/** Everything a test or the control API reads about one BMC. */
export interface BmcCounters {
  sessions: SessionCounters;
  /** Commands that reached the model, keyed "0xNN:0xNN" (request NetFn:command). */
  commands: Record<string, number>;
  commandsTotal: number;
  faults: FaultCounters;
  /** Answers the command-level hostile faults wrote. */
  hostile: HostileCounters;
}

export interface SimBmcOptions {
  address: string;
  port: number;
  /** Already varied for this BMC. */
  definition: BmcDefinition;
  users: SimUser[];
  seed: number;
  faults?: Partial<FaultConfig>;
  /** Protocol knobs the fleet definition may override (session limit, idle timeout). */
  protocol?: Partial<Pick<ProtocolConfig, 'sessionLimit' | 'sessionIdleTimeoutMs'>>;
}

/** Table 43-13 entity 0x0A power supply, by code or by the model's slug. */
const PSU_ENTITY = new Set<string | number>([0x0a, 'power-supply']);
/** Table 42-3 sensor type 0x0B "Other Units-based Sensor". */
const OTHER_UNITS_SENSOR_TYPE = 0x0b;

/**
 * One simulated BMC on its own UDP socket: model + protocol engine + fault
 * layer, wired so BMC-level faults (password, session limit, quirks) can be
 * changed at run time without losing the socket.
 */
export class SimBmc {
  readonly protocol: BmcProtocol;
  readonly faults: FaultInjector;
  readonly hostile: HostileAnswers;
  model: BmcModel;
  private readonly commands = new Map<number, number>();
  private commandsTotal = 0;
  private readonly baseProtocol: ProtocolConfig;
  private socket: Socket | undefined;

  constructor(readonly options: SimBmcOptions) {
    this.model = new BmcModel(options.definition, { seed: options.seed });
    this.faults = new FaultInjector({}, { seed: options.seed });
    this.hostile = new HostileAnswers(() => this.faults.config, options.seed);
    this.baseProtocol = protocolConfig({
      guid: parseGuid(options.definition.guid),
      users: options.users,
      ...protocolFromDefinition(options.definition),
      ...options.protocol,
    });
    this.protocol = new BmcProtocol(
      this.baseProtocol,
      this.hostile.wrap(() => this.model),
      {
        hooks: {
          onRequest: this.faults.onRequest,
          onResponse: this.faults.onResponse,
          onCommand: (netFn, cmd) => {
            this.faults.onCommand(netFn, cmd);
            const k = commandKey(netFn, cmd);
            this.commands.set(k, (this.commands.get(k) ?? 0) + 1);
            this.commandsTotal++;
          },
        },
      },
    );
    if (options.faults) this.setFaults(options.faults);
  }

  get address(): string {
    return this.options.address;
  }

  get port(): number {
    return this.options.port;
  }

  get counters(): BmcCounters {
    const commands: Record<string, number> = {};
    for (const [k, n] of this.commands) commands[formatCommandKey(k)] = n;
    const c = this.faults.counters;
    return {
      sessions: { ...this.protocol.counters },
      commands,
      commandsTotal: this.commandsTotal,
      faults: { dropped: { ...c.dropped }, altered: { ...c.altered } },
      hostile: { ...this.hostile.counters },
    };
  }

  /** Apply a fault patch; BMC-level ones rebuild the protocol config or the model as needed. */
  setFaults(patch: Partial<FaultConfig>): FaultConfig {
    const before = this.faults.config;
    this.faults.update(patch);
    const f = this.faults.config;
    if (
      f.wrongPassword !== before.wrongPassword ||
      f.sessionLimitReached !== before.sessionLimitReached ||
      f.aesPad16 !== before.aesPad16 ||
      f.rakpOpenSessionPrivilege !== before.rakpOpenSessionPrivilege ||
      'wrongPassword' in patch
    ) {
      const base = this.baseProtocol;
      this.protocol.update({
        users: f.wrongPassword ? base.users.map((u) => ({ ...u, password: `${u.password}-changed` })) : base.users,
        sessionLimit: f.sessionLimitReached ? 0 : base.sessionLimit,
        quirks: {
          ...base.quirks,
          aesPad16: f.aesPad16 || base.quirks?.aesPad16,
          rakpOpenSessionPrivilege: f.rakpOpenSessionPrivilege || base.quirks?.rakpOpenSessionPrivilege,
        },
      });
    }
    if (
      f.sdrMaxRead !== before.sdrMaxRead ||
      f.sdrIdType00 !== before.sdrIdType00 ||
      f.psuTypedOther !== before.psuTypedOther ||
      f.dcmiIgnore !== before.dcmiIgnore
    ) {
      this.model = new BmcModel(quirkedDefinition(this.options.definition, f), { seed: this.options.seed });
    }
    return { ...f };
  }

  /** A BMC restart: every session and handshake is forgotten. */
  restart(): void {
    this.protocol.reset();
  }

  async bind(): Promise<void> {
    const socket = createSocket({ type: 'udp4' });
    socket.on('message', (msg, rinfo) => {
      const out = this.protocol.handle(msg, { address: rinfo.address, port: rinfo.port });
      this.faults.transmit(out, (d) => socket.send(d, rinfo.port, rinfo.address));
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.options.port, this.options.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // A failed send (client gone) must never take the fleet down.
    socket.on('error', () => undefined);
    this.socket = socket;
  }

  close(): Promise<void> {
    this.faults.dispose();
    const s = this.socket;
    this.socket = undefined;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => s.close(() => resolve()));
  }
}

/** The model's YAML names IPMI 1.5 "straight password" as the spec does; the engine calls it 'password'. */
function protocolFromDefinition(def: BmcDefinition): Partial<ProtocolConfig> {
  const p = def.protocol ?? {};
  const out: Partial<ProtocolConfig> = {};
  if (p.ipmi20 !== undefined) out.ipmi20 = p.ipmi20;
  if (p.cipherSuites) out.cipherSuites = [...p.cipherSuites];
  if (p.authTypes15 !== undefined) {
    out.authTypes15 = p.authTypes15 === null ? null : p.authTypes15.map((a): AuthType15Name => (a === 'straight' ? 'password' : a));
  }
  return out;
}

/** The definition with the model-level vendor quirks of `f` applied (no-op for NO_FAULTS). */
export function quirkedDefinition(def: BmcDefinition, f: FaultConfig = NO_FAULTS): BmcDefinition {
  const out: BmcDefinition = { ...def };
  if (f.sdrMaxRead !== null) out.quirks = { ...def.quirks, sdrMaxRead: f.sdrMaxRead };
  if (f.dcmiIgnore) out.dcmi = 'ignore';
  if (f.sdrIdType00 || f.psuTypedOther) {
    out.sensors = def.sensors.map((s): SensorDefinition => {
      let q = s;
      if (f.sdrIdType00) q = { ...q, idStringType: 'unicode-as-ascii' };
      if (f.psuTypedOther && PSU_ENTITY.has(s.entity.id) && s.unit === 'watts') q = { ...q, sensorType: OTHER_UNITS_SENSOR_TYPE };
      return q;
    });
  }
  return out;
}
