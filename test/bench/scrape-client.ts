// The HTTP side of the bench scrape generators (fault-scrape-child, restart-scrape-child):
// GET /bmc?target= as Prometheus does, with its timeout header, over keep-alive connections.
import { Agent, request } from 'node:http';

/** The generator's own patience: far past any deadline, so "late" and "never" are told apart. */
export const CLIENT_TIMEOUT_MS = 60_000;

/** Keep-alive connections; as many as scrapes in flight, so no scrape waits for a socket (that wait would count as its duration). */
export const scrapeAgent = new Agent({ keepAlive: true, maxSockets: Infinity });

/** status 0: no answer within CLIENT_TIMEOUT_MS, or a socket error (its code or message in `error`). */
export function scrapeGet(url: string, headerSeconds: number): Promise<{ status: number; body: string; error?: string }> {
  return new Promise((resolve) => {
    const failed = (err: Error) => resolve({ status: 0, body: '', error: (err as NodeJS.ErrnoException).code ?? err.message });
    const req = request(
      url,
      { agent: scrapeAgent, headers: { 'X-Prometheus-Scrape-Timeout-Seconds': headerSeconds.toFixed(3) }, timeout: CLIENT_TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', failed);
      },
    );
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', failed);
    req.end();
  });
}

/** Sample lines of an exposition. */
export function countSeries(body: string): number {
  let n = 0;
  for (const line of body.split('\n')) if (line !== '' && line[0] !== '#') n++;
  return n;
}
