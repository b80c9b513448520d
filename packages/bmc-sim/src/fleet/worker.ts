// Worker process entry (dist/fleet/worker.js): serves a slice of a fleet and
// answers control operations forwarded by the parent over IPC.
import { LocalBmcs, type FleetOp } from './local-bmcs.js';
import type { FleetDefinition } from './fleet-definition.js';

export type ToWorker =
  | { type: 'start'; definition: FleetDefinition; from: number; to: number }
  | { type: 'op'; id: number; index: number; op: FleetOp }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; bindMs: number }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; message: string }
  | { type: 'closed' };

let local: LocalBmcs | undefined;
const send = (m: FromWorker) => process.send?.(m);

process.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'start':
      local = new LocalBmcs(m.definition, m.from, m.to);
      local.start().then(
        () => send({ type: 'ready', bindMs: local!.bindMs }),
        (err: Error) => send({ type: 'failed', message: err.message }),
      );
      return;
    case 'op':
      try {
        if (!local) throw new Error('worker not started');
        send({ type: 'result', id: m.id, ok: true, value: local.apply(m.index, m.op) });
      } catch (err) {
        send({ type: 'result', id: m.id, ok: false, message: (err as Error).message });
      }
      return;
    case 'close':
      void (local?.close() ?? Promise.resolve()).then(() => {
        send({ type: 'closed' });
        process.disconnect?.();
      });
      return;
  }
});

// The parent going away (even killed) must not leave orphaned BMCs behind.
process.on('disconnect', () => {
  void (local?.close() ?? Promise.resolve()).then(() => process.exit(0));
});
