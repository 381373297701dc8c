import { LRUCache } from 'lru-cache';
import { defineCacheAdapter, numberOption, type CacheAdapter } from '../cache-adapter.ts';

/** The correct in-process cache: lru-cache with per-entry TTL. */
export class MemoryCacheAdapter implements CacheAdapter {
  readonly id: string = 'memory';
  private readonly lru: LRUCache<string, string>;

  constructor(maxEntries = 1_000_000) {
    this.lru = new LRUCache<string, string>({ max: maxEntries, ttlAutopurge: false });
  }

  async get(key: string): Promise<string | undefined> {
    return this.lru.get(key);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.lru.set(key, value, ttlMs ? { ttl: ttlMs } : undefined);
  }

  async delete(key: string): Promise<void> {
    this.lru.delete(key);
  }

  async flush(): Promise<void> {
    this.lru.clear();
  }

  async close(): Promise<void> {
    this.lru.clear();
  }

  library(): { name: string; version: string } {
    return { name: 'lru-cache', version: '11' };
  }
}

export default defineCacheAdapter({
  id: 'memory',
  description: 'in-process LRU cache with TTL (lru-cache); correct',
  create: ({ options }) => new MemoryCacheAdapter(numberOption(options, 'maxEntries', 1_000_000)),
});
