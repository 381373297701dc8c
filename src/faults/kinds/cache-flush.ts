import { defineFaultKind } from '../fault-kind.ts';
import { namesUserServer } from '../shared-checks.ts';

/**
 * Every entry of the cache under test dropped at once, the cache staying up: an eviction storm
 * or an operator's FLUSHALL. The next lookups all miss and load from the source of truth.
 */
export const cacheFlush = defineFaultKind({
  id: 'cache-flush',
  description: 'Every entry of the cache under test dropped at once (no downtime).',
  lasting: 'instant',
  storms: false,
  fields: {},
  check: (step, s) =>
    namesUserServer(s) ? [{ path: ['fault'], message: `${step.fault} flushes the private server crosswire starts, and cache.url names a server it did not start` }] : [],
  create: () => ({
    id: 'cache-flush',
    describe: () => 'cache flushed: every entry dropped, the server staying up',
    inject: (targets) => targets.flushCache(),
    heal() {},
  }),
});
