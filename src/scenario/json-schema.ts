import { z } from 'zod';
import type { FaultKinds } from '../faults/fault-kind.ts';
import { faultKinds } from '../faults/fault-kinds.ts';
import { durationBoundsOf, rangeText } from '../fields/field-schemas.ts';
import { scenarioSchemaFor } from './schema.ts';

/**
 * The scenario format as JSON Schema, generated from the zod schema (the input side: what a file
 * may say), for editor completion through a `yaml-language-server` modeline. Durations accept a
 * string like `30s` or a number of milliseconds; their bounds are given as minimum/maximum (which
 * apply to the number form) and in words in the description (for the string form), after the
 * field's own description. Each timeline step variant carries its kind's one-line description.
 */
export function scenarioJsonSchema(kinds: FaultKinds = faultKinds): Record<string, unknown> {
  const generated = z.toJSONSchema(scenarioSchemaFor(kinds), {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
    override: ({ zodSchema, jsonSchema }) => {
      const bounds = durationBoundsOf(zodSchema);
      if (!bounds) return;
      jsonSchema.minimum = bounds.min;
      jsonSchema.maximum = bounds.max;
      const what = `a duration (250ms, 30s, 5m, 2h, +HH:MM:SS, or a number of milliseconds) ${rangeText(bounds)}`;
      const own = z.globalRegistry.get(zodSchema)?.description;
      jsonSchema.description = own ? `${own}: ${what}` : what;
    },
  });
  return {
    ...generated,
    $id: 'https://crosswire.dev/scenario.schema.json',
    title: 'crosswire scenario',
    description: 'A crosswire scenario: fleet, broker, cache, service, timeline, checks. Run with `crosswire run <file>`.',
  };
}

export function scenarioJsonSchemaText(kinds: FaultKinds = faultKinds): string {
  return JSON.stringify(scenarioJsonSchema(kinds), null, 2) + '\n';
}
