import { writeFile } from 'node:fs/promises';
import { scenarioJsonSchemaText } from '../../scenario/json-schema.ts';

/** `crosswire schema [--out file]`: the JSON Schema of the scenario format. */
export async function schemaCommand(options: { out?: string }): Promise<number> {
  const text = scenarioJsonSchemaText();
  if (options.out) await writeFile(options.out, text);
  else process.stdout.write(text);
  return 0;
}
