import { describe, expect, it } from 'vitest';
import { explore } from '../../src/explore/explore-search.ts';
import { scenarioSchema } from '../../src/scenario/schema.ts';
import { skipWithout } from '../support/server-skip.ts';

/**
 * The explorer against a real library with a known bug, on the real clock: from the default
 * bounds it finds redis@2.2.5's crossed replies and shrinks them to a few dozen devices and a
 * few steps, each kept candidate having FAILed twice in a row; and the wire client's crossed
 * replies, which only shrink when a smaller fleet keeps the event rate.
 */
describe.skipIf(skipWithout('redis', 'explore against redis@2.2.5'))('crosswire explore, real library', () => {
  it('finds redis@2.2.5 within 5 minutes and shrinks it', async () => {
    const template = scenarioSchema.parse({ cache: { adapter: 'redis@2.2.5' } });
    const outcome = await explore({ template, origin: 'test', budgetMs: 300_000, shrinkBudgetMs: 240_000, seed: 1 });
    expect(outcome.clock).toBe('real');
    expect(outcome.attempts).toBe(2);
    const found = outcome.found!;
    expect(found).toBeDefined();
    expect(found.timeToFirstFailMs).toBeLessThan(300_000);
    expect(found.minimal.fleet.devices).toBeLessThanOrEqual(found.first.fleet.devices);
    expect(found.minimal.fleet.devices).toBeLessThanOrEqual(60);
    expect(found.minimal.timeline.length).toBeLessThanOrEqual(3);
    expect(found.minimalSummary.verdict).toBe('FAIL');
  }, 600_000);

  it('shrinks faulty:wire-crossed-replies to a few dozen devices, trading devices for a higher event rate', async () => {
    // a crossed reply needs requests queued on the connection when the slice starts: fewer devices
    // at the same event interval are too few, the same event rate from fewer devices is not
    const template = scenarioSchema.parse({ cache: { adapter: 'faulty:wire-crossed-replies' } });
    const outcome = await explore({ template, origin: 'test', budgetMs: 300_000, shrinkBudgetMs: 180_000, seed: 1 });
    const found = outcome.found!;
    expect(found).toBeDefined();
    expect(found.minimal.fleet.devices).toBeLessThanOrEqual(36);
    expect(found.minimal.fleet.eventInterval).toBeLessThan(found.first.fleet.eventInterval);
    expect(found.kept.some((step) => /devices, an event every \d+ms$/.test(step.what))).toBe(true);
    expect(found.minimalSummary.verdict).toBe('FAIL');
  }, 600_000);
});
