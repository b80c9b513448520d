import type dgram from 'node:dgram';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TurnBatch } from './turn-batch.js';

/** The real setImmediate, taken before any test fakes it. */
const realSetImmediate = setImmediate;
/**
 * The rest of this turn of the loop: an immediate made after the batch's own
 * runs after them, in the same check phase (so what they did shows), and
 * before anything they made for the next turn.
 */
const restOfTurn = () => new Promise<void>((resolve) => realSetImmediate(resolve));

/** A socket that records what it is asked to send, or throws for one address. */
function fakeSocket(sent: string[], failFor?: string): dgram.Socket {
  return {
    send: (d: Buffer, port: number, address: string) => {
      if (address === failFor) throw new Error(`send to ${address} failed`);
      sent.push(`${address}:${port} ${d.toString()}`);
    },
  } as unknown as dgram.Socket;
}

/** A socket that writes each send into the test's list of events. */
function eventSocket(events: string[]): dgram.Socket {
  return { send: (d: Buffer, port: number, address: string) => events.push(`sent ${address}:${port} ${d.toString()}`) } as unknown as dgram.Socket;
}

const from = (address: string, port = 623) => ({ address, port, family: 'IPv4', size: 1 }) as dgram.RemoteInfo;

afterEach(() => {
  vi.useRealTimers();
});

describe('TurnBatch', () => {
  it('delivers what a poll phase read in the check phase after it, in order; when it read two or more, what the deliveries send (in the promise reactions after them) leaves together after the last delivery, in that same check phase', async () => {
    const events: string[] = [];
    const s = eventSocket(events);
    const batch = new TurnBatch(
      (d, f) => {
        events.push(`delivered ${f.address} ${d.toString()}`);
        // As a client's answer does: the next command is sent after its caller's promise settles.
        void Promise.resolve().then(() => batch.send(s, Buffer.from(`next after ${d.toString()}`), 623, f.address));
      },
      () => undefined,
    );
    batch.receive(Buffer.from('x'), from('127.0.0.2'));
    batch.receive(Buffer.from('y'), from('127.0.0.3'));
    expect(events).toEqual([]); // noted, not handled, as they are read
    expect(batch.size).toEqual({ received: 2, toSend: 0 });
    await restOfTurn();
    expect(events).toEqual(['delivered 127.0.0.2 x', 'delivered 127.0.0.3 y', 'sent 127.0.0.2:623 next after x', 'sent 127.0.0.3:623 next after y']);
    expect(batch.size).toEqual({ received: 0, toSend: 0 });
  });

  it('a lone datagram of a turn is delivered in its check phase and what it leads to goes at once; so does any send outside a batch', async () => {
    const events: string[] = [];
    const s = eventSocket(events);
    const batch = new TurnBatch(
      (d, f) => {
        events.push(`delivered ${f.address} ${d.toString()}`);
        batch.send(s, Buffer.from(`next after ${d.toString()}`), 623, f.address);
        events.push('delivery done');
      },
      () => undefined,
    );
    batch.send(s, Buffer.from('first command'), 623, '127.0.0.4');
    expect(events).toEqual(['sent 127.0.0.4:623 first command']); // nothing to batch with: sent at once
    batch.receive(Buffer.from('x'), from('127.0.0.2'));
    expect(events).toHaveLength(1);
    await restOfTurn();
    expect(events).toEqual(['sent 127.0.0.4:623 first command', 'delivered 127.0.0.2 x', 'sent 127.0.0.2:623 next after x', 'delivery done']);
  });

  it('a send or a delivery that throws is told to onError and the others still go; nothing is thrown from the loop', async () => {
    const sent: string[] = [];
    const errors: string[] = [];
    const batch = new TurnBatch(
      (d) => {
        if (d.toString() === 'bad') throw new Error('handler failed');
      },
      (err) => errors.push(err.message),
    );
    const s = fakeSocket(sent, '127.0.0.3');
    batch.receive(Buffer.from('bad'), from('127.0.0.5'));
    batch.receive(Buffer.from('good'), from('127.0.0.6'));
    batch.send(s, Buffer.from('a'), 623, '127.0.0.2');
    batch.send(s, Buffer.from('b'), 623, '127.0.0.3');
    batch.send(s, Buffer.from('c'), 623, '127.0.0.4');
    await restOfTurn();
    expect(sent).toEqual(['127.0.0.2:623 a', '127.0.0.4:623 c']);
    expect(errors).toEqual(['handler failed', 'send to 127.0.0.3 failed']);
  });

  it('drop(), as the sockets close, sends and delivers nothing of what waited, nor anything after', async () => {
    const sent: string[] = [];
    const delivered: string[] = [];
    const batch = new TurnBatch(
      (d) => delivered.push(d.toString()),
      () => undefined,
    );
    const s = fakeSocket(sent);
    batch.receive(Buffer.from('x'), from('127.0.0.2'));
    batch.receive(Buffer.from('y'), from('127.0.0.3'));
    batch.send(s, Buffer.from('a'), 623, '127.0.0.2');
    expect(batch.size).toEqual({ received: 2, toSend: 1 });
    batch.drop();
    batch.send(s, Buffer.from('b'), 623, '127.0.0.2');
    batch.receive(Buffer.from('z'), from('127.0.0.2'));
    await restOfTurn();
    expect(sent).toEqual([]);
    expect(delivered).toEqual([]);
    expect(batch.size).toEqual({ received: 0, toSend: 0 });
  });

  it('fake timers (setImmediate among them) installed by a test do not hold datagrams back', async () => {
    vi.useFakeTimers();
    const sent: string[] = [];
    const delivered: string[] = [];
    const batch = new TurnBatch(
      (d) => delivered.push(d.toString()),
      () => undefined,
    );
    batch.receive(Buffer.from('x'), from('127.0.0.2'));
    batch.receive(Buffer.from('y'), from('127.0.0.3'));
    batch.send(fakeSocket(sent), Buffer.from('a'), 623, '127.0.0.2');
    await restOfTurn();
    expect(delivered).toEqual(['x', 'y']);
    expect(sent).toEqual(['127.0.0.2:623 a']);
  });
});
