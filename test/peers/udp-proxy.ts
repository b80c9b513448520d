import dgram from 'node:dgram';

export interface ProxyEndpoint {
  address: string;
  port: number;
}

/**
 * What to deliver to the client for one BMC answer: the answer itself,
 * altered copies, extra packets, or nothing. `history` holds every earlier
 * answer, for replays.
 */
export type ResponseTamper = (answer: Buffer, history: readonly Buffer[]) => Buffer[];

export interface UdpProxy {
  listen: ProxyEndpoint;
  /** Change the tampering at run time (undefined = pass through). */
  tamper: ResponseTamper | undefined;
  /** Hold every answer this long before delivering it (ms). */
  delayMs: number;
  /** Send a datagram to the client from the proxy's listening socket (as if from the BMC). */
  injectToClient(datagram: Buffer): void;
  requests: number;
  /** BMC answers delivered to the client (after any delay). */
  responses: number;
  /** Most requests forwarded whose answer was not yet delivered, at any moment. */
  maxOutstanding: number;
  close(): Promise<void>;
}

/**
 * A loopback UDP relay between one client and one BMC. Tests use it to put
 * the client behind an IPv6 address, and to inject the packets a strict
 * client must refuse (spoofed, corrupted, replayed, duplicated answers)
 * between our client and a real BMC simulator.
 */
export async function startUdpProxy(opts: { listen: ProxyEndpoint; upstream: ProxyEndpoint; tamper?: ResponseTamper }): Promise<UdpProxy> {
  const family = (a: string) => (a.includes(':') ? 'udp6' : 'udp4');
  const front = dgram.createSocket({ type: family(opts.listen.address), ipv6Only: family(opts.listen.address) === 'udp6' });
  const back = dgram.createSocket(family(opts.upstream.address));
  await new Promise<void>((res, rej) => {
    front.once('error', rej);
    front.bind(opts.listen.port, opts.listen.address, () => res());
  });
  await new Promise<void>((res) => back.bind(0, family(opts.upstream.address) === 'udp6' ? '::1' : '127.0.0.1', () => res()));
  let client: dgram.RemoteInfo | undefined;
  const history: Buffer[] = [];
  const proxy: UdpProxy = {
    listen: { address: opts.listen.address, port: front.address().port },
    tamper: opts.tamper,
    delayMs: 0,
    requests: 0,
    responses: 0,
    maxOutstanding: 0,
    injectToClient(datagram) {
      if (client) front.send(datagram, client.port, client.address);
    },
    async close() {
      await Promise.all([front, back].map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
  front.on('message', (msg, rinfo) => {
    client = rinfo;
    proxy.requests++;
    proxy.maxOutstanding = Math.max(proxy.maxOutstanding, proxy.requests - proxy.responses);
    back.send(msg, opts.upstream.port, opts.upstream.address);
  });
  back.on('message', (msg) => {
    const out = proxy.tamper ? proxy.tamper(msg, history) : [msg];
    history.push(Buffer.from(msg));
    const to = client;
    if (!to) return;
    const deliver = () => {
      proxy.responses++;
      for (const d of out) front.send(d, to.port, to.address);
    };
    if (proxy.delayMs > 0) setTimeout(deliver, proxy.delayMs);
    else deliver();
  });
  return proxy;
}
