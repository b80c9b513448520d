import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serial-queue.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('SerialQueue', () => {
  it('starts a task at once when free and runs the rest one at a time, in order', async () => {
    const q = new SerialQueue();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const task = (name: string) => async () => {
      running++;
      most = Math.max(most, running);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      running--;
    };
    q.add(task('a'));
    expect(log).toEqual(['start a']);
    q.add(task('b'));
    q.add(task('c'));
    expect(q.pending).toBe(1);
    expect(q.size).toBe(2);
    await q.onIdle();
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(most).toBe(1);
    expect(q.size + q.pending).toBe(0);
  });

  it('onIdle resolves at once when idle, and a throwing task does not stall the queue', async () => {
    const q = new SerialQueue();
    await q.onIdle();
    let ran = false;
    q.add(() => Promise.reject(new Error('boom')));
    q.add(async () => {
      ran = true;
    });
    await q.onIdle();
    expect(ran).toBe(true);
  });

  it('is reusable after going idle', async () => {
    const q = new SerialQueue();
    const seen: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3; i++) q.add(async () => void seen.push(round * 10 + i));
      await q.onIdle();
    }
    expect(seen).toEqual([0, 1, 2, 10, 11, 12, 20, 21, 22]);
  });
});
