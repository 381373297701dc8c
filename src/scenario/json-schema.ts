import { z } from 'zod';
import { scenarioSchema } from './schema.ts';

/**
 * The scenario format as JSON Schema, generated from the zod schema (the input side: what a file
 * may say), for editor completion through a `yaml-language-server` modeline. Durations accept a
 * string like `30s` or a number of milliseconds.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
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
