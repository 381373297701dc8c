import { LRUCache } from 'lru-cache';
import type { Clock } from '../../clock/clock.ts';
import { defineCacheAdapter, type CacheOpRef, type ConfessingAdapter, type WrongValue } from '../cache-adapter.ts';
import { ConfessionLog } from './confession-log.ts';

/**
 * Mechanism E1 in docs/mechanisms.md, stale owner. Invalidations are acknowledged but not applied
 * (a lost delete, a replica that never saw it), so after an ownership transfer the old owner stays
 * cached until the TTL runs out. It remembers which keys a correct cache would have dropped, to
 * confess.
 */
class StaleOwnerAdapter implements ConfessingAdapter {
  readonly id = 'faulty:stale-owner';
  private readonly lru = new LRUCache<string, string>({ max: 1_000_000 });
  /** Keys whose delete was swallowed and not rewritten since. */
  private readonly shouldBeGone = new Set<string>();
  private readonly log = new ConfessionLog();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  get wrongValues(): readonly WrongValue[] {
    return this.log.entries;
  }

  async get(key: string, op?: CacheOpRef): Promise<string | undefined> {
    const value = this.lru.get(key);
    if (value !== undefined && this.shouldBeGone.has(key)) {
      this.log.record({ opId: op?.id, key, returned: value, expected: undefined, mechanism: 'E1 stale-owner', at: this.clock.now() });
    }
    return value;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.shouldBeGone.delete(key);
    this.lru.set(key, value, ttlMs ? { ttl: ttlMs } : undefined);
  }

  async delete(key: string): Promise<void> {
    // the bug: acknowledged, not applied
    if (this.lru.has(key)) this.shouldBeGone.add(key);
  }

  async flush(): Promise<void> {
    this.lru.clear();
    this.shouldBeGone.clear();
  }

  async close(): Promise<void> {
    this.lru.clear();
  }
}

export default defineCacheAdapter({
  id: 'faulty:stale-owner',
  description: 'E1: invalidations after an ownership transfer are lost; the old owner stays cached',
  mechanism: 'E1 stale-owner',
  create: ({ clock }) => new StaleOwnerAdapter(clock),
});
