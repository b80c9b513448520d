import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import type { BmcProtocol, Endpoint } from './bmc-protocol.js';

export interface ServedBmc extends Endpoint {
  close(): Promise<void>;
}

/**
 * One simulated BMC on its own UDP socket (tests, demos). The fleet layer
 * multiplexes many BMCs more cleverly; this only pumps datagrams through
 * BmcProtocol.handle and sends back whatever it returns, in order.
 */
export async function serveBmc(protocol: BmcProtocol, at: { address: string; port: number }): Promise<ServedBmc> {
  const socket = createSocket({ type: isIP(at.address) === 6 ? 'udp6' : 'udp4', reuseAddr: false });
  socket.on('message', (msg, rinfo) => {
    const from = { address: rinfo.address, port: rinfo.port };
    for (const d of protocol.handle(msg, from)) socket.send(d, from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(at.port, at.address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  // A send error (peer gone) must not kill the process; a simulator just carries on.
  socket.on('error', () => undefined);
  const bound = socket.address();
  let closed = false;
  return {
    address: bound.address,
    port: bound.port,
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        socket.close(() => resolve());
      }),
  };
}
