import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Node as YamlNode, YAMLError } from 'yaml';
import { usageError } from '../errors.ts';
import { DEFAULT_MESSAGE, explainIssues, formatPath, typed, typeName } from './format-issues.ts';
import type { Anchor, Problem } from './format-issues.ts';
import type { FaultKinds } from '../faults/fault-kind.ts';
import { faultKinds } from '../faults/fault-kinds.ts';
import { scenarioSchema, scenarioSchemaFor } from './schema.ts';
import type { Scenario } from './schema.ts';

/**
 * Reading scenario files (docs/architecture.md, the scenario layer): YAML → plain object → zod.
 * Every error is a CrosswireError (exit 2) listing all problems, one per line, as
 * `file:line:col: path: text`.
 */

/** A value set from outside the file (a flag), applied before validation: flags beat the file. */
export interface Override {
  path: string[];
  value: unknown;
  /** How messages name it, e.g. `flag --devices`. */
  origin: string;
}

export interface LoadedScenario {
  scenario: Scenario;
  file: string | undefined;
  source: string;
}

const plural = (n: number) => `${n} problem${n === 1 ? '' : 's'}`;

function fail(code: string, subject: string, lines: string[]): never {
  throw usageError(code, [`invalid scenario ${subject} (${plural(lines.length)}):`, ...lines].join('\n'));
}

/** Reads, parses and validates. Throws CrosswireError (exit 2) naming file:line:col, the field path and expected vs found. */
export async function loadScenarioFile(file: string, overrides: readonly Override[] = []): Promise<LoadedScenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const full = resolve(file) === file ? '' : ` (looked for ${resolve(file)})`;
      throw usageError('SCENARIO_NOT_FOUND', `scenario file ${file} does not exist${full}`);
    }
    const why =
      code === 'EISDIR' ? 'it is a directory, not a file'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
      : (error as Error).message;
    throw usageError('SCENARIO_UNREADABLE', `cannot read scenario file ${file}: ${why}`);
  }
  return parseScenarioText(text, file, overrides);
}

/** Same for YAML text already in memory (file is used only in messages). */
export function parseScenarioText(text: string, file: string, overrides: readonly Override[] = []): LoadedScenario {
  const lines = new LineCounter();
  // logLevel 'error': yaml would otherwise print warnings (e.g. about mapping keys) to stderr.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const where = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) fail('SCENARIO_YAML', file, doc.errors.map((e) => `${where(e.pos[0])}: ${yamlMessage(doc, e, where)}`));
  if (doc.contents === null) {
    fail('SCENARIO_INVALID', file, [`${where(0)}: the file is empty; a scenario is a mapping of fields (write {} for every default)`]);
  }
  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // toJS throws (rather than reporting) for an alias to a missing anchor or an alias bomb.
    fail('SCENARIO_YAML', file, [`${where(unresolvedAlias(doc) ?? 0)}: ${(error as Error).message}`]);
  }
  if (typeName(input) !== 'mapping') {
    fail('SCENARIO_INVALID', file, [`${where(doc.contents.range[0])}: expected a mapping of scenario fields at the top level, found ${typed(input)}`]);
  }
  const misplaced = overrides.flatMap((override) => {
    const problem = setPath(input as Record<string, unknown>, override.path, override.value);
    return problem === undefined ? [] : [`${override.origin}: ${problem}`];
  });
  if (misplaced.length > 0) fail('SCENARIO_INVALID', file, misplaced);
  const result = scenarioSchema.safeParse(input, { error: () => DEFAULT_MESSAGE });
  if (result.success) return { scenario: result.data, file, source: text };

  const problems = explainIssues(scenarioSchema, input, result.error.issues);
  // a problem in a field a flag set is the flag's, not the file's: name the flag, first
  const fromFlags = problems.flatMap((p) => {
    const override = overrides.find((o) => o.path.every((key, i) => String(p.path[i]) === key));
    return override ? [`${override.origin}: ${line(p)}`] : [];
  });
  const located = problems
    .filter((p) => !overrides.some((o) => o.path.every((key, i) => String(p.path[i]) === key)))
    .map((p) => ({ offset: locate(doc, p.path, p.anchor), p }))
    .sort((a, b) => a.offset - b.offset);
  fail('SCENARIO_INVALID', file, unique([...fromFlags, ...located.map(({ offset, p }) => `${where(offset)}: ${line(p)}`)]));
}

const isIndex = (key: string) => /^\d+$/.test(key);

/**
 * Sets a field by path; a numeric key indexes into a list (`timeline.0.at`), a missing list is
 * made for it. An index may name an entry or the next one after the last, never leave a gap:
 * `timeline.999` on a list of 3 would otherwise make 996 empty steps. Returns the problem, if any.
 */
function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): string | undefined {
  let node: Record<string, unknown> | unknown[] = target;
  for (const [depth, key] of path.entries()) {
    const where = formatPath(path.slice(0, depth + 1).map((k) => (isIndex(k) ? Number(k) : k)));
    if (Array.isArray(node)) {
      const list = formatPath(path.slice(0, depth).map((k) => (isIndex(k) ? Number(k) : k)));
      if (!isIndex(key)) return `${where}: ${list} is a list: expected an index from 0 to ${node.length}, found ${JSON.stringify(key)}`;
      if (Number(key) > node.length) {
        const has = node.length === 0 ? `${list} is empty` : `${list} has ${node.length} ${node.length === 1 ? 'entry' : 'entries'} (${list}[0] … ${list}[${node.length - 1}])`;
        return `${where}: index past the end: ${has}; an index may be at most ${node.length}, which adds one at the end`;
      }
    }
    const slots = node as Record<string, unknown>;
    if (depth === path.length - 1) {
      slots[key] = value;
      return undefined;
    }
    const child = slots[key];
    if (typeof child !== 'object' || child === null) slots[key] = isIndex(path[depth + 1]) ? [] : {};
    node = slots[key] as Record<string, unknown> | unknown[];
  }
  return undefined;
}

/**
 * Validates a plain object (no positions), e.g. the built-in default or an object after CLI
 * overrides. `kinds`: the fault kinds its timeline may name.
 */
export function validateScenarioObject(input: unknown, origin: string, kinds: FaultKinds = faultKinds): Scenario {
  if (typeName(input) !== 'mapping') fail('SCENARIO_INVALID', `from ${origin}`, [`${origin}: expected a mapping of scenario fields, found ${typed(input)}`]);
  const schema = scenarioSchemaFor(kinds);
  const result = schema.safeParse(input, { error: () => DEFAULT_MESSAGE });
  if (result.success) return result.data;
  const problems = explainIssues(schema, input, result.error.issues);
  fail('SCENARIO_INVALID', `from ${origin}`, unique(problems.map((p) => `${origin}: ${line(p)}`)));
}

const line = (p: Problem) => (p.path.length ? `${formatPath(p.path)}: ${p.message}` : p.message);
const unique = (xs: string[]) => [...new Set(xs)];

function yamlMessage(doc: Document, error: YAMLError, where: (offset: number) => string): string {
  if (error.code === 'MULTIPLE_DOCS') {
    return 'a scenario file holds one YAML document, but a second one starts here (remove the --- line or split the file)';
  }
  if (error.code === 'DUPLICATE_KEY') {
    const dup = findKey(doc.contents, error.pos[0], []);
    if (dup) return `${formatPath(dup.path)}: duplicate key (first set at ${where(dup.first)})`;
  }
  return error.message;
}

/** The path of the duplicate key starting at `offset`, and where its first occurrence starts. */
function findKey(node: unknown, offset: number, path: PropertyKey[]): { path: PropertyKey[]; first: number } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key : undefined;
      if (key?.range?.[0] === offset) {
        const first = node.items.find((p) => isScalar(p.key) && p.key.value === key.value)!;
        return { path: [...path, String(key.value)], first: (first.key as YamlNode).range?.[0] ?? offset };
      }
      const found = findKey(pair.value, offset, [...path, String(key?.value)]);
      if (found) return found;
    }
  }
  if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const found = findKey(item, offset, [...path, i]);
      if (found) return found;
    }
  }
  return undefined;
}

function unresolvedAlias(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, alias) {
      if (!alias.resolve(doc)) {
        offset = alias.range?.[0];
        return visit.BREAK;
      }
    },
  });
  return offset;
}

/**
 * The source offset to report for a problem: the key for unknown fields, the enclosing mapping
 * for missing ones, otherwise the value (or its key when the value is empty, as in `fleet:`).
 * When the path leaves the file (a default), the deepest node that exists.
 */
function locate(doc: Document, path: readonly PropertyKey[], anchor: Anchor): number {
  const steps = anchor === 'value' ? path : path.slice(0, -1);
  let node = doc.contents as unknown;
  let best = doc.contents?.range?.[0] ?? 0;
  for (const seg of steps) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return best;
      const key = (pair.key as YamlNode).range?.[0] ?? best;
      const empty = pair.value === null || (isScalar(pair.value) && pair.value.source === '');
      best = empty ? key : ((pair.value as YamlNode).range?.[0] ?? key);
      next = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
      next = node.items[seg];
      best = (next as YamlNode).range?.[0] ?? best;
    } else {
      return best;
    }
    node = next;
  }
  if (anchor === 'key') {
    if (isAlias(node)) node = node.resolve(doc);
    const key = isMap(node) ? node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(path.at(-1))) : undefined;
    return (key?.key as YamlNode | undefined)?.range?.[0] ?? best;
  }
  return best;
}
