import { request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { vi } from 'vitest';

/**
 * Deadlines and retries tested on a fake clock while the network stays real.
 *
 * Only setTimeout, clearTimeout and performance.now are faked: the exporter's
 * deadline timer, the IPMI client's retransmit timers and every duration they
 * measure then move only when a test advances the clock, while loopback UDP
 * and HTTP, setImmediate and promises run as usual. A test waits for events
 * (a datagram reached the simulator, a request reached the server), then
 * moves the clock and checks what happened at which fake instant.
 */
export function useFakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
}

/** One turn of the event loop: pending I/O callbacks run before it resolves. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Resolves once `done()` is true, checking after each turn of the event loop
 * (real time; the fake clock does not move). The test's own timeout is the
 * safety net if the event never comes.
 */
export async function until(done: () => boolean): Promise<void> {
  while (!done()) await turn();
}

/** Let loopback I/O that is already under way land (a few turns of the event loop). */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await turn();
}

/**
 * Moves the fake clock 1 ms at a time, letting I/O land after each step,
 * until `done()` is true; fails after `maxMs`. Returns the fake ms moved.
 */
export async function advanceUntil(done: () => boolean, maxMs: number): Promise<number> {
  for (let moved = 0; moved <= maxMs; moved++) {
    await settle(3);
    if (done()) return moved;
    await vi.advanceTimersByTimeAsync(1);
  }
  throw new Error(`not done after moving the fake clock ${maxMs} ms`);
}

/** One request as the server saw it, timed by performance.now (the fake clock while it is installed). */
export interface ServedRequest {
  url: string;
  arrivedAt: number;
  /** Undefined until the answer is finished. */
  finishedAt?: number;
  status?: number;
}

/** Records every request the server gets: when it arrived, when its answer finished, with what status. */
export function recordServed(server: Server): ServedRequest[] {
  const served: ServedRequest[] = [];
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const entry: ServedRequest = { url: req.url ?? '', arrivedAt: performance.now() };
    served.push(entry);
    res.once('finish', () => {
      entry.finishedAt = performance.now();
      entry.status = res.statusCode;
    });
  });
  return served;
}

/**
 * GET over node:http on a connection of its own (fetch's pool keeps timers
 * of its own that a fake clock would freeze).
 */
export function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
