import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/runner/run-scenario.ts';
import { loadScenarioFile, type Override } from '../src/scenario/load-scenario.ts';
import { set, yamlFiles } from './support/scenario-files.ts';

/**
 * Every shipped scenario validates and says what it is for; the cheap ones run, smaller, and
 * PASS with a correct cache (and show what they are for). The incident scenario's replay with a
 * real library is in test/heavy/incident.test.ts.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCENARIOS = join(ROOT, 'scenarios');



describe('every shipped scenario', () => {
  it('validates and opens with a comment saying what it is for', async () => {
    const files = await yamlFiles(SCENARIOS);
    expect(files.map((f) => relative(SCENARIOS, f))).toEqual(
      expect.arrayContaining([
        'steady-state.yaml',
        'partial-partition.yaml',
        'cache-flush-during-storm.yaml',
        'ownership-churn.yaml',
        'slow-source-of-truth.yaml',
        'incidents/2024-02-camera-cloud-outage.yaml',
      ]),
    );
    for (const file of files) {
      await loadScenarioFile(file);
      const [, ...rest] = (await readFile(file, 'utf8')).split('\n');
      const header = rest.slice(0, rest.findIndex((line) => !line.startsWith('#')));
      expect(header.join(' ').length, `${file} has no header comment`).toBeGreaterThan(80);
    }
  });
});

/** The cheap scenarios at a third of their size: each must PASS, and its fault must have happened. */
const cheap: { file: string; size: Override; shows: (s: Awaited<ReturnType<typeof runScenario>>['summary']) => void }[] = [
  { file: 'steady-state.yaml', size: set('fleet.devices', 200), shows: (s) => expect(s.faults).toEqual([]) },
  {
    file: 'partial-partition.yaml',
    size: set('fleet.devices', 200),
    shows: (s) => {
      expect(s.storms.map((x) => x.fault)).toEqual(['partition']);
      expect(s.storms[0].dropped).toBeLessThan(200 * 0.4);
    },
  },
  {
    file: 'cache-flush-during-storm.yaml',
    size: set('fleet.devices', 200),
    shows: (s) => expect(s.faults.map((f) => [f.id, f.injectedAt])).toEqual([['broker-outage', 12_000], ['cache-flush', 23_500], ['cache-flush', 26_000]]),
  },
  { file: 'ownership-churn.yaml', size: set('fleet.accounts', 70), shows: (s) => expect(s.transfers.map((t) => t.devices > 0)).toEqual([true, true, true]) },
  {
    file: 'slow-source-of-truth.yaml',
    size: set('fleet.devices', 200),
    shows: (s) => expect(s.accounting.dropped['service-offline']).toBeGreaterThan(0),
  },
];

describe('the cheap shipped scenarios, smaller, PASS with the correct cache', () => {
  it.each(cheap)('$file', async ({ file, size, shows }) => {
    const { scenario } = await loadScenarioFile(join(SCENARIOS, file), [size]);
    const { summary } = await runScenario(scenario);
    expect(summary.reasons).toEqual([]);
    expect(summary.verdict).toBe('PASS');
    shows(summary);
  });

  it('ownership-churn catches lost invalidations (faulty:stale-owner FAILs)', async () => {
    const { scenario } = await loadScenarioFile(join(SCENARIOS, 'ownership-churn.yaml'), [set('fleet.accounts', 70), set('cache.adapter', 'faulty:stale-owner')]);
    const { summary } = await runScenario(scenario);
    expect(summary.verdict).toBe('FAIL');
    expect(summary.headline.foreignDeliveries).toBeGreaterThan(0);
  });
});
