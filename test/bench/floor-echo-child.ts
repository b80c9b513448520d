// Child process of the floor benchmark: `count` UDP echo sockets, one per
// loopback address from `base` (numbered as the simulated fleets number
// theirs), all on one port, each answering every datagram with `size` bytes
// to its sender. One socket is a single echo server; many are shaped like
// a fleet of simulated BMCs, where the kernel must find the socket among
// many bound to the same port. With `spinUs`, each answer waits that long on
// the CPU first, so the echo answers at about a simulated BMC's pace.
import { createSocket, type Socket } from 'node:dgram';
import { endpointAt } from '@bmc-exporter/bmc-sim';

export interface EchoRequest {
  base: string;
  count: number;
  port: number;
  size: number;
  /** µs of busy CPU before each answer (0: at once): a peer as slow as a simulated BMC. */
  spinUs?: number;
}
export type FromEcho = { type: 'ready' } | { type: 'error'; message: string };

const req = JSON.parse(process.argv[2]!) as EchoRequest;
const send = (m: FromEcho) => process.send!(m);
const reply = Buffer.alloc(req.size, 0x5a);
const spinMs = (req.spinUs ?? 0) / 1000;
const sockets: Socket[] = [];
try {
  for (let i = 0; i < req.count; i++) {
    const s = createSocket('udp4');
    s.on('message', (_msg, rinfo) => {
      if (spinMs > 0) for (const until = performance.now() + spinMs; performance.now() < until; );
      s.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(req.port, endpointAt({ count: req.count, baseAddress: req.base }, i).address, () => resolve());
    });
    sockets.push(s);
  }
  send({ type: 'ready' });
} catch (err) {
  send({ type: 'error', message: `echo sockets: ${(err as Error).message}` });
}
// Stops when the benchmark disconnects.
process.on('disconnect', () => {
  for (const s of sockets) s.close();
});
