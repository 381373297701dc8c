import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { $ZodType } from 'zod/v4/core';
import { fieldText, stageFieldText, thresholdText } from '../src/scenario/reference-text.ts';
import { scenarioFields, stepKinds } from '../src/scenario/scenario-reference.ts';
import { scenarioSchema } from '../src/scenario/schema.ts';
import { flatStep, stageSchema } from '../src/scenario/step-schemas.ts';
import { thresholdMetrics } from '../src/scenario/threshold-expression.ts';

/**
 * docs/scenario-reference.md is generated from the JSON Schema (test/generated-docs.test.ts keeps
 * the committed file current). This checks the generator against the zod schema directly: every
 * field has a row and words, every step kind a row naming each of its fields and saying what it
 * does, and no words are kept for a field the schema no longer has.
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

const reference = () => readFile(new URL('../docs/scenario-reference.md', import.meta.url), 'utf8');
const rowsOf = (text: string) => new Map(text.split('\n').filter((l) => l.startsWith('| `')).map((l) => [/^\| `([^`]+)`/.exec(l)![1], l]));

describe('scenario reference (docs/scenario-reference.md)', () => {
  it('has a row, with words, for every field of the schema', async () => {
    const rows = rowsOf(await reference());
    const paths = fieldPaths(scenarioSchema as unknown as $ZodType);
    expect(paths.length).toBeGreaterThan(25);
    expect(scenarioFields().map(([path]) => path)).toEqual(paths);
    const missing = paths.filter((path) => !rows.has(path));
    expect(missing, 'fields with no row in docs/scenario-reference.md').toEqual([]);
    const wordless = paths.filter((path) => fieldText[path] === undefined);
    expect(wordless, 'fields with no words in src/scenario/reference-text.ts').toEqual([]);
    const stale = Object.keys(fieldText).filter((path) => !paths.includes(path));
    expect(stale, 'words in src/scenario/reference-text.ts for fields the schema does not have').toEqual([]);
  });

  it('has a row for every timeline step kind, naming each of its fields and saying what it does', async () => {
    const rows = rowsOf((await reference()).split('## Timeline steps')[1]);
    const described = new Map(stepKinds().map((s) => [s.kind, s.description]));
    for (const option of def(flatStep as unknown as $ZodType).options ?? []) {
      const shape = def(unwrap(option)).shape ?? {};
      const kind = 'fault' in shape ? String(def(shape.fault).values?.[0]) : 'transfer';
      const fields = kind === 'transfer' ? Object.keys(def(unwrap(shape.transfer)).shape ?? {}) : Object.keys(shape).filter((k) => k !== 'at' && k !== 'fault');
      const row = rows.get(kind);
      expect(row, `no row for step ${kind}`).toBeDefined();
      expect(described.get(kind), `step ${kind} says nothing about what it does`).not.toBe('—');
      for (const field of fields) expect(row, `${kind}: field ${field} not named`).toContain(field === 'duration' || field === 'heal' ? '`duration`/`heal`' : `\`${field}\``);
    }
  });

  it('describes the stage fields and every threshold metric', async () => {
    const text = await reference();
    const stageRows = rowsOf(text.split('## Stage fields')[1].split('## ')[0]);
    for (const key of Object.keys(def(stageSchema as unknown as $ZodType).shape ?? {})) {
      expect(stageRows.has(key), `stage field ${key}`).toBe(true);
      expect(stageFieldText[key], `stage field ${key} has no words`).toBeDefined();
    }
    const metricRows = rowsOf(text.split('## Threshold metrics')[1]);
    for (const metric of Object.keys(thresholdMetrics)) {
      expect(metricRows.has(metric), `threshold metric ${metric}`).toBe(true);
      expect(thresholdText[metric as keyof typeof thresholdText]).toBeDefined();
    }
  });
});
