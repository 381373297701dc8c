import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/runner/run-scenario.ts';
import { controlScenario } from './support/control-scenario.ts';
import { skipWithout } from './support/server-skip.ts';

/**
 * The other direction of network-controls.test.ts, on the same control scenario and seed:
 * clients with a wire-level bug FAIL, and a server that dies before the storm is not a PASS.
 */
const noRedis = skipWithout('redis');

describe.skipIf(noRedis)('clients with a wire-level bug, same scenario and seed', () => {
  it.each([
    { adapter: 'redis@2.2.5', library: { name: 'redis', version: '2.2.5' } },
    { adapter: 'faulty:wire-crossed-replies', library: { name: 'crosswire-fifo-resp', version: '1' } },
    { adapter: 'faulty:wire-stale-queue', library: { name: 'crosswire-fifo-resp', version: '1' } },
  ])('$adapter: FAIL', async ({ adapter, library }) => {
    const { summary } = await runScenario(await controlScenario(adapter));
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
      await controlScenario('ioredis', (s) => {
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
