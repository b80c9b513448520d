// Loaded into the exporter by the config benchmark (node --import; named
// *-child so the bench runner does not import it). On the main thread only,
// a 1 ms timer watches the event loop: for each gap between two ticks, how
// long the thread ran on a CPU meanwhile and how long it waited runnable
// for one (/proc/thread-self/schedstat: on-CPU ns, run-queue ns). The
// on-CPU part is the synchronous work (JavaScript, GC) that held the loop;
// the rest is the machine's load. On SIGUSR2 it writes the worst since the
// previous SIGUSR2 to standard error, one line `loop-probe {json}`, and
// starts over. Linux only; it costs the thread a few percent of a core.
import { readFileSync, writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

export interface LoopProbeWindow {
  /** Longest gap between two ticks, ms. */
  worstGapMs: number;
  /** On-CPU and run-queue time within that gap, ms. */
  worstGapOnCpuMs: number;
  worstGapWaitMs: number;
  /** The most on-CPU time within any one gap, ms: the longest the loop was held by work of its own. */
  worstOnCpuMs: number;
}

function schedstat(): [onCpuNs: number, waitNs: number] {
  const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
  return [Number(run), Number(wait)];
}

if (isMainThread) {
  let window: LoopProbeWindow = { worstGapMs: 0, worstGapOnCpuMs: 0, worstGapWaitMs: 0, worstOnCpuMs: 0 };
  let last = performance.now();
  let [run0, wait0] = schedstat();
  const tick = (): void => {
    const now = performance.now();
    const [run, wait] = schedstat();
    const gap = now - last;
    const onCpu = (run - run0) / 1e6;
    if (gap > window.worstGapMs) window = { ...window, worstGapMs: gap, worstGapOnCpuMs: onCpu, worstGapWaitMs: (wait - wait0) / 1e6 };
    window.worstOnCpuMs = Math.max(window.worstOnCpuMs, onCpu);
    last = now;
    run0 = run;
    wait0 = wait;
    setTimeout(tick, 1).unref();
  };
  setTimeout(tick, 1).unref();
  process.on('SIGUSR2', () => {
    writeSync(2, `loop-probe ${JSON.stringify(window)}\n`);
    window = { worstGapMs: 0, worstGapOnCpuMs: 0, worstGapWaitMs: 0, worstOnCpuMs: 0 };
  });
}
