import { expect } from 'vitest';
import type { DeadlineUnderGcResult } from './deadline-under-gc.js';

/**
 * Timed by the exporter (from a request's arrival to the end of its answer),
 * an answer may end this long after its deadline: event loop, forced
 * collections, a loaded machine. The scrapes themselves are cut at the
 * deadline; with the deadline lost they run to the client's own retries (7 s
 * for a silent BMC) or, queued, never end. The client's side adds the time the
 * exporter took to accept the request, seconds on a machine shared with other
 * work: there every answer must arrive (within the deadline + 8 s), and the
 * queue rule must show (503s), but an accepted-late request may find the BMC
 * free and get its 200.
 */
const SERVER_BOUND_MS = 1000;

/** What src/http/deadline-gc.test.ts and the container test (test/docker-image.test.ts) assert of runDeadlineUnderGc's result. */
export function expectDeadlinesKept(r: DeadlineUnderGcResult, concurrency: number): void {
  expect(r.collections).toBeGreaterThan(5);
  expect(r.served).toHaveLength(2 * concurrency);
  expect(
    r.served.filter((s) => s.ms > s.deadlineMs + SERVER_BOUND_MS),
    `answers past their deadline + ${SERVER_BOUND_MS} ms`,
  ).toEqual([]);
  expect(
    r.answers.filter((a) => a.status === 0),
    'requests without an answer',
  ).toEqual([]);
  for (const bmc of ['silent', 'garbage'] as const) {
    const [first, ...queued] = r.answers.filter((a) => a.bmc === bmc);
    expect(first).toMatchObject({ deadlineMs: 4000, status: 200, up: 0 });
    expect(queued).toHaveLength(concurrency - 1);
    // Held up behind the first, whose deadline is later, they give up in the queue;
    // one the exporter accepted only after the first had finished scrapes in its turn.
    for (const a of queued) expect(a.status === 503 || (a.status === 200 && a.up === 0), JSON.stringify(a)).toBe(true);
    expect(queued.filter((a) => a.status === 503).length).toBeGreaterThanOrEqual(concurrency / 4);
  }
}
