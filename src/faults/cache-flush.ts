import type { Fault } from './fault.ts';

/**
 * Every entry of the cache under test dropped at once, the cache staying up: an eviction storm
 * or an operator's FLUSHALL. The next lookups all miss and load from the source of truth.
 */
export function cacheFlush(): Fault {
  return {
    id: 'cache-flush',
    describe: () => 'cache flushed: every entry dropped, the server staying up',
    inject: (targets) => targets.flushCache(),
    heal() {},
  };
}
