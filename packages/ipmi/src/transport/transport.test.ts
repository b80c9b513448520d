import { readFileSync } from 'node:fs';
import dgram from 'node:dgram';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { formatPeer, parseHostPort, peerFromIp } from './peer.js';
import { UdpTransport } from './udp-transport.js';

describe('parseHostPort', () => {
  it.each([
    ['127.1.2.3', { host: '127.1.2.3', port: 623, family: 4 }],
    ['127.0.0.2:6230', { host: '127.0.0.2', port: 6230, family: 4 }],
    ['[::1]:624', { host: '::1', port: 624, family: 6 }],
    ['[fe80::1]', { host: 'fe80::1', port: 623, family: 6 }],
    ['::1', { host: '::1', port: 623, family: 6 }],
    ['[2001:DB8:0::1]:623', { host: '2001:db8::1', port: 623, family: 6 }],
    ['fe80::1%eth0', { host: 'fe80::1%eth0', port: 623, family: 6 }],
    ['bmc-01.example:623', { host: 'bmc-01.example', port: 623, family: 0 }],
    ['BMC_01.Rack-7.example.:624', { host: 'bmc_01.rack-7.example', port: 624, family: 0 }],
    ['  127.0.0.2  ', { host: '127.0.0.2', port: 623, family: 4 }],
  ])('%s', (input, want) => {
    expect(parseHostPort(input)).toEqual(want);
  });

  it.each([
    ['', 'has no host'],
    [':623', 'has no host'],
    ['127.0.0.1:abc', 'has port "abc"'],
    ['127.0.0.1:70000', 'has port 70000'],
    ['127.0.0.1:0', 'has port 0'],
    ['[::1', 'without a closing "]"'],
    ['[::1]x', 'expected ":port"'],
    ['[bmc.example]:623', 'only IPv6 addresses go in brackets'],
    ['127.0.2.300', 'not a valid IPv4 address'],
    ['bmc one', 'neither an IP address nor a valid host name'],
    ['<script>', 'neither an IP address nor a valid host name'],
    [`${'a'.repeat(301)}`, 'at most 300 characters'],
  ])('rejects %j', (input, message) => {
    expect(() => parseHostPort(input)).toThrow(InvalidArgumentError);
    expect(() => parseHostPort(input)).toThrow(message);
  });
});

describe('peerFromIp', () => {
  it('canonicalises IPv6 so it matches what the kernel reports', () => {
    expect(peerFromIp('0:0:0:0:0:0:0:1', 623)).toEqual({ address: '::1', port: 623, family: 6 });
    expect(formatPeer(peerFromIp('::1', 623))).toBe('[::1]:623');
    expect(formatPeer(peerFromIp('127.0.0.9', 623))).toBe('127.0.0.9:623');
  });
  it('refuses hostnames', () => {
    expect(() => peerFromIp('bmc.example', 623)).toThrow(InvalidArgumentError);
  });
});

describe('UdpTransport', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0)) await f();
  });

  const lastSender = new Map<dgram.Socket, number>();
  async function echoServer(address: string): Promise<dgram.Socket> {
    const s = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
    s.on('message', (m, r) => {
      lastSender.set(s, r.port);
      s.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address);
    });
    await new Promise<void>((res) => s.bind(0, address, () => res()));
    cleanup.push(() => new Promise<void>((res) => s.close(() => res())));
    return s;
  }

  it('asks the kernel for the receive buffer it was given, up to net.core.rmem_max', async () => {
    const requested = 4 * 1024 * 1024;
    const t = new UdpTransport({ receiveBufferSize: requested, socketsPerFamily: 2 });
    cleanup.push(() => t.close());
    await t.start(4);
    const plain = new UdpTransport();
    cleanup.push(() => plain.close());
    await plain.start(4);
    const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
    const [defaultSize] = plain.receiveBufferSizes();
    const sizes = t.receiveBufferSizes();
    expect(sizes).toHaveLength(2);
    for (const size of sizes) {
      // Linux doubles the value asked for (its bookkeeping), capped at rmem_max.
      expect(size).toBeGreaterThanOrEqual(Math.min(requested, rmemMax));
      if (rmemMax > defaultSize!) expect(size).toBeGreaterThan(defaultSize!);
    }
  });

  it('routes each peer its own datagrams over one shared socket, v4 and v6', async () => {
    const dropped: string[] = [];
    const t = new UdpTransport({ hooks: { datagramDropped: (r) => dropped.push(r) } });
    cleanup.push(() => t.close());
    const servers = await Promise.all([echoServer('127.0.0.1'), echoServer('127.0.0.1'), echoServer('::1')]);
    const got: string[][] = servers.map(() => []);
    const channels = servers.map((s, i) => {
      const a = s.address();
      return t.open(peerFromIp(a.address, a.port), (d) => got[i]!.push(d.toString()));
    });
    const sendErrors: Error[] = [];
    channels.forEach((c, i) => c.send(Buffer.from(`hi${i}`), (err) => sendErrors.push(err)));
    // Waits for the echoes (or a send error); the timeout is only a safety net.
    await vi.waitFor(() => expect(got.every((g) => g.length > 0) || sendErrors.length > 0).toBe(true), { timeout: 5_000, interval: 5 });
    expect(got).toEqual([['echo:hi0'], ['echo:hi1'], ['echo:hi2']]);
    expect(sendErrors).toEqual([]);
    expect(t.socketCount).toBe(2); // one per family, whatever the peer count
    expect(dropped).toEqual([]);

    // After a channel closes, its peer's datagrams are counted and dropped.
    channels[0]!.close();
    servers[0]!.send('late', lastSender.get(servers[0]!)!, '127.0.0.1');
    await vi.waitFor(() => expect(dropped.length).toBeGreaterThan(0), { timeout: 5_000, interval: 5 });
    expect(got[0]).toEqual(['echo:hi0']);
    expect(dropped).toEqual(['unknown-peer']);
  });

  it("hands a peer's datagrams to every channel open on it, and to none once all are closed", async () => {
    const dropped: string[] = [];
    const t = new UdpTransport({ hooks: { datagramDropped: (r) => dropped.push(r) } });
    cleanup.push(() => t.close());
    const server = await echoServer('127.0.0.1');
    const a = server.address();
    const got: string[][] = [[], [], []];
    const channels = got.map((g) => t.open(peerFromIp(a.address, a.port), (d) => g.push(d.toString())));
    expect(t.peerCount).toBe(1);
    channels[0]!.send(Buffer.from('one'), () => undefined);
    await vi.waitFor(() => expect(got.every((g) => g.length === 1)).toBe(true), { timeout: 5_000, interval: 5 });
    expect(got).toEqual([['echo:one'], ['echo:one'], ['echo:one']]);
    // The middle one closes: the others still hear their peer.
    channels[1]!.close();
    channels[0]!.send(Buffer.from('two'), () => undefined);
    await vi.waitFor(() => expect(got[2]!.length).toBe(2), { timeout: 5_000, interval: 5 });
    expect(got).toEqual([['echo:one', 'echo:two'], ['echo:one'], ['echo:one', 'echo:two']]);
    channels[0]!.close();
    channels[2]!.close();
    expect(t.peerCount).toBe(0);
    server.send('late', lastSender.get(server)!, '127.0.0.1');
    await vi.waitFor(() => expect(dropped).toEqual(['unknown-peer']), { timeout: 5_000, interval: 5 });
  });

  it('reports a bind failure as a TransportError', async () => {
    // An IPv6 address for an IPv4 socket: bind fails locally, nothing is sent anywhere.
    const t = new UdpTransport({ bindAddress4: '::1' });
    await expect(t.start(4)).rejects.toMatchObject({ code: 'IPMI_TRANSPORT' });
    await t.close();
  });
});
