import { stringify } from 'yaml';
import type { Scenario } from './schema.ts';

/**
 * scenario.resolved.yaml: the scenario exactly as it ran — defaults filled in, CROSSWIRE_*
 * variables, flags and --set edits applied, durations in milliseconds. It is itself a valid
 * scenario: `crosswire replay` and `crosswire run` accept it as it is.
 */
export function resolvedScenarioYaml(scenario: Scenario, source: string | undefined): string {
  const header = [
    `# ${scenario.name}, resolved from ${source ?? 'the built-in default'}: every default filled in and`,
    '# every override applied; durations in milliseconds. Run it again with `crosswire run <this file>`.',
  ];
  return header.join('\n') + '\n' + stringify(scenario, { lineWidth: 0 });
}
