/**
 * Await `work` while it is listed in `inFlight`, the set a graceful shutdown
 * waits on; it leaves the set however it settles. The set holds a promise
 * that never rejects, so shutdown's wait cannot fail on a scrape's error.
 */
export async function whileInFlight<T>(inFlight: Set<Promise<void>>, work: Promise<T>): Promise<T> {
  const settled = work.then(settle, settle);
  inFlight.add(settled);
  try {
    return await work;
  } finally {
    inFlight.delete(settled);
  }
}

/** A scrape's outcome does not matter to the set, only that it is over. */
function settle(): undefined {
  return undefined;
}
