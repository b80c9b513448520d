import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { LRUCache } from 'lru-cache';

/** `$2a$`, `$2b$` or `$2y$`, two-digit cost, 22 salt + 31 hash characters (bcrypt's own base64). */
export const BCRYPT_HASH = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/** A basic-auth header value: the scheme is case-insensitive (RFC 7617 §2). */
const BASIC = /^basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i;

export interface BasicAuthOptions {
  /** Successful checks remembered; exporter-toolkit keeps 100. */
  cacheSize?: number;
}

/**
 * Checks `Authorization: Basic` against exporter-toolkit's basic_auth_users
 * (bcrypt hashes). bcrypt costs ≈50-100 ms by design and Prometheus
 * authenticates every scrape, so good checks are cached, keyed by a SHA-256
 * of user, password and hash: a changed hash or password misses the cache,
 * and the key reveals nothing if memory is read. Failures are never cached.
 */
export class BasicAuthChecker {
  private readonly users: ReadonlyMap<string, string>;
  private readonly good: LRUCache<string, true>;
  /** Same cost as the real hashes, so an unknown user takes as long as a wrong password. */
  private readonly decoy: Promise<string>;
  /** One bcrypt at a time: a flood of bad passwords must not take every core (exporter-toolkit does the same). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(users: ReadonlyMap<string, string>, options: BasicAuthOptions = {}) {
    for (const [user, hash] of users) {
      if (!BCRYPT_HASH.test(hash)) throw new Error(`basic_auth_users: the hash for "${user}" is not a bcrypt hash`);
    }
    this.users = new Map(users);
    this.good = new LRUCache({ max: options.cacheSize ?? 100 });
    const cost = Math.max(4, ...[...users.values()].map((h) => bcrypt.getRounds(h)));
    this.decoy = bcrypt.hash(randomBytes(18).toString('base64'), cost);
    this.decoy.catch(() => undefined);
  }

  get userCount(): number {
    return this.users.size;
  }

  async check(authorizationHeader: string | undefined): Promise<boolean> {
    const creds = parseBasic(authorizationHeader);
    if (!creds) return false;
    const stored = this.users.get(creds.user);
    const hash = stored ?? (await this.decoy);
    const key = createHash('sha256').update(creds.user).update('\0').update(creds.password).update('\0').update(hash).digest('hex');
    if (stored !== undefined && this.good.get(key)) return true;
    const ok = await this.serialised(() => bcryptMatches(creds.password, hash));
    if (!ok || stored === undefined) return false;
    this.good.set(key, true);
    return true;
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const m = BASIC.exec(header);
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Re-hashes with the stored salt and compares the whole strings in constant time. */
async function bcryptMatches(password: string, hash: string): Promise<boolean> {
  const computed = await bcrypt.hash(password, hash.slice(0, 29));
  const a = Buffer.from(computed);
  const b = Buffer.from(hash);
  return a.length === b.length && timingSafeEqual(a, b);
}
