import { fileURLToPath } from 'node:url';
import { loadScenarioFile, validateScenarioObject } from '../../src/scenario/load-scenario.ts';
import type { Scenario } from '../../src/scenario/schema.ts';

/** The shipped control scenario for network caches: a storm with cache latency spikes and resets. */
export const CONTROL = fileURLToPath(new URL('../../scenarios/controls/cache-chaos-storm.yaml', import.meta.url));

/** The control scenario with `adapter` under test, patched and re-validated. */
export async function controlScenario(adapter: string, patch: (s: Scenario) => void = () => {}): Promise<Scenario> {
  const { scenario } = await loadScenarioFile(CONTROL);
  const copy = structuredClone(scenario);
  copy.cache.adapter = adapter;
  patch(copy);
  return validateScenarioObject(copy, 'test');
}
