import type { $ZodType } from 'zod/v4/core';
import type { Lasting } from '../faults/fault-kind.ts';
import { faultKinds } from '../faults/fault-kinds.ts';
import { boundText } from '../fields/field-schemas.ts';
import { scenarioJsonSchema } from './json-schema.ts';
import { formatByteSize } from './limits-schema.ts';
import { fieldText, stageFieldText, thresholdText } from './reference-text.ts';
import { scenarioSchema } from './schema.ts';
import { flatStep } from './step-schemas.ts';
import { thresholdMetrics, type ThresholdMetric } from './threshold-expression.ts';

/**
 * docs/scenario-reference.md, generated: every field of the scenario format with its default,
 * type and bounds, and every timeline step kind. Types, bounds, step kinds and their fields come
 * from the JSON Schema `crosswire schema` prints; defaults from parsing `{}` (what a run gets);
 * the sentences from reference-text.ts, or from a step schema's own `description`. Regenerate
 * with `npm run docs`; a test fails when the committed file differs.
 */

/** The slice of JSON Schema the generator reads. */
interface Json {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  default?: unknown;
  properties?: Record<string, Json>;
  required?: string[];
  additionalProperties?: Json | boolean;
  items?: Json;
  anyOf?: Json[];
}

export const regenerateDocsCommand = 'npm run docs';

const number = (n: number) => n.toLocaleString('en-US');
// every cell is in a table, where a pipe must be escaped even inside a code span
const code = (text: string) => `\`${text.replace(/\|/g, '\\|')}\``;
const isDuration = (j: Json) => j.description?.startsWith('a duration') === true || j.description?.includes(': a duration (') === true;
const isSize = (j: Json) => j.description?.startsWith('a size') === true || j.description?.includes(': a size (') === true;
const isRange = (j: Json) => Object.keys(j.properties ?? {}).join() === 'min,max';

/** A field is a leaf unless it is a section with fields of its own (a `{min, max}` range is a leaf). */
function isSection(j: Json): boolean {
  return j.type === 'object' && j.properties !== undefined && Object.keys(j.properties).length > 0 && !isRange(j);
}

/** Every field as [dotted path, schema], in the schema's order. */
export function scenarioFields(schema: Json = scenarioJsonSchema() as Json, prefix = ''): Array<[string, Json]> {
  return Object.entries(schema.properties ?? {}).flatMap(([key, child]): Array<[string, Json]> =>
    isSection(child) ? scenarioFields(child, `${prefix}${key}.`) : [[`${prefix}${key}`, child]],
  );
}

/** Type and bounds in words: `duration, 10ms … 24h`, `integer 1 … 500,000`, `` `a` \| `b` ``. */
function typeText(j: Json): string {
  if (isDuration(j)) return `duration, ${boundText(j.minimum ?? 0)} … ${boundText(j.maximum ?? 0)}`;
  if (isSize(j)) return `size (\`512MiB\`, \`2GiB\`, \`10GB\`, or bytes), ${formatByteSize(j.minimum ?? 0)} … ${formatByteSize(j.maximum ?? 0)}`;
  if (j.enum) return j.enum.map((v) => code(String(v))).join(' \\| ');
  if (j.type === 'boolean') return '`true` \\| `false`';
  if (j.type === 'integer') return `integer ${number(j.minimum ?? 0)} … ${number(j.maximum ?? Infinity)}`;
  if (j.type === 'number') return j.minimum === 0 && j.maximum === 1 ? 'share 0 … 1' : `number ${number(j.minimum ?? 0)} … ${number(j.maximum ?? Infinity)}`;
  if (j.type === 'string') {
    const length = j.maxLength !== undefined ? `, ${j.minLength ?? 1} … ${j.maxLength} characters` : '';
    return j.pattern !== undefined ? `text matching ${code(j.pattern)}${length}` : `text${length}`;
  }
  if (isRange(j)) {
    const bound = j.properties!.min;
    return `\`{ min, max }\`, integers ${number(bound.minimum ?? 0)} … ${number(bound.maximum ?? 0)}, min ≤ max`;
  }
  if (j.anyOf && j.anyOf.length === 2 && j.anyOf[0].type === 'array') {
    const stages = j.anyOf[1].properties?.stages;
    return `list of at most ${number(j.anyOf[0].maxItems ?? 0)} steps, or \`{ stages: [...] }\` with at most ${stages?.maxItems ?? 0} stages`;
  }
  if (j.type === 'object' && typeof j.additionalProperties === 'object' && j.additionalProperties.type === 'array') return 'mapping: name → list of text';
  if (j.type === 'object') return 'mapping';
  if (j.type === 'array') return `list of ${j.minItems ?? 0} … ${j.maxItems ?? '∞'}`;
  throw new Error(`scenario reference: no words for the type of ${JSON.stringify(j)}`);
}

/** A default as a scenario file would write it. */
function valueText(value: unknown, j: Json): string {
  if (value === undefined) return '—';
  if (typeof value === 'number' && isDuration(j)) return code(boundText(value));
  if (typeof value === 'number' && isSize(j)) return code(formatByteSize(value).replace(' ', ''));
  if (Array.isArray(value)) return code(`[${value.join(', ')}]`);
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    return code(entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${k}: ${v}`).join(', ')} }`);
  }
  return code(String(value));
}

function at(object: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, key) => (o as Record<string, unknown> | undefined)?.[key], object);
}

function fieldTable(): string[] {
  const defaults = scenarioSchema.parse({});
  const rows = scenarioFields().map(([path, j]) => `| ${code(path)} | ${valueText(at(defaults, path), j)} | ${typeText(j)} | ${fieldText[path] ?? '—'} |`);
  return ['| field | default | type / bounds | what it is |', '|---|---|---|---|', ...rows];
}

/** A step schema's default values, which the JSON Schema leaves out for durations. */
function zodDefaults(kind: string): Record<string, unknown> {
  const options = (flatStep as unknown as $ZodType)._zod.def as unknown as { options: $ZodType[] };
  for (const option of options.options) {
    const shape = (option._zod.def as unknown as { shape: Record<string, $ZodType> }).shape;
    const literal = shape.fault?._zod.def as unknown as { values?: unknown[] } | undefined;
    if ((literal?.values?.[0] ?? 'transfer') !== kind) continue;
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape)) {
      const def = field._zod.def as unknown as { type: string; defaultValue?: unknown };
      if (def.type === 'default') out[key] = def.defaultValue;
    }
    return out;
  }
  return {};
}

const windowText: Record<Lasting, string> = {
  window: '`duration`/`heal` (one of them; > 0)',
  'window-or-zero': '`duration`/`heal` (one of them; 0: all at once)',
  'instant-ok': '`duration`/`heal` (default 0)',
  instant: '',
};

/** `latency` (required; duration, 0 … 1h): one step field in words. */
function stepFieldText(name: string, j: Json, required: boolean, fallback: unknown): string {
  const given = required ? 'required' : fallback !== undefined ? `default ${valueText(fallback, j)}` : 'optional';
  const items = j.type === 'array' ? `list of ${j.minItems} … ${number(j.maxItems ?? 0)} account ids` : typeText(j);
  return `${code(name)} (${given}; ${items})`;
}

export interface StepKind {
  kind: string;
  fields: string;
  description: string;
}

/** The timeline step kinds, each with its fields and what it does. */
export function stepKinds(schema: Json = scenarioJsonSchema() as Json): StepKind[] {
  const variants = schema.properties?.timeline?.anyOf?.[0]?.items?.anyOf ?? [];
  return variants.map((variant) => {
    const props = variant.properties ?? {};
    const kind = props.fault !== undefined ? String(props.fault.const) : 'transfer';
    const defaults = zodDefaults(kind);
    const fields: string[] = [];
    if (kind === 'transfer') {
      const transfer = props.transfer;
      for (const [name, j] of Object.entries(transfer.properties ?? {})) fields.push(stepFieldText(name, j, transfer.required?.includes(name) ?? false, undefined));
    } else {
      for (const [name, j] of Object.entries(props)) {
        if (['at', 'fault', 'duration', 'heal'].includes(name)) continue;
        fields.push(stepFieldText(name, j, variant.required?.includes(name) ?? false, defaults[name]));
      }
      const lasting = faultKinds.get(kind)?.lasting;
      const window = lasting === undefined ? '' : windowText[lasting];
      if (window !== '') fields.push(window);
    }
    return { kind, fields: fields.join(', ') || '—', description: variant.description ?? '—' };
  });
}

function stepTable(): string[] {
  return ['| step | fields | what it does |', '|---|---|---|', ...stepKinds().map((s) => `| ${code(s.kind)} | ${s.fields} | ${s.description} |`)];
}

function stageTable(): string[] {
  const stage = (scenarioJsonSchema() as Json).properties?.timeline?.anyOf?.[1]?.properties?.stages?.items ?? {};
  const rows = Object.entries(stage.properties ?? {}).map(([name, j]) => {
    const type = j.type === 'array' ? `list of ${j.minItems} … ${number(j.maxItems ?? 0)} steps` : typeText(j);
    const given = stage.required?.includes(name) ? 'required' : name === 'gap' ? '`0`' : '—';
    return `| ${code(name)} | ${given} | ${type} | ${stageFieldText[name] ?? '—'} |`;
  });
  return ['| field | default | type / bounds | what it is |', '|---|---|---|---|', ...rows];
}

function thresholdTable(): string[] {
  const rows = (Object.keys(thresholdMetrics) as ThresholdMetric[]).map((m) => `| ${code(m)} | ${thresholdMetrics[m]} | ${thresholdText[m] ?? '—'} |`);
  return ['| metric | kind | what |', '|---|---|---|', ...rows];
}

export function scenarioReferenceMarkdown(): string {
  return [
    `<!-- Generated from the scenario schema (src/scenario/) by \`${regenerateDocsCommand}\`; do not edit by hand. -->`,
    '',
    '# Scenario reference',
    '',
    'Every field of the scenario format, every timeline step and every threshold metric. How to write',
    'a scenario, with examples: [Scenarios](scenarios.md). The same format as JSON Schema, for editors:',
    '`crosswire schema` (committed as `scenarios/scenario.schema.json`).',
    '',
    'YAML; every field has a default, so `{}` is the built-in reconnect storm; unknown fields are errors.',
    'Durations are strings — `250ms`, `30s`, `5m`, `2h`, `1.5s`, or a clock offset `+HH:MM:SS` / `+MM:SS` —',
    'or a bare number of milliseconds. All durations are **scenario time** unless marked **wall clock**.',
    'A value outside a field\'s bounds is an input error naming the field and the range (exit 2).',
    '',
    '## Fields',
    '',
    ...fieldTable(),
    '',
    '## Timeline steps',
    '',
    'Every step has `at` (a duration: when it starts; in a stage, from the stage\'s start, default `0`).',
    'A fault step names its kind in `fault` and lasts until it heals: give `duration`, or `heal` — when',
    'it heals, on the same scale as `at`. A transfer step has `transfer` instead.',
    '',
    ...stepTable(),
    '',
    '## Stage fields',
    '',
    'Instead of a list of steps, `timeline` may be `{ stages: [...] }`; stages run one after another.',
    '',
    ...stageTable(),
    '',
    '## Threshold metrics',
    '',
    'Each `thresholds` entry maps a metric to a list of expressions: an aggregation, a comparison',
    '(`<`, `<=`, `>`, `>=`, `==`, `!=`) and a number. A trend takes `avg`, `min`, `max`, `med` or `p(N)`;',
    'a rate takes `rate`; a counter takes `count`.',
    '',
    ...thresholdTable(),
    '',
  ].join('\n');
}
