import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { validateScenarioObject } from '../../src/scenario/load-scenario.ts';
import type { Scenario } from '../../src/scenario/schema.ts';

export const DEFAULT_SCENARIO_FILE = fileURLToPath(new URL('../../scenarios/reconnect-storm.yaml', import.meta.url));

/** The shipped default scenario, with the given fields replaced (re-validated). */
export async function defaultScenario(patch: (s: Scenario) => void = () => {}): Promise<Scenario> {
  const { scenario } = await loadScenarioFile(DEFAULT_SCENARIO_FILE);
  const copy = structuredClone(scenario);
  patch(copy);
  return validateScenarioObject(copy, 'test');
}
