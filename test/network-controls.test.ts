import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/runner/run-scenario.ts';
import { loadScenarioFile, validateScenarioObject } from '../src/scenario/load-scenario.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { skipWithout } from './support/server-skip.ts';

/**
 * Real client libraries against real servers through the chaos proxy, on the shipped control
 * scenario (a storm with cache latency spikes and resets): correct clients pass on several
 * seeds — no false positives — and clients with a wire-level bug fail on the same seed.
 */
const CONTROL = fileURLToPath(new URL('../scenarios/controls/cache-chaos-storm.yaml', import.meta.url));

async function control(adapter: string, patch: (s: Scenario) => void = () => {}): Promise<Scenario> {
  const { scenario } = await loadScenarioFile(CONTROL);
  const copy = structuredClone(scenario);
  copy.cache.adapter = adapter;
  patch(copy);
  return validateScenarioObject(copy, 'test');
}

const noRedis = skipWithout('redis');
const noMemcached = skipWithout('memcached');

async function expectCleanPass(adapter: string, seed: number): Promise<void> {
  const { summary } = await runScenario(await control(adapter, (s) => (s.seed = seed)));
  expect(summary.violationCount).toBe(0);
  expect(summary.reasons).toEqual([]);
  expect(summary.verdict).toBe('PASS');
  // the chaos really reached the client: errors happened and every fault fired
  expect(summary.cache.stats.errors).toBeGreaterThan(0);
  expect(summary.faults.map((f) => f.id)).toEqual(['broker-outage', 'cache-latency', 'cache-reset']);
  expect(summary.versions.cacheLibrary?.version).toMatch(/^\d+\.\d+\.\d+/);
}

const seeds = [1, 2];

describe.skipIf(noRedis)('correct redis clients under cache chaos', () => {
  it.each(['ioredis', 'node-redis', 'redis@2.3.0'].flatMap((adapter) => seeds.map((seed) => ({ adapter, seed }))))(
    '$adapter, seed $seed: PASS with zero violations',
    ({ adapter, seed }) => expectCleanPass(adapter, seed),
  );
});

describe.skipIf(noMemcached)('a correct memcached client under cache chaos', () => {
  it.each(seeds)('memjs, seed %i: PASS with zero violations', (seed) => expectCleanPass('memjs', seed));
});

describe.skipIf(noRedis)('clients with a wire-level bug, same scenario and seed', () => {
  it.each([
    { adapter: 'redis@2.2.5', library: { name: 'redis', version: '2.2.5' } },
    { adapter: 'faulty:wire-crossed-replies', library: { name: 'crosswire-fifo-resp', version: '1' } },
    { adapter: 'faulty:wire-stale-queue', library: { name: 'crosswire-fifo-resp', version: '1' } },
  ])('$adapter: FAIL', async ({ adapter, library }) => {
    const { summary } = await runScenario(await control(adapter));
    expect(summary.verdict).toBe('FAIL');
    // the version really loaded, not the one asked for
    expect(summary.versions.cacheLibrary).toEqual(library);
    expect(summary.headline.foreignDeliveries).toBeGreaterThan(0);
    const leak = summary.violations.find((v) => v.kind === 'foreign-thumbnail')!;
    expect(leak.cacheOps.some((op) => op.op === 'get' && op.adapter === adapter)).toBe(true);
  });
});

describe.skipIf(noRedis)('a cache server that dies mid-run', () => {
  it('keeps running, counts the errors, and does not call the unexercised storm PASS', async () => {
    const { summary } = await runScenario(
      await control('ioredis', (s) => {
        // the server dies before the broker outage and stays dead through the storm
        s.timeline = [
          { at: 4_000, fault: 'cache-restart', duration: 28_000 },
          { at: 8_000, fault: 'broker-outage', duration: 5_000 },
        ];
      }),
    );
    expect(summary.cache.stats.errors).toBeGreaterThan(100);
    expect(summary.violationCount).toBe(0);
    expect(summary.verdict).toBe('INCONCLUSIVE');
    expect(summary.reasons.join('\n')).toContain('cache-exercised');
    expect(summary.accounting.gap).toBe(0);
  });
});
