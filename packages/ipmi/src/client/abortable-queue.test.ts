import { describe, expect, it } from 'vitest';
import { AbortableQueue } from './abortable-queue.js';

/** A task the test finishes by hand, recording when it started. */
function manual(log: string[], name: string) {
  let finish!: (v: string) => void;
  let fail!: (e: unknown) => void;
  const done = new Promise<string>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return {
    task: () => {
      log.push(`start ${name}`);
      return done;
    },
    finish: () => finish(name),
    fail: (e: unknown) => fail(e),
  };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('AbortableQueue', () => {
  it('runs tasks one at a time, in order', async () => {
    const q = new AbortableQueue({ detachRunning: true });
    const log: string[] = [];
    const a = manual(log, 'a');
    const b = manual(log, 'b');
    const pa = q.run(a.task);
    const pb = q.run(b.task);
    await flush();
    expect(log).toEqual(['start a']);
    expect(q.size).toBe(2);
    a.finish();
    expect(await pa).toBe('a');
    await flush();
    expect(log).toEqual(['start a', 'start b']);
    b.fail(new Error('b failed'));
    await expect(pb).rejects.toThrow('b failed');
  });

  it('a waiting caller whose signal fires is rejected at once with the chosen reason, and its task never runs', async () => {
    const q = new AbortableQueue({ detachRunning: true, abortReason: (s) => new Error(`gave up: ${String(s.reason)}`) });
    const log: string[] = [];
    const a = manual(log, 'a');
    const b = manual(log, 'b');
    const pa = q.run(a.task);
    const ac = new AbortController();
    const pb = q.run(b.task, ac.signal);
    ac.abort('deadline');
    await expect(pb).rejects.toThrow('gave up: deadline');
    a.finish();
    await pa;
    await q.onIdle();
    expect(log).toEqual(['start a']);
  });

  it('detachRunning: a running caller is answered at once, but the next task waits until the running one settles', async () => {
    const q = new AbortableQueue({ detachRunning: true });
    const log: string[] = [];
    const a = manual(log, 'a');
    const b = manual(log, 'b');
    const ac = new AbortController();
    const pa = q.run(a.task, ac.signal);
    const pb = q.run(b.task);
    await flush();
    ac.abort(new Error('deadline'));
    await expect(pa).rejects.toThrow('deadline');
    await flush();
    expect(log).toEqual(['start a']); // b still waits: a is on the wire
    a.finish();
    await flush();
    expect(log).toEqual(['start a', 'start b']);
    b.finish();
    expect(await pb).toBe('b');
  });

  it('without detachRunning the signal bounds only the wait: a running task answers its caller itself', async () => {
    const q = new AbortableQueue({ detachRunning: false });
    const log: string[] = [];
    const a = manual(log, 'a');
    const ac = new AbortController();
    const pa = q.run(a.task, ac.signal);
    await flush();
    ac.abort(new Error('deadline'));
    await flush();
    a.finish();
    expect(await pa).toBe('a');
  });

  it('an already fired signal is refused without queueing; cancelWaiting rejects the waiting, not the running', async () => {
    const q = new AbortableQueue({ detachRunning: true });
    const log: string[] = [];
    await expect(q.run(manual(log, 'x').task, AbortSignal.abort(new Error('late')))).rejects.toThrow('late');
    const a = manual(log, 'a');
    const pa = q.run(a.task);
    const pb = q.run(manual(log, 'b').task);
    await flush();
    q.cancelWaiting(new Error('closed'));
    await expect(pb).rejects.toThrow('closed');
    a.finish();
    expect(await pa).toBe('a');
    await q.onIdle();
    expect(log).toEqual(['start a']);
  });

  /** A signal whose abort listeners are counted: added in all, and left on it now. */
  function countedSignal() {
    const ac = new AbortController();
    const count = { added: 0, now: 0 };
    const add = ac.signal.addEventListener.bind(ac.signal);
    const remove = ac.signal.removeEventListener.bind(ac.signal);
    ac.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      count.added++;
      count.now++;
      add(...args);
    }) as typeof add;
    ac.signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      count.now--;
      remove(...args);
    }) as typeof remove;
    return { ac, count };
  }

  it('keeps one abort listener on a signal its tasks share, and none once released', async () => {
    const q = new AbortableQueue({ detachRunning: true });
    const { ac, count } = countedSignal();
    for (let i = 0; i < 100; i++) await q.run(async () => i, ac.signal);
    await expect(q.run(async () => Promise.reject(new Error('no')), ac.signal)).rejects.toThrow('no');
    expect(count).toEqual({ added: 1, now: 1 });
    q.release(ac.signal);
    expect(count.now).toBe(0);
    // Used again after release: watched again, and released again.
    await q.run(async () => 1, ac.signal);
    expect(count).toEqual({ added: 2, now: 1 });
    q.release(ac.signal);
    expect(count.now).toBe(0);
  });

  it('lets go of a signal when a task comes with another one, or when it fires', async () => {
    const q = new AbortableQueue({ detachRunning: true });
    const first = countedSignal();
    const second = countedSignal();
    await q.run(async () => 1, first.ac.signal);
    expect(first.count.now).toBe(1);
    await q.run(async () => 2, second.ac.signal);
    expect(first.count.now).toBe(0);
    expect(second.count.now).toBe(1);
    // Fired while nothing runs: nobody to answer, and the listener (added once) is gone.
    second.ac.abort('late');
    await expect(q.run(async () => 3, second.ac.signal)).rejects.toBe('late');
    const third = countedSignal();
    await q.run(async () => 4, third.ac.signal);
    expect(third.count).toEqual({ added: 1, now: 1 });
  });

  it('release() while a task with that signal runs takes effect when it settles, and the caller is still answered on abort until then', async () => {
    const q = new AbortableQueue({ detachRunning: true, abortReason: (s) => new Error(`gave up: ${String(s.reason)}`) });
    const log: string[] = [];
    const { ac, count } = countedSignal();
    const a = manual(log, 'a');
    const pa = q.run(a.task, ac.signal);
    q.release(ac.signal);
    expect(count.now).toBe(1);
    a.finish();
    expect(await pa).toBe('a');
    expect(count.now).toBe(0);
    // Released, then a task with it again, aborted while it runs: answered at once.
    const b = manual(log, 'b');
    const pb = q.run(b.task, ac.signal);
    q.release(ac.signal);
    ac.abort('deadline');
    await expect(pb).rejects.toThrow('gave up: deadline');
    b.finish();
    await q.onIdle();
  });

  it('tells how each caller is answered, just before it is: value, failure, abort while running, cancelled while waiting', async () => {
    const q = new AbortableQueue({ detachRunning: true, abortReason: (s) => new Error(`gave up: ${String(s.reason)}`) });
    const log: string[] = [];
    const told: string[] = [];
    const tell = (name: string) => (started: boolean, failed: boolean, outcome: unknown) =>
      told.push(`${name} ${started ? 'started' : 'waiting'} ${failed ? `failed ${(outcome as Error).message}` : `ok ${String(outcome)}`}`);
    const a = manual(log, 'a');
    const b = manual(log, 'b');
    const c = manual(log, 'c');
    const d = manual(log, 'd');
    const ac = new AbortController();
    const pa = q.run(a.task, ac.signal, tell('a'));
    const pb = q.run(b.task, undefined, tell('b'));
    const pc = q.run(c.task, undefined, tell('c'));
    ac.abort('deadline');
    await expect(pa).rejects.toThrow('gave up: deadline');
    expect(told).toEqual(['a started failed gave up: deadline']);
    a.finish();
    await flush();
    b.fail(new Error('b broke'));
    await expect(pb).rejects.toThrow('b broke');
    c.finish();
    expect(await pc).toBe('c');
    await q.onIdle();
    const pd = q.run(d.task, undefined, tell('d'));
    const pe = q.run(async () => 'e', undefined, tell('e'));
    q.cancelWaiting(new Error('closed'));
    await expect(pe).rejects.toThrow('closed');
    d.finish();
    expect(await pd).toBe('d');
    expect(told).toEqual(['a started failed gave up: deadline', 'b started failed b broke', 'c started ok c', 'e waiting failed closed', 'd started ok d']);
  });

  it('a listener that throws neither keeps the caller waiting nor changes its outcome', async () => {
    const q = new AbortableQueue({ detachRunning: true });
    const boom = () => {
      throw new Error('listener broke');
    };
    const log: string[] = [];
    const a = manual(log, 'a');
    const b = manual(log, 'b');
    const ac = new AbortController();
    // Direct, with a signal: value; then failure; then queued behind a running one; then aborted while running.
    expect(await q.run(async () => 'v', ac.signal, boom)).toBe('v');
    await expect(q.run(async () => Promise.reject(new Error('task failed')), ac.signal, boom)).rejects.toThrow('task failed');
    const pa = q.run(a.task, undefined, boom);
    const pb = q.run(b.task, undefined, boom);
    a.finish();
    expect(await pa).toBe('a');
    await flush();
    b.finish();
    expect(await pb).toBe('b');
    const c = manual(log, 'c');
    const pc = q.run(c.task, ac.signal, boom);
    ac.abort(new Error('deadline'));
    await expect(pc).rejects.toThrow('deadline');
    c.finish();
    await q.onIdle();
  });

  describe('a task that finds the queue idle starts at once, outside p-queue', () => {
    it('starts synchronously, and still holds the slot: later tasks wait for it and run in the order they came', async () => {
      const q = new AbortableQueue({ detachRunning: true });
      const log: string[] = [];
      const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => manual(log, n));
      const pa = q.run(a!.task);
      // No microtask has run: only a task started without p-queue is already going.
      expect(log).toEqual(['start a']);
      const pb = q.run(b!.task);
      const pc = q.run(c!.task);
      await flush();
      expect(log).toEqual(['start a']);
      expect(q.size).toBe(3);
      a!.finish();
      expect(await pa).toBe('a');
      await flush();
      expect(log).toEqual(['start a', 'start b']);
      // d comes while b runs and c waits: it goes behind c, never beside b.
      const pd = q.run(d!.task);
      await flush();
      expect(log).toEqual(['start a', 'start b']);
      b!.finish();
      await flush();
      expect(log).toEqual(['start a', 'start b', 'start c']);
      c!.finish();
      await flush();
      expect(log).toEqual(['start a', 'start b', 'start c', 'start d']);
      d!.finish();
      expect(await Promise.all([pb, pc, pd])).toEqual(['b', 'c', 'd']);
      await q.onIdle();
      expect(q.size).toBe(0);
    });

    it('the next caller after it settles starts at once too (the queue is idle again)', async () => {
      const q = new AbortableQueue({ detachRunning: true });
      const log: string[] = [];
      const a = manual(log, 'a');
      const b = manual(log, 'b');
      const pa = q.run(a.task);
      a.finish();
      await pa;
      expect(q.size).toBe(0);
      const pb = q.run(b.task);
      expect(log).toEqual(['start a', 'start b']);
      expect(q.size).toBe(1);
      b.finish();
      expect(await pb).toBe('b');
    });

    it('its caller whose signal fires is answered at once, but the next task waits until the task itself settles', async () => {
      const q = new AbortableQueue({ detachRunning: true, abortReason: (s) => new Error(`gave up: ${String(s.reason)}`) });
      const log: string[] = [];
      const a = manual(log, 'a');
      const b = manual(log, 'b');
      const ac = new AbortController();
      const pa = q.run(a.task, ac.signal);
      const pb = q.run(b.task);
      ac.abort('deadline');
      await expect(pa).rejects.toThrow('gave up: deadline');
      await flush();
      expect(log).toEqual(['start a']);
      expect(q.size).toBe(2);
      a.finish();
      await flush();
      expect(log).toEqual(['start a', 'start b']);
      b.finish();
      expect(await pb).toBe('b');
    });

    it('without detachRunning its caller waits for the task even when the signal fires', async () => {
      const q = new AbortableQueue({ detachRunning: false });
      const log: string[] = [];
      const a = manual(log, 'a');
      const ac = new AbortController();
      const pa = q.run(a.task, ac.signal);
      ac.abort('late');
      let settled = false;
      void pa.then(() => (settled = true));
      await flush();
      expect(settled).toBe(false);
      a.finish();
      expect(await pa).toBe('a');
    });

    it('a task that throws at once releases the slot', async () => {
      const q = new AbortableQueue({ detachRunning: true });
      const log: string[] = [];
      await expect(
        q.run(() => {
          throw new Error('sync');
        }),
      ).rejects.toThrow('sync');
      expect(q.size).toBe(0);
      const b = manual(log, 'b');
      const pb = q.run(b.task);
      expect(log).toEqual(['start b']);
      b.finish();
      await pb;
    });

    it('onIdle waits for it and for what queued behind it; cancelWaiting rejects only those behind it', async () => {
      const q = new AbortableQueue({ detachRunning: true });
      const log: string[] = [];
      const a = manual(log, 'a');
      const b = manual(log, 'b');
      const pa = q.run(a.task);
      const pb = q.run(b.task);
      let idle = false;
      void q.onIdle().then(() => (idle = true));
      q.cancelWaiting(new Error('closing'));
      await expect(pb).rejects.toThrow('closing');
      await flush();
      expect(idle).toBe(false);
      a.finish();
      expect(await pa).toBe('a');
      await flush();
      expect(idle).toBe(true);
      expect(log).toEqual(['start a']);
    });
  });
});

describe('AbortableQueue.tryDirect', () => {
  it('on an idle queue takes the slot and hands back the call the task settles; otherwise nothing is taken', async () => {
    const q = new AbortableQueue({ detachRunning: true });
    const told: string[] = [];
    const call = q.tryDirect<string>(undefined, (ran, failed, outcome) => told.push(`${ran} ${failed} ${String(outcome)}`))!;
    expect(call).toBeDefined();
    expect(q.size).toBe(1);
    // Busy: the next caller queues on run() behind it.
    expect(q.tryDirect()).toBeUndefined();
    const log: string[] = [];
    const b = manual(log, 'b');
    const pb = q.run(b.task);
    await flush();
    expect(log).toEqual([]);
    call.settle(false, 'a');
    expect(await call.promise).toBe('a');
    expect(told).toEqual(['true false a']);
    await flush();
    expect(log).toEqual(['start b']);
    b.finish();
    await pb;
    await q.onIdle();
    // A fired signal: refused here, and run() rejects it.
    const ac = new AbortController();
    ac.abort('gone');
    expect(q.tryDirect(ac.signal)).toBeUndefined();
    expect(q.size).toBe(0);
  });

  it('detachRunning: the caller whose signal fires is answered at once; the slot is kept until the task settles', async () => {
    const q = new AbortableQueue({ detachRunning: true });
    const ac = new AbortController();
    const call = q.tryDirect<string>(ac.signal)!;
    const outcome = call.promise.catch((e: unknown) => `rejected ${String(e)}`);
    ac.abort('deadline');
    expect(await outcome).toBe('rejected deadline');
    const log: string[] = [];
    const next = manual(log, 'next');
    const pn = q.run(next.task);
    await flush();
    expect(log).toEqual([]); // still held by the task the caller left
    call.settle(false, 'late answer');
    await flush();
    expect(log).toEqual(['start next']);
    next.finish();
    expect(await pn).toBe('next');
  });
});

describe('AbortableQueue between bursts', () => {
  it('keeps order and one-at-a-time when tasks arrive after it went idle, and while the last one is settling', async () => {
    const q = new AbortableQueue({ detachRunning: true });
    const log: string[] = [];
    const a = manual(log, 'a');
    const pa = q.run(a.task);
    await flush();
    a.finish();
    expect(await pa).toBe('a');
    await q.onIdle();
    expect(q.size).toBe(0);
    // A new burst: b runs, c waits for it even though c was queued the moment b settled.
    const b = manual(log, 'b');
    const c = manual(log, 'c');
    const pb = q.run(b.task);
    await flush();
    expect(q.size).toBe(1);
    b.finish();
    const pc = q.run(c.task);
    expect(await pb).toBe('b');
    await flush();
    expect(log).toEqual(['start a', 'start b', 'start c']);
    expect(q.size).toBe(1);
    const d = manual(log, 'd');
    const pd = q.run(d.task);
    await flush();
    expect(log).toEqual(['start a', 'start b', 'start c']);
    c.finish();
    d.finish();
    expect([await pc, await pd]).toEqual(['c', 'd']);
    await q.onIdle();
    expect(q.size).toBe(0);
    // cancelWaiting on an idle queue has no one to reject.
    q.cancelWaiting(new Error('closed'));
    expect(await q.run(async () => 'e')).toBe('e');
  });

  it('a task still running when its caller was let go keeps the next one waiting, across going idle', async () => {
    const q = new AbortableQueue({ detachRunning: true });
    const log: string[] = [];
    const ac = new AbortController();
    const a = manual(log, 'a');
    const pa = q.run(a.task, ac.signal);
    await flush();
    ac.abort(new Error('caller gone'));
    await expect(pa).rejects.toThrow('caller gone');
    const pb = q.run(manual(log, 'b').task);
    await flush();
    expect(log).toEqual(['start a']);
    a.finish();
    await flush();
    expect(log).toEqual(['start a', 'start b']);
    void pb;
  });
});
