import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { $ZodType } from 'zod/v4/core';
import { scenarioSchema } from '../src/scenario/schema.ts';
import { flatStep, stageSchema } from '../src/scenario/step-schemas.ts';

/**
 * The README's scenario reference is written by hand; this keeps it from going stale: every field
 * of the zod schema has a row, every step kind has a row naming each of its fields, and the
 * stage fields are described.
 */
interface Def {
  type: string;
  innerType?: $ZodType;
  in?: $ZodType;
  shape?: Record<string, $ZodType>;
  options?: readonly $ZodType[];
  values?: readonly unknown[];
}
const def = (s: $ZodType) => s._zod.def as unknown as Def;

function unwrap(s: $ZodType): $ZodType {
  for (;;) {
    const d = def(s);
    if (d.type === 'pipe' && d.in) s = d.in;
    else if (d.innerType) s = d.innerType;
    else return s;
  }
}

/** Dotted field paths; `{min, max}` ranges, records, unions and empty mappings are leaves. */
function fieldPaths(schema: $ZodType, prefix = ''): string[] {
  const shape = def(unwrap(schema)).shape ?? {};
  return Object.entries(shape).flatMap(([key, child]) => {
    const path = prefix + key;
    const inner = def(unwrap(child));
    const keys = Object.keys(inner.shape ?? {});
    const leaf = inner.type !== 'object' || keys.length === 0 || keys.join() === 'min,max';
    return leaf ? [path] : fieldPaths(child, `${path}.`);
  });
}

async function scenarioSection(): Promise<string> {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  return readme.slice(readme.indexOf('## Scenario format'), readme.indexOf('## Cache adapters'));
}

describe('README scenario reference', () => {
  it('has a row for every field of the schema', async () => {
    const section = await scenarioSection();
    const paths = fieldPaths(scenarioSchema as unknown as $ZodType);
    expect(paths.length).toBeGreaterThan(25);
    const missing = paths.filter((path) => !section.includes(`| \`${path}\` |`));
    expect(missing, 'fields with no row in README § Scenario format').toEqual([]);
  });

  it('has a row for every timeline step kind, naming each of its fields', async () => {
    const section = await scenarioSection();
    const rows = new Map(section.split('\n').filter((l) => l.startsWith('| `')).map((l) => [/^\| `([^`]+)`/.exec(l)![1], l]));
    for (const option of def(flatStep as unknown as $ZodType).options ?? []) {
      const shape = def(unwrap(option)).shape ?? {};
      const kind = 'fault' in shape ? String(def(shape.fault).values?.[0]) : 'transfer';
      const fields = kind === 'transfer' ? Object.keys(def(unwrap(shape.transfer)).shape ?? {}) : Object.keys(shape).filter((k) => k !== 'at' && k !== 'fault');
      const row = rows.get(kind);
      expect(row, `no row for step ${kind}`).toBeDefined();
      for (const field of fields) expect(row, `${kind}: field ${field} not named`).toContain(field === 'duration' || field === 'heal' ? '`duration`/`heal`' : `\`${field}\``);
    }
  });

  it('describes the stage fields', async () => {
    const section = await scenarioSection();
    const keys = Object.keys(def(stageSchema as unknown as $ZodType).shape ?? {});
    expect(section).toContain(`\`{ ${keys.join(', ')} }\``);
  });
});
