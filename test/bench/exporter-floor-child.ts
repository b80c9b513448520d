// Child process of the exporter benchmark: the floor. A bare node:dgram
// request/response loop — one socket, `inflight` datagrams outstanding, each
// answer sending the next — against the fleet child's echo server, with the
// datagram sizes of an RMCP+ suite-3 Get Sensor Reading. Whatever the exporter
// spends per command above this is ours (IPMI, crypto, HTTP, metrics).
//
// Two ways to send: on a connected socket (the cheapest node:dgram offers, and
// the floor the ratios are taken against), or `addressed`: an unconnected
// socket naming the peer's address and port on every send, as one socket
// serving a whole fleet must. Its address lookup answers the IP literal at
// once, as the library's does, so the difference is node's sendto path itself.
import { createSocket, type SocketOptions } from 'node:dgram';
import { endpointAt } from '@bmc-exporter/bmc-sim';

export interface FloorRequest {
  port: number;
  size: number;
  inflight: number;
  seconds: number;
  addressed?: boolean;
  /** Addressed sends in turn to this many peers numbered from `base` (as bmc-sim's endpointAt numbers a fleet) instead of 127.0.0.1. */
  peers?: { base: string; count: number };
}
export type FromFloor = { type: 'floor'; roundTrips: number; ms: number; cpuUser: number; cpuSystem: number };

const req = JSON.parse(process.argv[2]!) as FloorRequest;
const literal = ((address: string, _options: unknown, callback: (err: null, address: string, family: number) => void) =>
  callback(null, address, 4)) as unknown as SocketOptions['lookup'];
const sock = createSocket({ type: 'udp4', lookup: literal });
await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
if (!req.addressed && !req.peers) {
  sock.connect(req.port, '127.0.0.1');
  await new Promise<void>((resolve) => sock.once('connect', resolve));
}

const packet = Buffer.alloc(req.size, 0xa5);
const fleet = req.peers ? { count: req.peers.count, baseAddress: req.peers.base } : undefined;
const peers = fleet ? Array.from({ length: fleet.count }, (_, i) => endpointAt(fleet, i).address) : ['127.0.0.1'];
let turn = 0;
const sendTo = () => {
  sock.send(packet, req.port, peers[turn]!);
  turn = turn + 1 === peers.length ? 0 : turn + 1;
};
const send = req.addressed || req.peers ? sendTo : () => sock.send(packet);
let roundTrips = 0;
let stopping = false;
let outstanding = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const done = new Promise<void>((resolve) => {
  sock.on('message', () => {
    roundTrips++;
    outstanding--;
    if (!stopping) {
      outstanding++;
      send();
    } else if (outstanding === 0) resolve();
  });
  setTimeout(() => {
    stopping = true;
    // Datagrams lost on loopback would otherwise hold us forever.
    setTimeout(resolve, 500).unref();
  }, req.seconds * 1000);
});
for (let i = 0; i < req.inflight; i++) {
  outstanding++;
  send();
}
await done;
const cpu = process.cpuUsage(cpu0);
process.send!({ type: 'floor', roundTrips, ms: performance.now() - t0, cpuUser: cpu.user / 1e6, cpuSystem: cpu.system / 1e6 } satisfies FromFloor);
sock.close();
process.disconnect();
