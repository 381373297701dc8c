import { describe, expect, it } from 'vitest';
import type { CacheAdapter, CacheAdapterContext } from '../src/cache/cache-adapter.ts';
import { loadCacheAdapter } from '../src/cache/load-adapter.ts';
import { assertCacheAdapterContract } from '../src/testkit/index.ts';

const fixed = await loadCacheAdapter('./examples/pooled-adapter.js', 'test');
const lateReply = await loadCacheAdapter('./examples/pooled-adapter-late-reply.js', 'test');
/** The example's pool, whose timeout the test changes between requests. */
type Pool = CacheAdapter & { config: { timeout: number } };
// as the contract snippet in docs/adapters.md does: only options (the module falls back to Math.random)
const pool = (definition: typeof fixed, options: Record<string, unknown>) => definition.create({ options } as unknown as CacheAdapterContext) as Pool;

/**
 * The pooled example adapters, a user's module with and without the late-reply pool bug: the
 * fixed one passes the conformance suite; the bug shows as soon as a reply comes later than the
 * timeout (runs and explore against both: test/heavy/explore-user-module.test.ts).
 */
describe('examples/pooled-adapter.js', () => {
  it('passes the adapter contract', async () => {
    // no slow replies: the contract checks what the cache answers, and a timed-out request is an
    // error it does not excuse (the runs under latency spikes are the heavy test's)
    await assertCacheAdapterContract(() => pool(fixed, { spikeChance: 0 }));
  });

  it('the late-reply twin hands a late reply to the next request on the connection; the fixed one does not', async () => {
    // one connection, every reply later than the timeout: the first get times out, the second
    // borrows the same connection
    const options = { poolSize: 1, timeout: 20, spikeChance: 1, spike: 40 };
    const buggy = pool(lateReply, options);
    const correct = pool(fixed, options);
    for (const cache of [buggy, correct]) {
      cache.config.timeout = 1_000; // a slow but patient write first
      await cache.set('owner:a', 'acct-a');
      await cache.set('owner:b', 'acct-b');
      cache.config.timeout = 20;
      await expect(cache.get('owner:a')).rejects.toThrow(/no reply within 20ms/);
      cache.config.timeout = 1_000;
    }
    expect(await buggy.get('owner:b')).toBe('acct-a');
    expect(await correct.get('owner:b')).toBe('acct-b');
    await buggy.close();
    await correct.close();
  });
});
