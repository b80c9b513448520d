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

const from = (address: string, port = 623) => ({ address, port, family: 'IPv4', size: 1 }) as dgram.RemoteInfo;

afterEach(() => {
  vi.useRealTimers();
});

describe('TurnBatch', () => {
  it('holds the datagrams to send in one turn of the loop and sends them together, in order, in its check phase', async () => {
    const sent: string[] = [];
    const batch = new TurnBatch(
      () => undefined,
      () => undefined,
    );
    const s = fakeSocket(sent);
    batch.send(s, Buffer.from('a'), 623, '127.0.0.2');
    batch.send(s, Buffer.from('b'), 623, '127.0.0.3');
    await Promise.resolve();
    expect(sent).toEqual([]); // not before the check phase
    expect(batch.size).toEqual({ received: 0, toSend: 2 });
    batch.send(s, Buffer.from('c'), 624, '127.0.0.2');
    await restOfTurn();
    expect(sent).toEqual(['127.0.0.2:623 a', '127.0.0.3:623 b', '127.0.0.2:624 c']);
    expect(batch.size).toEqual({ received: 0, toSend: 0 });
    batch.send(s, Buffer.from('d'), 623, '127.0.0.4'); // a later turn: sent in its own check phase
    await restOfTurn();
    expect(sent.at(-1)).toBe('127.0.0.4:623 d');
  });

  it('delivers what a poll phase read in the check phase after it, in order; what the deliveries send, at once or in the promise reactions after, leaves in that same check phase', async () => {
    const sent: string[] = [];
    const delivered: string[] = [];
    const s = fakeSocket(sent);
    const batch = new TurnBatch(
      (d, f) => {
        delivered.push(`${f.address} ${d.toString()}`);
        // As a client's answer does: the next command is sent after its caller's promise settles.
        void Promise.resolve().then(() => batch.send(s, Buffer.from(`next after ${d.toString()}`), 623, f.address));
      },
      () => undefined,
    );
    batch.receive(Buffer.from('x'), from('127.0.0.2'));
    batch.receive(Buffer.from('y'), from('127.0.0.3'));
    expect(delivered).toEqual([]); // noted, not handled, as they are read
    await restOfTurn();
    expect(delivered).toEqual(['127.0.0.2 x', '127.0.0.3 y']);
    expect(sent).toEqual(['127.0.0.2:623 next after x', '127.0.0.3:623 next after y']);
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
    batch.send(s, Buffer.from('a'), 623, '127.0.0.2');
    batch.receive(Buffer.from('x'), from('127.0.0.2'));
    batch.drop();
    batch.send(s, Buffer.from('b'), 623, '127.0.0.2');
    batch.receive(Buffer.from('y'), from('127.0.0.2'));
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
    batch.send(fakeSocket(sent), Buffer.from('a'), 623, '127.0.0.2');
    batch.receive(Buffer.from('x'), from('127.0.0.2'));
    await restOfTurn();
    expect(sent).toEqual(['127.0.0.2:623 a']);
    expect(delivered).toEqual(['x']);
  });
});
