import type { ServerResponse } from 'node:http';

/**
 * The abort signal of one /bmc request: fires when its deadline passes or
 * when the client goes away, whichever comes first. The request owns the
 * timer and the controller, and holds both until dispose(): nothing here
 * depends on the garbage collector. (AbortSignal.any over AbortSignal.timeout
 * does: on Node 20 the combined signal holds its sources weakly, so a
 * collection can take the timeout signal away and the deadline never fires.)
 */
export class ScrapeSignal {
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly onClose: () => void;

  constructor(
    private readonly res: ServerResponse,
    deadlineMs: number,
  ) {
    // A DOMException named TimeoutError, as AbortSignal.timeout gives: the IPMI
    // library reports it as a timeout rather than a caller's abort.
    this.timer = setTimeout(() => this.controller.abort(new DOMException(`scrape deadline of ${deadlineMs} ms reached`, 'TimeoutError')), deadlineMs);
    this.onClose = () => {
      if (!res.writableFinished) this.controller.abort(new Error('client went away'));
    };
    res.once('close', this.onClose);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The request is answered: stop the timer and the listener (the signal stays as it is). */
  dispose(): void {
    clearTimeout(this.timer);
    this.res.off('close', this.onClose);
  }
}
