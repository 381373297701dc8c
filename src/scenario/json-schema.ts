import { z } from 'zod';
import { durationBoundsOf, rangeText } from './field-schemas.ts';
import { scenarioSchema } from './schema.ts';

/**
 * The scenario format as JSON Schema, generated from the zod schema (the input side: what a file
 * may say), for editor completion through a `yaml-language-server` modeline. Durations accept a
 * string like `30s` or a number of milliseconds; their bounds are given as minimum/maximum (which
 * apply to the number form) and in words in the description (for the string form).
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(scenarioSchema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
    override: ({ zodSchema, jsonSchema }) => {
      const bounds = durationBoundsOf(zodSchema);
      if (!bounds) return;
      jsonSchema.minimum = bounds.min;
      jsonSchema.maximum = bounds.max;
      jsonSchema.description = `a duration (250ms, 30s, 5m, 2h, +HH:MM:SS, or a number of milliseconds) ${rangeText(bounds)}`;
    },
  });
  return {
    ...generated,
    $id: 'https://crosswire.dev/scenario.schema.json',
    title: 'crosswire scenario',
    description: 'A crosswire scenario: fleet, broker, cache, service, timeline, checks. Run with `crosswire run <file>`.',
  };
}

export function scenarioJsonSchemaText(): string {
  return JSON.stringify(scenarioJsonSchema(), null, 2) + '\n';
}
