import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { FaultConfigError, parseFaultPatch } from '../faults/index.js';
import type { Fleet } from '../fleet/index.js';
import type { SelEntryDefinition } from '../model/index.js';

export interface ControlServer {
  address: string;
  port: number;
  close(): Promise<void>;
}

/** A request the client got wrong: answered with its status and a JSON error, never thrown further. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Bodies are tiny JSON objects; anything bigger is a mistake. */
const MAX_BODY = 64 * 1024;

/**
 * A small HTTP API on loopback for changing a running fleet:
 *   GET    /bmcs                        every BMC with its counters
 *   GET    /bmcs/:addr/counters         one BMC (addr = "127.1.0.3" or "127.1.0.3:623")
 *   PUT    /bmcs/:addr/faults           JSON FaultConfig patch → the BMC's fault config
 *   POST   /bmcs/:addr/restart          every session lost
 *   POST   /bmcs/:addr/sensors/:name    {"value": number | null} (analog) or {"states": [offsets]} (discrete)
 *   POST   /bmcs/:addr/sel              a SEL entry definition → {"recordId"}
 *   DELETE /bmcs/:addr/sel              clear the SEL
 */
export async function startControlServer(fleet: Fleet, at: { address: string; port: number }): Promise<ControlServer> {
  if (!isLoopback(at.address)) throw new Error(`control API must listen on loopback, not ${at.address}`);
  const server = createServer((req, res) => {
    route(fleet, req).then(
      ({ status, body }) => reply(res, status, body),
      (err: unknown) => {
        if (err instanceof HttpError) reply(res, err.status, { error: err.message });
        else if (err instanceof FaultConfigError || err instanceof RangeError) reply(res, 400, { error: err.message });
        else reply(res, 500, { error: (err as Error).message ?? String(err) });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as { address: string; port: number };
  return {
    address: a.address,
    port: a.port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function isLoopback(a: string): boolean {
  return a === '::1' || a === 'localhost' || (isIP(a) === 4 && a.startsWith('127.'));
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 1)}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function route(fleet: Fleet, req: IncomingMessage): Promise<{ status: number; body: unknown }> {
  const url = new URL(req.url ?? '/', 'http://control');
  const parts = url.pathname
    .split('/')
    .filter(Boolean)
    .map((p) => decodeURIComponent(p));
  const method = req.method ?? 'GET';
  if (parts[0] !== 'bmcs') throw new HttpError(404, `no such resource ${url.pathname} (try GET /bmcs)`);
  if (parts.length === 1) {
    allow(method, 'GET');
    return { status: 200, body: await fleet.list() };
  }
  const target = parts[1]!;
  const index = fleet.indexOf(target);
  if (index === undefined) throw new HttpError(404, `no BMC at ${target}`);
  const what = parts.slice(2).join('/');
  if (what === 'counters') {
    allow(method, 'GET');
    return { status: 200, body: { index, ...fleet.endpoints[index], counters: await fleet.counters(index) } };
  }
  if (what === 'faults') {
    allow(method, 'PUT');
    const patch = parseFaultPatch(await jsonBody(req));
    return { status: 200, body: await fleet.setFaults(index, patch) };
  }
  if (what === 'restart') {
    allow(method, 'POST');
    await fleet.restart(index);
    return { status: 200, body: { restarted: `${fleet.endpoints[index]!.address}:${fleet.endpoints[index]!.port}` } };
  }
  if (what === 'sel') {
    if (method === 'DELETE') {
      await fleet.clearSel(index);
      return { status: 200, body: { cleared: true } };
    }
    allow(method, 'POST');
    const recordId = await fleet.addSelEvent(index, selEvent(await jsonBody(req)));
    return { status: 201, body: { recordId } };
  }
  if (parts[2] === 'sensors' && parts.length === 4) {
    allow(method, 'POST');
    const body = (await jsonBody(req)) as { value?: unknown; states?: unknown };
    if (typeof body === 'object' && body !== null && 'states' in body) {
      const states = body.states;
      if (!Array.isArray(states) || states.length > 15 || !states.every((o) => Number.isInteger(o) && (o as number) >= 0 && (o as number) <= 14)) {
        throw new HttpError(400, 'expected {"states": [offsets 0-14]} (the asserted states of a discrete sensor)');
      }
      try {
        await fleet.setSensorStates(index, parts[3]!, states as number[]);
      } catch (err) {
        throw new HttpError(404, (err as Error).message);
      }
      return { status: 200, body: { sensor: parts[3], states } };
    }
    if (
      typeof body !== 'object' ||
      body === null ||
      !('value' in body) ||
      (body.value !== null && (typeof body.value !== 'number' || !Number.isFinite(body.value)))
    ) {
      throw new HttpError(400, 'expected {"value": number} (or null for "reading unavailable"), or {"states": [offsets]}');
    }
    try {
      await fleet.setSensor(index, parts[3]!, body.value as number | null);
    } catch (err) {
      throw new HttpError(404, (err as Error).message);
    }
    return { status: 200, body: { sensor: parts[3], value: body.value } };
  }
  throw new HttpError(404, `no such resource ${url.pathname}`);
}

function allow(method: string, wanted: string): void {
  if (method !== wanted) throw new HttpError(405, `use ${wanted} here, not ${method}`);
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new HttpError(413, `body larger than ${MAX_BODY} bytes`);
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'expected a JSON body');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(400, `body is not JSON: ${(err as Error).message}`);
  }
}

function selEvent(b: unknown): SelEntryDefinition {
  const e = b as Partial<SelEntryDefinition>;
  const byte = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 255;
  if (typeof e !== 'object' || e === null) throw new HttpError(400, 'expected a SEL entry object');
  if (!(typeof e.sensorType === 'string' || byte(e.sensorType))) throw new HttpError(400, 'sensorType: expected a name or a byte');
  if (!byte(e.sensorNumber)) throw new HttpError(400, 'sensorNumber: expected a byte');
  if (!byte(e.eventType)) throw new HttpError(400, 'eventType: expected a byte (0x01 threshold, 0x6f sensor-specific)');
  if (!Array.isArray(e.data) || e.data.length !== 3 || !e.data.every(byte)) throw new HttpError(400, 'data: expected three bytes');
  if (e.assertion !== undefined && typeof e.assertion !== 'boolean') throw new HttpError(400, 'assertion: expected true or false');
  if (e.timestamp !== undefined && !(typeof e.timestamp === 'number' && e.timestamp >= 0))
    throw new HttpError(400, 'timestamp: expected seconds since the epoch');
  return e as SelEntryDefinition;
}
