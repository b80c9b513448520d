// RedfishHttp against a loopback TCP server that accepts connections and
// never speaks TLS: the handshake never completes. The request must end by
// its signal (not by the 10 s connect timeout) with the library's typed
// error, and the half-made connection must be closed (the server sees its
// socket close), so no file descriptor outlives the request.
//
// 127.204.0.0/16 is this package's loopback range; the port is ephemeral,
// so the test needs no lock. The abort is driven by the server's accept
// event where the test can; the one deadline case has a bound far below the
// connect timeout it proves is not waited for.
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedfishAbortedError, RedfishTimeoutError } from './errors.js';
import { RedfishHttp } from './http.js';

const HOST = '127.204.0.1';
/** The connect timeout the requests must not wait for. */
const CONNECT_TIMEOUT_MS = 10_000;

let server: Server;
let origin: string;
/** Sockets the server accepted, in order, and a promise for each one's close. */
const accepted: { socket: Socket; closed: Promise<unknown> }[] = [];
const acceptWaiters: ((socket: Socket) => void)[] = [];

beforeAll(async () => {
  server = createServer((socket) => {
    // Never a byte back: the client's ClientHello is read (so the client's close is seen) and goes unanswered.
    socket.on('error', () => undefined);
    socket.resume();
    accepted.push({ socket, closed: once(socket, 'close') });
    acceptWaiters.shift()?.(socket);
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  origin = `https://${HOST}:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const { socket } of accepted) socket.destroy();
  server.close();
  await once(server, 'close');
});

/** Resolves with the next connection the server accepts. */
function nextAccept(): Promise<Socket> {
  return new Promise((resolve) => acceptWaiters.push(resolve));
}

function closedPromise(socket: Socket): Promise<unknown> {
  return accepted.find((a) => a.socket === socket)!.closed;
}

describe('a TLS handshake that never completes', () => {
  it('ends at the request deadline with REDFISH_TIMEOUT and closes the connection', async () => {
    const http = new RedfishHttp({ origin, connectTimeoutMs: CONNECT_TIMEOUT_MS });
    const accept = nextAccept();
    const started = performance.now();
    const request = http.request({ method: 'GET', path: '/redfish/v1/', signal: AbortSignal.timeout(200) });
    const outcome = request.then(
      () => 'resolved',
      (err: unknown) => err,
    );
    const socket = await accept;
    const err = await outcome;
    const elapsed = performance.now() - started;
    expect(err).toBeInstanceOf(RedfishTimeoutError);
    expect((err as RedfishTimeoutError).code).toBe('REDFISH_TIMEOUT');
    expect((err as Error).message).toContain('GET /redfish/v1/');
    // The deadline plus room for a loaded machine; the connect timeout it must not wait for is 10 s.
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(2_000);
    // The client destroyed its socket: the server's end closes too.
    await closedPromise(socket);
    await http.close();
  });

  it('an abort while the handshake waits ends the request at once with REDFISH_ABORTED', async () => {
    const http = new RedfishHttp({ origin, connectTimeoutMs: CONNECT_TIMEOUT_MS });
    const controller = new AbortController();
    const accept = nextAccept();
    const request = http.request({ method: 'GET', path: '/redfish/v1/Chassis', signal: controller.signal });
    const socket = await accept;
    controller.abort();
    await expect(request).rejects.toBeInstanceOf(RedfishAbortedError);
    await closedPromise(socket);
    await http.close();
  });

  it('two requests waiting for one handshake: each ends by its own signal, the connection when neither waits', async () => {
    const http = new RedfishHttp({ origin, connectTimeoutMs: CONNECT_TIMEOUT_MS });
    const first = new AbortController();
    const second = new AbortController();
    const accept = nextAccept();
    let aSettled = false;
    const a = http.request({ method: 'GET', path: '/a', signal: first.signal });
    void a.then(
      () => (aSettled = true),
      () => (aSettled = true),
    );
    const b = http.request({ method: 'GET', path: '/b', signal: second.signal });
    const socket = await accept;
    let socketClosed = false;
    void closedPromise(socket).then(() => (socketClosed = true));
    second.abort();
    await expect(b).rejects.toBeInstanceOf(RedfishAbortedError);
    // The other request still waits for the connection: neither it nor the connection is cut by b's signal.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(aSettled).toBe(false);
    expect(socketClosed).toBe(false);
    first.abort();
    await expect(a).rejects.toBeInstanceOf(RedfishAbortedError);
    await closedPromise(socket);
    // A later request opens a new connection (which hangs the same way and is aborted the same way).
    const again = nextAccept();
    const third = new AbortController();
    const c = http.request({ method: 'GET', path: '/c', signal: third.signal });
    const socket2 = await again;
    expect(socket2).not.toBe(socket);
    third.abort();
    await expect(c).rejects.toBeInstanceOf(RedfishAbortedError);
    await closedPromise(socket2);
    await http.close();
  });

  it('close() during the handshake closes the connection without waiting for the connect timeout', async () => {
    const http = new RedfishHttp({ origin, connectTimeoutMs: CONNECT_TIMEOUT_MS });
    const accept = nextAccept();
    const request = http.request({ method: 'GET', path: '/redfish/v1/', signal: new AbortController().signal });
    const outcome = request.then(
      () => 'resolved',
      (err: unknown) => err,
    );
    const socket = await accept;
    await http.close();
    await closedPromise(socket);
    expect(await outcome).toBeInstanceOf(Error);
  });
});
