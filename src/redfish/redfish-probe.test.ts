// `transport: auto`'s probe of the service root, with fake timers and a
// fake client whose service root answers, fails, or never answers (as a
// port whose TLS handshake hangs): what the probe decides, and when.
import { RedfishConnectionError, RedfishTimeoutError, type RedfishClient } from '@bmc-exporter/redfish';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { probeRedfish, REDFISH_PROBE_MS } from './redfish-scraper.js';

/** A client whose service root never answers: the request ends only by its signal, with the signal's reason. */
function hangingClient(): RedfishClient & { signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  const serviceRoot = (signal: AbortSignal) =>
    new Promise<never>((_resolve, reject) => {
      signals.push(signal);
      signal.addEventListener(
        'abort',
        () => reject(signal.reason instanceof RedfishTimeoutError ? signal.reason : new RedfishTimeoutError('GET /redfish/v1/: deadline passed')),
        { once: true },
      );
    });
  return { serviceRoot, signals } as unknown as RedfishClient & { signals: AbortSignal[] };
}

const answeringClient = (result: () => Promise<unknown>) => ({ serviceRoot: result }) as unknown as RedfishClient;

describe('probeRedfish', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const clock = () => Date.now();

  it('a service root that answers: Redfish', async () => {
    const r = await probeRedfish(
      answeringClient(async () => ({})),
      new AbortController().signal,
      clock() + 10_000,
      clock,
    );
    expect(r).toEqual({ redfish: true, reason: 'the service root /redfish/v1/ answered', decided: true });
  });

  it('a refused connection: IPMI, decided, with the reason', async () => {
    const r = await probeRedfish(
      answeringClient(async () => Promise.reject(new RedfishConnectionError('GET /redfish/v1/: ECONNREFUSED'))),
      new AbortController().signal,
      clock() + 10_000,
      clock,
    );
    expect(r).toEqual({ redfish: false, reason: 'GET /redfish/v1/: ECONNREFUSED', decided: true });
  });

  it('no answer: IPMI after the probe limit, well before the scrape deadline', async () => {
    const client = hangingClient();
    const scrape = new AbortController();
    let settled = false;
    const probe = probeRedfish(client, scrape.signal, clock() + 9_500, clock).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(REDFISH_PROBE_MS - 1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const r = await probe;
    expect(r.redfish).toBe(false);
    expect(r.decided).toBe(true);
    expect(r.reason).toBe("GET /redfish/v1/: no answer within the probe's 2000 ms");
    expect(scrape.signal.aborted).toBe(false);
  });

  it('a short scrape deadline: the probe gets half the time left', async () => {
    const client = hangingClient();
    const probe = probeRedfish(client, new AbortController().signal, clock() + 1_500, clock);
    await vi.advanceTimersByTimeAsync(750);
    const r = await probe;
    expect(r).toMatchObject({ redfish: false, decided: true, reason: "GET /redfish/v1/: no answer within the probe's 750 ms" });
  });

  it('a scrape that began late (under 1 s left): a timed-out probe decides nothing', async () => {
    const client = hangingClient();
    const probe = probeRedfish(client, new AbortController().signal, clock() + 600, clock);
    await vi.advanceTimersByTimeAsync(300);
    expect(await probe).toMatchObject({ redfish: false, decided: false });
  });

  it("the scrape's own abort ends the probe and decides nothing", async () => {
    const client = hangingClient();
    const scrape = new AbortController();
    const probe = probeRedfish(client, scrape.signal, clock() + 10_000, clock);
    scrape.abort(new RedfishTimeoutError('scrape deadline'));
    expect(await probe).toMatchObject({ redfish: false, decided: false });
    expect(client.signals[0]!.aborted).toBe(true);
  });

  it('no deadline: the probe limit alone', async () => {
    const client = hangingClient();
    const probe = probeRedfish(client, new AbortController().signal, Infinity, clock);
    await vi.advanceTimersByTimeAsync(REDFISH_PROBE_MS);
    expect(await probe).toMatchObject({ redfish: false, decided: true });
  });
});
