import type { CompatCollector } from './compat-collector.js';

export const selEventsCompatCollector: CompatCollector = {
  name: 'sel-events',
  async collect() {
    throw new Error('not yet');
  },
};
