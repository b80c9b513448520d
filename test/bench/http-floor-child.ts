// Child process of the exporter benchmark: the HTTP floor. A bare node:http
// server that answers every request with the same bytes, the text of one real
// warm scrape of the exporter under test, with the headers the exporter sends.
// Driven by the same load generator, keep-alive connections and scrapes in
// flight as the warm passes, it is what Node's HTTP server alone costs per
// scrape: no target, no IPMI, no metrics registry. A failure to listen is
// written to stderr and ends the process, so the parent's wait for `ready`
// fails at once.
import { createServer } from 'node:http';
import { EXPOSITION_HEADERS } from '../../src/metrics/exposition.js';

export type ToHttpFloor = { type: 'serve'; body: string };
export type FromHttpFloor = { type: 'ready'; port: number };

const send = (m: FromHttpFloor) => process.send!(m);

process.once('message', (m: ToHttpFloor) => {
  if (m.type !== 'serve') return;
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, EXPOSITION_HEADERS);
    // A string, as the exporter ends its answer with one.
    res.end(m.body);
  });
  server.on('error', fail);
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    if (addr === null || typeof addr === 'string') fail(new Error('no TCP port'));
    else send({ type: 'ready', port: addr.port });
  });
  // The parent closes the IPC channel when it is done with us.
  process.once('disconnect', () => {
    server.closeAllConnections();
    server.close();
  });
});

function fail(err: Error): void {
  process.stderr.write(`HTTP floor: ${err.stack ?? err.message}\n`);
  process.exit(1);
}
