import { RedfishClient, type RedfishClientOptions } from './client.js';
import { RedfishInvalidArgumentError } from './errors.js';

/**
 * A bounded set of Redfish clients, one per BMC: each holds one TCP
 * connection (one file descriptor) and one BMC session. Past `maxClients`
 * the least recently used client is closed, which DELETEs its session, so
 * the exporter's descriptors and the BMCs' session tables both stay bounded.
 */
export class RedfishClientPool {
  private readonly clients = new Map<string, RedfishClient>();
  private readonly closing = new Set<Promise<void>>();

  constructor(readonly maxClients: number) {
    if (!Number.isInteger(maxClients) || maxClients < 1) throw new RedfishInvalidArgumentError(`maxClients must be a positive integer, not ${maxClients}`);
  }

  get size(): number {
    return this.clients.size;
  }

  /** The client for `key`, made with `options` the first time (and again after eviction). */
  get(key: string, options: () => RedfishClientOptions): RedfishClient {
    let c = this.clients.get(key);
    if (c) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.clients.delete(key);
      this.clients.set(key, c);
      return c;
    }
    c = new RedfishClient(options());
    this.clients.set(key, c);
    while (this.clients.size > this.maxClients) {
      const [oldest] = this.clients.keys();
      this.evict(oldest!);
    }
    return c;
  }

  /** Close one client (its session is DELETEd); a later get() makes a new one. */
  evict(key: string): void {
    const c = this.clients.get(key);
    if (!c) return;
    this.clients.delete(key);
    const p = c.close().finally(() => this.closing.delete(p));
    this.closing.add(p);
  }

  /** Resolves when every evicted client has logged out and closed. */
  async settled(): Promise<void> {
    await Promise.all([...this.closing]);
  }

  async close(): Promise<void> {
    for (const key of [...this.clients.keys()]) this.evict(key);
    await Promise.all([...this.closing]);
  }
}
