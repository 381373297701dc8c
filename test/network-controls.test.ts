import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/runner/run-scenario.ts';
import { controlScenario } from './support/control-scenario.ts';
import { skipWithout } from './support/server-skip.ts';

/**
 * Real client libraries against real servers through the chaos proxy, on the shipped control
 * scenario (a storm with cache latency spikes and resets): correct clients pass on several
 * seeds — no false positives — and clients with a wire-level bug fail on the same seed.
 */
const noRedis = skipWithout('redis');
const noMemcached = skipWithout('memcached');

async function expectCleanPass(adapter: string, seed: number): Promise<void> {
  const { summary } = await runScenario(await controlScenario(adapter, (s) => (s.seed = seed)));
  expect(summary.violationCount).toBe(0);
  expect(summary.reasons).toEqual([]);
  expect(summary.verdict).toBe('PASS');
  // the chaos really reached the client: errors happened and every fault fired
  expect(summary.cache.stats.errors).toBeGreaterThan(0);
  expect(summary.faults.map((f) => f.id)).toEqual(['broker-outage', 'cache-latency', 'cache-reset']);
  expect(summary.versions.cacheLibrary?.version).toMatch(/^\d+\.\d+\.\d+/);
}

// one seed here; the trust matrix (npm run test:trust) runs every correct client on seeds 1–5
const seeds = [1];

describe.skipIf(noRedis)('correct redis clients under cache chaos', () => {
  it.each(['ioredis', 'node-redis', 'redis@2.3.0'].flatMap((adapter) => seeds.map((seed) => ({ adapter, seed }))))(
    '$adapter, seed $seed: PASS with zero violations',
    ({ adapter, seed }) => expectCleanPass(adapter, seed),
  );
});

describe.skipIf(noMemcached)('a correct memcached client under cache chaos', () => {
  it.each(seeds)('memjs, seed %i: PASS with zero violations', (seed) => expectCleanPass('memjs', seed));
});
