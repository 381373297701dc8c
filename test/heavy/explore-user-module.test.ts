import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/explore/explore-search.ts';
import { runScenario } from '../../src/runner/run-scenario.ts';
import { scenarioSchema } from '../../src/scenario/schema.ts';
import { defaultScenario } from '../support/default-scenario.ts';

/**
 * A user's adapter module with a late-reply pool bug (examples/pooled-adapter-late-reply.js) and
 * its fixed twin (examples/pooled-adapter.js), on the real clock: the same scenario and seed FAIL
 * the one and PASS the other, and explore finds the bug from the default bounds within its
 * budget and shrinks it.
 */
const module = (name: string) => `./${relative(process.cwd(), fileURLToPath(new URL(`../../examples/${name}`, import.meta.url)))}`;
const buggy = module('pooled-adapter-late-reply.js');
const fixed = module('pooled-adapter.js');

describe('a user module with a late-reply pool bug', () => {
  it('FAILs the default storm with replies for other keys, and its fixed twin PASSes the same storm and seed', async () => {
    const scenario = (adapter: string) =>
      defaultScenario((s) => {
        s.cache.adapter = adapter;
        s.seed = 7;
      });
    const { summary: failed } = await runScenario(await scenario(buggy));
    expect(failed.verdict).toBe('FAIL');
    expect(failed.reasons.join('\n')).toMatch(/isolation: \d+ foreign thumbnail deliveries .*wrong-key/);
    const { summary: passed } = await runScenario(await scenario(fixed));
    expect(passed.reasons).toEqual([]);
    expect(passed.verdict).toBe('PASS');
    expect(passed.cache.stats.gets).toBeGreaterThan(1000);
  }, 120_000);

  it('explore finds it from the default bounds within 3 minutes and shrinks it', async () => {
    const template = scenarioSchema.parse({ cache: { adapter: buggy } });
    const outcome = await explore({ template, origin: 'test', budgetMs: 180_000, shrinkBudgetMs: 120_000, seed: 1 });
    expect(outcome.clock).toBe('real');
    const found = outcome.found!;
    expect(found).toBeDefined();
    expect(found.timeToFirstFailMs).toBeLessThan(180_000);
    expect(found.minimal.fleet.devices).toBeLessThanOrEqual(found.first.fleet.devices);
    expect(found.minimal.timeline.length).toBeLessThanOrEqual(3);
    expect(found.minimalSummary.verdict).toBe('FAIL');
  }, 420_000);
});
