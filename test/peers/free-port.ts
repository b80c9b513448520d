import { createServer } from 'node:net';

/** A TCP port free on `host` right now (closed again before the caller binds it). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, host, () => resolve());
  });
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (addr === null || typeof addr === 'string') throw new Error('no TCP port');
  return addr.port;
}
