import type { $ZodIssue, $ZodType } from 'zod/v4/core';
import { durationBoundsOf, rangeText } from '../fields/field-schemas.ts';

/**
 * Turns zod issues into one plain sentence each: the field path, what was expected and what
 * was found. Positions are not known here; each problem says which YAML node to point at.
 */

/** Passed as the per-parse error map so zod's own wording can be told from a schema's message. */
export const DEFAULT_MESSAGE = '\u0000zod-default';

/** `key`: the mapping key (unknown fields); `value`: the value; `parent`: the enclosing mapping (missing fields). */
export type Anchor = 'key' | 'value' | 'parent';
export interface Problem { path: PropertyKey[]; message: string; anchor: Anchor }

/** Keys that say which kind a timeline step is, in order of precedence. */
const STEP_KINDS = ['fault', 'transfer'] as const;

// zod v4 keeps the definition on `_zod.def`; this is the part of it we read.
interface Def {
  type: string;
  innerType?: $ZodType; // default, optional, ...
  in?: $ZodType; // pipe (a transform)
  shape?: Record<string, $ZodType>;
  catchall?: $ZodType;
  options?: readonly $ZodType[];
  element?: $ZodType;
  valueType?: $ZodType;
  entries?: Record<string, unknown>; // enum
  values?: readonly unknown[]; // literal
  checks?: ReadonlyArray<{ _zod: { def: { check: string; value?: number; inclusive?: boolean; format?: string } } }>;
}
const def = (s: $ZodType): Def => s._zod.def as unknown as Def;
const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional']);

/** Strips defaults, optionals and pipes (keeping the input side: paths name the input). */
function unwrap(s: $ZodType): $ZodType {
  for (let next: $ZodType | undefined = s; next; next = def(s).type === 'pipe' ? def(s).in : inner(s)) s = next;
  return s;
}
const inner = (s: $ZodType) => (WRAPPERS.has(def(s).type) ? def(s).innerType : undefined);

/** Durations are told by identity: `eventInterval.default(500)` wraps a schema durationWithin made. */
function durationBounds(s: $ZodType) {
  for (let t: $ZodType | undefined = s; t; t = inner(t)) {
    const bounds = durationBoundsOf(t);
    if (bounds) return bounds;
  }
  return undefined;
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function child(value: unknown, seg: PropertyKey): unknown {
  if (Array.isArray(value) && typeof seg === 'number') return value[seg];
  return isMapping(value) ? value[String(seg)] : undefined;
}
const valueAt = (input: unknown, path: readonly PropertyKey[]) => path.reduce(child, input);

type Pick =
  | { kind: 'branch'; index: number }
  | { kind: 'unknown-kind'; key: string; allowed: unknown[] }
  | { kind: 'no-kind'; kinds: string[] }
  | { kind: 'not-mapping'; kinds: string[] };

/** Chooses a union-of-mappings branch by the step's kind key, so only that branch's issues are shown. */
function pickBranch(union: $ZodType, value: unknown): Pick | undefined {
  // a list or a mapping (the timeline): the one branch of the value's own type, if there is one
  const types = (def(union).options ?? []).map((o) => def(unwrap(o)).type);
  if (types.includes('array') && types.includes('object')) {
    const index = types.indexOf(Array.isArray(value) ? 'array' : isMapping(value) ? 'object' : '');
    return index < 0 ? undefined : { kind: 'branch', index };
  }
  const shapes = (def(union).options ?? []).map((o) => def(unwrap(o)).shape);
  if (shapes.length === 0 || shapes.some((sh) => !sh)) return undefined;
  const kinds = STEP_KINDS.filter((k) => shapes.some((sh) => sh && k in sh));
  if (!isMapping(value)) return { kind: 'not-mapping', kinds };
  const key = kinds.find((k) => k in value);
  if (key === undefined) return { kind: 'no-kind', kinds };
  const literal = (sh: Record<string, $ZodType>) => {
    const d = def(unwrap(sh[key]));
    return d.type === 'literal' ? (d.values ?? []) : undefined;
  };
  const candidates = shapes.flatMap((sh, index) => (sh && key in sh ? [{ sh, index }] : []));
  const match = candidates.find(({ sh }) => literal(sh)?.includes(value[key]) ?? true);
  if (match) return { kind: 'branch', index: match.index };
  return { kind: 'unknown-kind', key, allowed: candidates.flatMap(({ sh }) => literal(sh) ?? []) };
}

/** The schema itself, or for a union of mappings the branch `value` belongs to. */
function branchOf(s: $ZodType, value: unknown): $ZodType {
  const u = unwrap(s);
  const pick = def(u).type === 'union' ? pickBranch(u, value) : undefined;
  return pick?.kind === 'branch' ? unwrap(def(u).options![pick.index]) : u;
}

/** The schema that validates the value at `path` (branches of unions chosen as pickBranch does). */
function schemaAt(root: $ZodType, input: unknown, path: readonly PropertyKey[]): $ZodType | undefined {
  let s: $ZodType | undefined = root;
  let value = input;
  for (const seg of path) {
    if (!s) return undefined;
    const d = def(branchOf(s, value));
    if (d.type === 'object') s = d.shape?.[String(seg)] ?? d.catchall;
    else if (d.type === 'array') s = d.element;
    else if (d.type === 'record') s = d.valueType;
    else s = undefined;
    value = child(value, seg);
  }
  return s;
}

function describeNumber(d: Def): string {
  const checks = (d.checks ?? []).map((c) => c._zod.def);
  const kind = checks.some((c) => c.check === 'number_format' && c.format?.includes('int')) ? 'an integer' : 'a number';
  const lo = checks.find((c) => c.check === 'greater_than');
  const hi = checks.find((c) => c.check === 'less_than');
  if (lo?.inclusive && hi?.inclusive) return `${kind} between ${lo.value} and ${hi.value}`;
  const bounds = [lo && `${lo.inclusive ? '>=' : '>'} ${lo.value}`, hi && `${hi.inclusive ? '<=' : '<'} ${hi.value}`];
  return [kind, bounds.filter(Boolean).join(' and ')].filter(Boolean).join(' ');
}

/** What a schema accepts, in words. */
export function describe(s: $ZodType): string {
  const bounds = durationBounds(s);
  if (bounds) return `a duration like 250ms, 30s, 5m or +HH:MM:SS, ${rangeText(bounds)}`;
  const d = def(unwrap(s));
  switch (d.type) {
    case 'number': return describeNumber(d);
    case 'string': return 'a string';
    case 'boolean': return 'true or false';
    case 'enum': return `one of: ${Object.values(d.entries ?? {}).join(', ')}`;
    case 'literal': return (d.values ?? []).map(String).join(' or ');
    case 'object': case 'record': return 'a mapping';
    case 'array': return 'a list';
    case 'union': return (d.options ?? []).map(describe).join(' or ');
    default: return 'a valid value';
  }
}

/** The YAML-ish type name, as the user wrote it. */
export function typeName(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? 'mapping' : typeof v;
}

function preview(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}
/** `-3` when the type was right; `string "many"`, `list`, `null` when it was not. */
export const typed = (v: unknown) => (isMapping(v) || Array.isArray(v) || v == null ? typeName(v) : `${typeName(v)} ${preview(v)}`);
/** For values of a plausible type (a range or enum miss): the value alone. */
const shown = (v: unknown) => (typeof v === 'number' || typeof v === 'string' ? preview(v) : typed(v));

/** `fleet.devices`, `timeline[0].at`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((seg, i) => {
      if (typeof seg === 'number') return `[${seg}]`;
      const key = String(seg);
      if (!/^[A-Za-z_][\w-]*$/.test(key)) return `[${JSON.stringify(key)}]`;
      return i === 0 ? key : `.${key}`;
    })
    .join('');
}

/** Edits between two words, a swap of neighbours counting as one (`tpc` is one from `tcp`). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** A near miss worth suggesting (`devcies` → `devices`), or nothing; `udp` is not a typo of `tcp`. */
function closest(word: string, choices: readonly string[]): string | undefined {
  if (choices.length < 2) return undefined;
  const lower = word.toLowerCase();
  const limit = lower.length <= 4 ? 1 : 2;
  let best: { c: string; d: number } | undefined;
  for (const c of choices) {
    const d = editDistance(lower, c.toLowerCase());
    if (d <= limit && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}
const didYouMean = (word: string, choices: readonly string[], before = ', ', after = '') => {
  const c = closest(word, choices);
  return c === undefined ? '' : `${before}did you mean ${c}?${after}`;
};

/** One problem per offending thing (each unknown key gets its own line and position). */
export function explainIssues(root: $ZodType, input: unknown, issues: readonly $ZodIssue[]): Problem[] {
  // a sparse list (`list[999] = x` on a short one) is one problem, not one per empty slot
  const holes = new Map<string, { problem: Problem; first: number; last: number; count: number }>();
  const problems = issues.flatMap((issue) => {
    const hole = holeOf(input, issue.path);
    if (hole === undefined) return explain(root, input, issue);
    const key = JSON.stringify(hole.list);
    const seen = holes.get(key);
    if (seen) {
      seen.first = Math.min(seen.first, hole.index);
      seen.last = Math.max(seen.last, hole.index);
      seen.count++;
      return [];
    }
    const problem: Problem = { path: [...hole.list, hole.index], anchor: 'parent', message: '' };
    holes.set(key, { problem, first: hole.index, last: hole.index, count: 1 });
    return [problem];
  });
  for (const { problem, first, last, count } of holes.values()) {
    const at = (i: number) => formatPath([...problem.path.slice(0, -1), i]);
    problem.path = [...problem.path.slice(0, -1), first];
    problem.message = count === 1 ? `a list cannot have gaps: ${at(first)} is empty` : `a list cannot have gaps: ${count} entries from ${at(first)} to ${at(last)} are empty`;
  }
  return problems;
}

/** The list and index when `path` names an empty slot of a sparse list (not a null written there). */
function holeOf(input: unknown, path: readonly PropertyKey[]): { list: PropertyKey[]; index: number } | undefined {
  const index = path.at(-1);
  if (typeof index !== 'number') return undefined;
  const list = valueAt(input, path.slice(0, -1));
  return Array.isArray(list) && index < list.length && !(index in list) ? { list: path.slice(0, -1), index } : undefined;
}

function explain(root: $ZodType, input: unknown, issue: $ZodIssue): Problem[] {
  const path = issue.path;
  const value = valueAt(input, path);
  const schema = schemaAt(root, input, path);
  const expected = schema ? describe(schema) : 'a valid value';
  // A schema's own wording (e.g. 'a share is between 0 and 1') is kept next to ours.
  const note = issue.message && issue.message !== DEFAULT_MESSAGE ? ` (${issue.message})` : '';
  const at = (message: string, anchor: Anchor = 'value', where = path): Problem[] => [{ path: [...where], message, anchor }];

  if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && value === undefined) {
    return at(`missing, expected ${expected}`, 'parent');
  }
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = schema ? Object.keys(def(branchOf(schema, value)).shape ?? {}) : [];
      const list = known.length ? `expected one of: ${known.join(', ')}` : 'no fields are allowed here';
      return issue.keys.flatMap((key) => at(`unknown field${didYouMean(key, known)} (${list})`, 'key', [...path, key]));
    }
    case 'invalid_union': {
      const pick = schema ? pickBranch(unwrap(schema), value) : undefined;
      if (!pick) return at(`expected ${expected}, found ${typed(value)}`);
      const kinds = 'kinds' in pick ? pick.kinds.map((k) => `\`${k}\``).join(' or ') : '';
      if (pick.kind === 'not-mapping') return at(`expected a mapping with one of ${kinds}, found ${typed(value)}`);
      if (pick.kind === 'no-kind') {
        const keys = Object.keys(value as object);
        return at(`a step needs one of ${kinds}, found ${keys.length ? `only: ${keys.join(', ')}` : 'an empty mapping'}`);
      }
      if (pick.kind === 'unknown-kind') {
        const found = child(value, pick.key);
        const hint = didYouMean(String(found), pick.allowed.map(String), ' (', ')');
        return at(`expected one of: ${pick.allowed.join(', ')}, found ${shown(found)}${hint}`, 'value', [...path, pick.key]);
      }
      const branch = (issue.errors[pick.index] ?? []).map((inner) => ({ ...inner, path: [...path, ...inner.path] }) as $ZodIssue);
      return explainIssues(root, input, branch);
    }
    case 'invalid_type':
      if (issue.expected === 'int' && typeof value === 'number') return at(`expected an integer${note}, found ${preview(value)}`);
      return at(`expected ${expected}${note}, found ${typed(value)}`);
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = small ? issue.minimum : issue.maximum;
      const op = (small ? '>' : '<') + (issue.inclusive ? '=' : '');
      const kind = expected.startsWith('an integer') ? 'an integer' : 'a number';
      const what =
        issue.origin === 'string' && small && bound === 1 ? 'a non-empty string'
        : issue.origin === 'string' ? `a string of ${small ? 'at least' : 'at most'} ${bound} characters`
        : issue.origin === 'array' ? `a list of ${small ? 'at least' : 'at most'} ${bound} items`
        : `${kind} ${op} ${bound}`;
      return at(`expected ${what}${note}, found ${shown(value)}`);
    }
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      const list = allowed.length === 1 ? allowed[0] : `one of: ${allowed.join(', ')}`;
      return at(`expected ${list}${note}, found ${shown(value)}${didYouMean(String(value), allowed, ' (', ')')}`);
    }
    case 'invalid_format': {
      const what = issue.format === 'regex' ? `a string matching ${issue.pattern}` : `a valid ${issue.format}`;
      return at(`expected ${what}${note}, found ${shown(value)}`);
    }
    case 'not_multiple_of':
      return at(`expected a multiple of ${issue.divisor}${note}, found ${typed(value)}`);
    default:
      return at(issue.message === DEFAULT_MESSAGE ? `expected ${expected}, found ${typed(value)}` : issue.message);
  }
}
