// A V8 CPU profile of one phase of a benchmark child (not its start-up):
// SIM_BENCH_PROFILE=DIR makes start()/stop() write DIR/<name>-<pid>.cpuprofile.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

export class PhaseProfiler {
  private session: Session | undefined;

  constructor(
    private readonly name: string,
    private readonly dir = process.env.SIM_BENCH_PROFILE,
  ) {}

  start(): void {
    if (!this.dir || this.session) return;
    const s = new Session();
    s.connect();
    s.post('Profiler.enable');
    s.post('Profiler.start');
    this.session = s;
  }

  /** Stops and writes the profile; resolves when it is on disk (or at once when not profiling). */
  stop(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => {
      s.post('Profiler.stop', (err, res) => {
        if (!err) writeFileSync(`${this.dir}/${this.name}-${process.pid}.cpuprofile`, JSON.stringify(res.profile));
        s.disconnect();
        resolve();
      });
    });
  }
}
