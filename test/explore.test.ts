import { describe, expect, it } from 'vitest';
import { isCrosswireError } from '../src/errors.ts';
import { explore } from '../src/explore/explore-search.ts';
import { minimalYaml } from '../src/explore/minimal-yaml.ts';
import { shapeOf } from '../src/explore/scenario-draft.ts';
import type { RunSummary } from '../src/report/summary.ts';
import { runScenario } from '../src/runner/run-scenario.ts';
import { parseScenarioText } from '../src/scenario/load-scenario.ts';
import { scenarioSchema, type Scenario } from '../src/scenario/schema.ts';

/**
 * The explorer on the virtual clock: it finds a faulty control from the default bounds and
 * shrinks it to a scenario that still FAILs when run again from its YAML; it finds nothing
 * against the correct in-process cache; every draw it runs honours the declared bounds.
 */
const template = (input: Record<string, unknown>) => scenarioSchema.parse(input);

describe('crosswire explore', () => {
  it('finds faulty:crossed-replies from the default bounds and shrinks it to a small scenario that FAILs again', async () => {
    const outcome = await explore({ template: template({ cache: { adapter: 'faulty:crossed-replies' } }), origin: 'test', budgetMs: 60_000, shrinkBudgetMs: 60_000, seed: 1 });
    expect(outcome.clock).toBe('virtual');
    const found = outcome.found!;
    expect(found).toBeDefined();
    expect(found.firstSummary.verdict).toBe('FAIL');
    expect(outcome.shrinkRuns).toBeGreaterThan(0);
    // smaller than what was found, and small in absolute terms
    expect(found.minimal.fleet.devices).toBeLessThanOrEqual(found.first.fleet.devices);
    expect(found.minimal.fleet.devices).toBeLessThanOrEqual(12); // 7 (docs/explore.md): the same-rate candidates
    expect(found.minimal.timeline.length).toBeLessThanOrEqual(3);
    expect(found.kept.length).toBeGreaterThan(0);

    // the YAML a user gets parses back to the same scenario, and it FAILs when run from it
    const yaml = minimalYaml(found.minimal, found.minimalSummary, { command: 'crosswire explore', file: 'minimal.yaml', searchRuns: outcome.searchRuns, shrinkRuns: outcome.shrinkRuns, from: shapeOf(found.first), to: shapeOf(found.minimal) });
    expect(yaml).toMatch(/^# Found by `crosswire explore`: FAIL/);
    expect(yaml).toContain(`  devices: ${found.minimal.fleet.devices}\n`);
    const { scenario } = parseScenarioText(yaml, 'minimal.yaml');
    expect(scenario).toEqual(found.minimalScenario);
    const again = await runScenario(scenario);
    expect(again.summary.verdict).toBe('FAIL');
    expect(again.summary.history?.sha256).toBe(found.minimalSummary.history?.sha256);
    expect(again.summary.history?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports nothing against memory within a small budget, and says what it covered', async () => {
    const outcome = await explore({ template: template({ cache: { adapter: 'memory' } }), origin: 'test', budgetMs: 6_000, shrinkBudgetMs: 1_000, seed: 2 });
    expect(outcome.found).toBeUndefined();
    expect(outcome.searchRuns).toBeGreaterThan(0);
    expect(outcome.shapes.length).toBeGreaterThan(0);
    expect(outcome.faultKindsTried.length).toBeGreaterThan(0);
  });

  it('draws only within the bounds of the explore: section', async () => {
    const seen: Scenario[] = [];
    const run = async (scenario: Scenario) => {
      seen.push(scenario);
      return { verdict: 'PASS' } as RunSummary;
    };
    const bounded = template({
      cache: { adapter: 'memory' },
      explore: { devices: { min: 5, max: 9 }, faults: ['partition'], steps: { min: 1, max: 1 }, transfers: { min: 0, max: 0 }, duration: { min: '10s', max: '12s' }, identities: ['uuid'] },
    });
    const outcome = await explore({ template: bounded, origin: 'test', budgetMs: 1_500, shrinkBudgetMs: 1_000, seed: 3, run });
    expect(seen.length).toBeGreaterThan(10);
    expect(outcome.searchRuns).toBe(seen.length);
    for (const s of seen) {
      expect(s.fleet.devices).toBeGreaterThanOrEqual(5);
      expect(s.fleet.devices).toBeLessThanOrEqual(9);
      expect(s.timeline.map((step) => ('fault' in step ? step.fault : 'transfer'))).toEqual(['partition']);
      expect(s.duration).toBeGreaterThanOrEqual(10_000);
      expect(s.duration).toBeLessThanOrEqual(12_000);
      expect(s.identities.devices).toBe('uuid');
      expect(s.explore).toBeUndefined();
    }
    expect(outcome.faultKindsTried).toEqual(['partition']);
  });

  it('draws cache-path faults for a user module that declares a server, and none for one that does not', async () => {
    const faultsDrawn = async (adapterModule: { server?: 'redis' } | undefined) => {
      const kinds = new Set<string>();
      const run = async (scenario: Scenario) => {
        for (const step of scenario.timeline) if ('fault' in step) kinds.add(step.fault);
        return { verdict: 'PASS' } as RunSummary;
      };
      const outcome = await explore({ template: template({ cache: { adapter: './team-cache.js' } }), origin: 'test', adapterModule, budgetMs: 1_000, shrinkBudgetMs: 1_000, seed: 4, run });
      expect(outcome.searchRuns).toBeGreaterThan(10);
      return [...kinds];
    };
    const cachePath = ['cache-latency', 'cache-reset', 'cache-slice', 'cache-outage', 'cache-restart'];
    expect((await faultsDrawn({ server: 'redis' })).filter((k) => cachePath.includes(k)).sort()).toEqual(cachePath.sort());
    expect((await faultsDrawn({})).filter((k) => cachePath.includes(k))).toEqual([]);
    expect((await faultsDrawn(undefined)).filter((k) => cachePath.includes(k))).toEqual([]);
  });

  it('refuses bounds naming an unknown fault kind (exit 2, naming the field)', async () => {
    const bad = template({ explore: { faults: ['broker-outage', 'brokr-restart'] } });
    const error = await explore({ template: bad, origin: 'bounds.yaml', budgetMs: 1_000, shrinkBudgetMs: 1_000, seed: 1 }).catch((e: unknown) => e);
    expect(isCrosswireError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^bounds\.yaml: explore\.faults\[1\]: unknown fault kind "brokr-restart"/);
    expect((error as { exitCode: number }).exitCode).toBe(2);
  });

  it('validates the explore: section with the rest of the scenario', () => {
    expect(() => parseScenarioText('explore:\n  devices: { min: 50, max: 10 }\n', 'bad.yaml')).toThrow(/explore\.devices\.min: min \(50\) must not exceed max \(10\)/);
    expect(() => parseScenarioText('explore:\n  fleetSize: 3\n', 'bad.yaml')).toThrow(/fleetSize/);
  });
});
