import dgram from 'node:dgram';
import { lookup } from 'node:dns';
import { isIP } from 'node:net';
import { TransportError } from '../errors.js';
import { TurnBatch } from './turn-batch.js';
import { formatPeer, peerKey, type Peer } from './peer.js';

/** Why the transport threw a datagram away before any client saw it. */
export type TransportDropReason = 'unknown-peer';

export interface TransportHooks {
  datagramDropped?(reason: TransportDropReason): void;
  socketError?(error: Error): void;
}

export interface TransportOptions {
  /** Sockets per address family. Peers are spread over them by hash; 1 is plenty below ~50k BMCs. */
  socketsPerFamily?: number;
  /** Local addresses to bind (default: any). */
  bindAddress4?: string;
  bindAddress6?: string;
  /** Socket buffer sizes; large fleets answer in bursts. */
  receiveBufferSize?: number;
  hooks?: TransportHooks;
}

export type DatagramHandler = (datagram: Buffer) => void;

/** A client's handle on the shared transport: send to its peer, receive only its peer's datagrams. */
export interface PeerChannel {
  readonly peer: Peer;
  /** Send one datagram; a failure (no socket, a send error, the channel closed) is told to `onError` as a TransportError, never thrown. */
  send(datagram: Buffer, onError: (err: TransportError) => void): void;
  /**
   * Send one datagram with no callback of its own (no closure and no
   * bookkeeping per datagram): for an established session's commands, where
   * a failure can only look like silence to the sender. node:dgram drops
   * the error of a send made without a callback (it is neither thrown nor
   * emitted), so such a failure never reaches TransportHooks.socketError;
   * the client's recovery step, whose new session sends checked, reports it.
   * Nothing is sent on a closed channel, or before the sockets are bound
   * (which a channel that has sent checked datagrams already waited for).
   * Given while the transport hands out the answers of a turn that read
   * two or more, it leaves after them with the others they led to
   * (TurnBatch), and one given before its channel closes still goes;
   * otherwise it goes at once.
   */
  sendUnchecked(datagram: Buffer): void;
  close(): void;
}

/**
 * One small fixed pool of UDP sockets shared by every BmcClient in a process,
 * so 50,000 BMCs cost a handful of file descriptors. Incoming datagrams are
 * demultiplexed by source address and port only; everything else (session
 * id, sequence, integrity, rqSeq) is checked by the client that owns the peer.
 * Datagrams are handled once per turn of the event loop (TurnBatch).
 */
export class UdpTransport {
  private readonly sockets = new Map<4 | 6, dgram.Socket[]>();
  /**
   * Handlers by source address (as peerKey spells it, without the port),
   * then by port. A datagram is routed with two lookups on what the socket
   * reports, no key built per datagram. A list is replaced, never changed,
   * so a handler closing its channel during dispatch does not disturb it.
   */
  private readonly handlers = new Map<string, Map<number, readonly DatagramHandler[]>>();
  private peers = 0;
  private readonly socketsPerFamily: number;
  private starting = new Map<4 | 6, Promise<dgram.Socket[]>>();
  private closed = false;
  /** Datagrams read, and the established sessions' datagrams they lead to, handled together once per turn of the loop (see TurnBatch). */
  private readonly batch: TurnBatch;
  private readonly onMessage: (msg: Buffer, rinfo: dgram.RemoteInfo) => void;

  constructor(private readonly options: TransportOptions = {}) {
    this.socketsPerFamily = Math.max(1, Math.floor(options.socketsPerFamily ?? 1));
    this.batch = new TurnBatch(
      (msg, rinfo) => this.dispatch(msg, rinfo),
      (err) => options.hooks?.socketError?.(err),
    );
    this.onMessage = (msg, rinfo) => this.batch.receive(msg, rinfo);
  }

  /** Number of sockets currently open (a self-metric). */
  get socketCount(): number {
    let n = 0;
    for (const list of this.sockets.values()) n += list.length;
    return n;
  }

  /** Each open socket's receive buffer as the kernel granted it (bytes; Linux reports twice what it holds for data). */
  receiveBufferSizes(): number[] {
    return [...this.sockets.values()].flat().map((s) => s.getRecvBufferSize());
  }

  /** Number of peers with at least one registered handler. */
  get peerCount(): number {
    return this.peers;
  }

  /**
   * Bind the sockets for one family now (they are otherwise bound on first
   * use). Rejects with TransportError if binding fails, so a process can
   * report an unusable transport at start.
   */
  async start(family: 4 | 6 = 4): Promise<void> {
    await this.socketsFor(family);
  }

  /** Register for a peer's datagrams; the returned channel sends to that peer. */
  open(peer: Peer, handler: DatagramHandler): PeerChannel {
    if (this.closed) throw new TransportError('transport is closed');
    const key = peerKey(peer.address, peer.port);
    const address = addressKey(peer.address);
    let ports = this.handlers.get(address);
    if (!ports) {
      ports = new Map();
      this.handlers.set(address, ports);
    }
    const had = ports.get(peer.port);
    if (had === undefined) this.peers++;
    ports.set(peer.port, had === undefined ? [handler] : [...had, handler]);
    let open = true;
    const spread = hashKey(key);
    // A callback, no promise: the send path runs once per datagram.
    const sendOn = (socket: dgram.Socket, datagram: Buffer, onError: (err: TransportError) => void) =>
      socket.send(datagram, peer.port, peer.address, (err) => {
        if (err) onError(new TransportError(`send to ${formatPeer(peer)} failed: ${err.message}`, { cause: err }));
      });
    return {
      peer,
      send: (datagram, onError) => {
        if (!open) return onError(new TransportError(`channel to ${formatPeer(peer)} is closed`));
        const bound = this.sockets.get(peer.family);
        if (bound) return sendOn(bound[spread % bound.length]!, datagram, onError);
        this.socketsFor(peer.family).then((sockets) => sendOn(sockets[spread % sockets.length]!, datagram, onError), onError);
      },
      sendUnchecked: (datagram) => {
        if (!open) return;
        const bound = this.sockets.get(peer.family);
        // Sent with the others of this turn of the loop, with no callback (see the interface).
        if (bound) this.batch.send(bound[spread % bound.length]!, datagram, peer.port, peer.address);
      },
      close: () => {
        if (!open) return;
        open = false;
        this.unregister(address, peer.port, handler);
      },
    };
  }

  private unregister(address: string, port: number, handler: DatagramHandler): void {
    const ports = this.handlers.get(address);
    const had = ports?.get(port);
    if (ports === undefined || had === undefined) return;
    const rest = had.filter((h) => h !== handler);
    if (rest.length > 0) {
      ports.set(port, rest);
      return;
    }
    ports.delete(port);
    this.peers--;
    if (ports.size === 0) this.handlers.delete(address);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.batch.drop();
    const all = [...this.sockets.values()].flat();
    this.sockets.clear();
    this.handlers.clear();
    this.peers = 0;
    await Promise.all(all.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private socketsFor(family: 4 | 6): Promise<dgram.Socket[]> {
    const existing = this.sockets.get(family);
    if (existing) return Promise.resolve(existing);
    let pending = this.starting.get(family);
    if (!pending) {
      pending = this.bindAll(family).finally(() => this.starting.delete(family));
      this.starting.set(family, pending);
    }
    return pending;
  }

  private async bindAll(family: 4 | 6): Promise<dgram.Socket[]> {
    if (this.closed) throw new TransportError('transport is closed');
    const list: dgram.Socket[] = [];
    try {
      for (let i = 0; i < this.socketsPerFamily; i++) list.push(await this.bindOne(family));
    } catch (err) {
      for (const s of list) s.close();
      throw err;
    }
    this.sockets.set(family, list);
    return list;
  }

  private bindOne(family: 4 | 6): Promise<dgram.Socket> {
    const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only: family === 6, lookup: literalLookup });
    const address = family === 6 ? this.options.bindAddress6 : this.options.bindAddress4;
    return new Promise((resolve, reject) => {
      const onBindError = (err: Error) => {
        socket.close();
        reject(new TransportError(`cannot bind UDP socket (IPv${family}): ${err.message}`, { cause: err }));
      };
      socket.once('error', onBindError);
      socket.bind({ port: 0, address, exclusive: true }, () => {
        socket.off('error', onBindError);
        // A socket error after bind (e.g. ICMP-induced on some platforms) must not crash the process.
        socket.on('error', (err) => this.options.hooks?.socketError?.(err));
        socket.on('message', this.onMessage);
        if (this.options.receiveBufferSize) {
          try {
            socket.setRecvBufferSize(this.options.receiveBufferSize);
          } catch {
            // The kernel may cap it (net.core.rmem_max); the default still works.
          }
        }
        resolve(socket);
      });
    });
  }

  private dispatch(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    // The address as the socket reports it is the key for any IPv4 source (no scope id, no
    // letters) and most IPv6 ones; only a miss on an IPv6 source is normalised and tried again.
    // (rinfo's properties are slow to load: each is read once.)
    const reported = rinfo.address;
    let ports = this.handlers.get(reported);
    if (ports === undefined && reported.includes(':')) ports = this.handlers.get(addressKey(stripScope(reported)));
    const handlers = ports?.get(rinfo.port);
    if (handlers === undefined) {
      this.options.hooks?.datagramDropped?.('unknown-peer');
      return;
    }
    for (let i = 0; i < handlers.length; i++) handlers[i]!(msg);
  }
}

/**
 * The sockets' address lookup. Peers are IP literals (BmcClient resolves a
 * host name once, itself), so a send needs no resolver: the literal is
 * handed back at once, and node:dgram sends without the process.nextTick
 * round that dns.lookup takes even for a literal. Anything else still goes
 * to dns.lookup.
 */
const literalLookup = ((hostname: string, options: unknown, callback: (err: Error | null, address: string, family: number) => void) => {
  const family = isIP(hostname);
  if (family !== 0 && typeof callback === 'function') {
    callback(null, hostname, family);
    return;
  }
  (lookup as (h: string, o: unknown, c: unknown) => void)(hostname, options, callback);
}) as unknown as dgram.SocketOptions['lookup'];

/** An address as peerKey spells it (lower case), without the port. */
function addressKey(address: string): string {
  return address.toLowerCase();
}

function stripScope(address: string): string {
  const pct = address.indexOf('%');
  return pct < 0 ? address : address.slice(0, pct);
}

/** FNV-1a: a stable spread of peers over the socket pool. */
function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
