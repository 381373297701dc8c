import { LRUCache } from 'lru-cache';
import type { Clock } from '../../clock/clock.ts';
import {
  defineCacheAdapter,
  numberOption,
  type CacheOpRef,
  type ConfessingAdapter,
  type WrongValue,
} from '../cache-adapter.ts';
import { ConfessionLog } from './confession-log.ts';

/**
 * Mechanism C3 in docs/mechanisms.md, truncated keys. Keys are cut to `keyLength` characters before
 * they reach the store (a length limit "handled" by truncation), so devices whose ids share a
 * prefix share an entry. Each entry remembers the full key it was written under, to confess.
 */
export class KeyCollisionAdapter implements ConfessingAdapter {
  readonly id: string;
  private readonly lru = new LRUCache<string, { fullKey: string; value: string }>({ max: 1_000_000 });
  private readonly log = new ConfessionLog();
  private readonly keyLength: number;
  private readonly clock: Clock;

  constructor(id: string, clock: Clock, keyLength: number) {
    this.id = id;
    this.clock = clock;
    this.keyLength = keyLength;
  }

  get wrongValues(): readonly WrongValue[] {
    return this.log.entries;
  }

  private truncate(key: string): string {
    return key.slice(0, this.keyLength);
  }

  async get(key: string, op?: CacheOpRef): Promise<string | undefined> {
    const entry = this.lru.get(this.truncate(key));
    if (entry === undefined) return undefined;
    if (entry.fullKey !== key) {
      // a correct cache holds nothing or this key's own value; only the collided entry is here
      this.log.record({ opId: op?.id, key, returned: entry.value, expected: undefined, mechanism: 'C3 truncated-key', at: this.clock.now() });
    }
    return entry.value;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.lru.set(this.truncate(key), { fullKey: key, value }, ttlMs ? { ttl: ttlMs } : undefined);
  }

  async delete(key: string): Promise<void> {
    this.lru.delete(this.truncate(key));
  }

  async flush(): Promise<void> {
    this.lru.clear();
  }

  async close(): Promise<void> {
    this.lru.clear();
  }
}

export default defineCacheAdapter({
  id: 'faulty:key-collision',
  description: 'C3: keys truncated to a fixed length, so devices with similar ids collide',
  mechanism: 'C3 truncated-key',
  // `owner:cam-0001234` is 17 characters; 15 makes each run of 100 devices share one entry
  create: ({ clock, options }) => new KeyCollisionAdapter('faulty:key-collision', clock, numberOption(options, 'keyLength', 15)),
});
