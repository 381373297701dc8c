import { mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { usageError } from '../errors.ts';
import { summarySchema } from '../report/summary-schema.ts';
import type { RunSummary } from '../report/summary.ts';
import { writeReports } from '../report/write-reports.ts';
import { directoryNameFor } from './directory-name.ts';
import { VIOLATION_FILES } from './violation-files.ts';

/**
 * The run store: where runs live on disk and everything that reads or writes them. A run is
 * `<root>/<scenario>/<utc-time>-seed<N>/` (`<scenario>`: the name made safe for a path), with
 * `<root>/latest` pointing at the newest. Made when the run starts; never deleted by a run.
 */
export const RUN_FILES = {
  resolvedScenario: 'scenario.resolved.yaml',
  /** Written gzip-compressed as the run goes. */
  history: 'history.ndjson.gz',
  /** Where runs before compression wrote their history, plain; still read. */
  plainHistory: 'history.ndjson',
  summary: 'summary.json',
  /** Every violation, one JSON object a line, each with its blame (summary.json keeps the first 200). */
  violations: VIOLATION_FILES.violations,
  /** One row per account that received foreign media: devices seen, media received, tapped, first and last time. */
  affectedAccounts: VIOLATION_FILES.affectedAccounts,
  /** Why a run directory holds no verdict (the run could not start). */
  error: 'error.json',
} as const;

/** A run directory from its summary. */
export function runDirectoryFor(root: string, summary: RunSummary): string {
  const shards = summary.shards;
  const part = shards === undefined ? undefined : shards.merged !== undefined ? `merged${shards.count}` : shards.shard;
  return runDirectoryPath(root, summary.scenario.name, summary.scenario.seed, new Date(summary.startedAt), part);
}

/**
 * The same path before the run has a summary: the run writes its history there as it goes.
 * `part`: a shard ("i/N" → `-shard<i>of<N>`: the shards of a run share an output directory and
 * start in the same second) or a merge (`-merged<N>`).
 */
export function runDirectoryPath(root: string, scenario: string, seed: number, startedAt: Date, part?: string): string {
  const stamp = startedAt.toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  const suffix = part === undefined ? '' : part.includes('/') ? `-shard${part.replace('/', 'of')}` : `-${part}`;
  return resolve(root, directoryNameFor(scenario), `${stamp}-seed${seed}${suffix}`);
}

/** Makes the run's directory, with its resolved scenario, before anything runs. */
export async function createRunDirectory(root: string, scenario: string, seed: number, startedAt: Date, resolvedYaml: string, part?: string): Promise<string> {
  const dir = runDirectoryPath(root, scenario, seed, startedAt, part);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, RUN_FILES.resolvedScenario), resolvedYaml);
  return dir;
}

/** summary.json, the reports rendered from it, and `latest` pointing here. */
export async function writeRunDirectory(root: string, summary: RunSummary): Promise<string> {
  const dir = runDirectoryFor(root, summary);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, RUN_FILES.summary), JSON.stringify(summary, null, 2) + '\n');
  await writeReports(dir, summary);
  const latest = resolve(root, 'latest');
  try {
    await rm(latest, { force: true });
    await symlink(relative(resolve(root), dir), latest);
  } catch {
    // a file system without symlinks still gets the run directory itself
  }
  return dir;
}

/** error.json: why the run in `dir` could not start. */
export async function writeRunError(dir: string, error: { code: string; exitCode: number; message: string }): Promise<void> {
  await writeFile(join(dir, RUN_FILES.error), JSON.stringify(error, null, 2) + '\n');
}

const MAX_ISSUES = 10;

/** A run directory's summary.json, checked against the summary schema; exit 2 naming the file if it is not one. */
export async function readRunSummary(dir: string): Promise<RunSummary> {
  await requireRunDirectory(dir);
  const file = join(dir, RUN_FILES.summary);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw usageError('SUMMARY_NOT_FOUND', `${file}: not found (a run directory holds the summary.json that \`crosswire run\` wrote)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw usageError('SUMMARY_INVALID', `${file}: not JSON (${(error as Error).message})`);
  }
  const checked = summarySchema.safeParse(raw);
  if (!checked.success) {
    const issues = checked.error.issues.slice(0, MAX_ISSUES).map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    const more = checked.error.issues.length > MAX_ISSUES ? [`  … and ${checked.error.issues.length - MAX_ISSUES} more`] : [];
    throw usageError('SUMMARY_INVALID', `${file}: not a crosswire run summary:\n${[...issues, ...more].join('\n')}`);
  }
  // the document itself: fields newer than this schema are kept, not stripped
  return raw as RunSummary;
}

/**
 * The run's history file: history.ndjson.gz, or history.ndjson from a run that predates
 * compression. Exit 2 when there is neither, or both (which one the verdict stands on would be
 * a guess).
 */
export async function findHistory(dir: string): Promise<string> {
  await requireRunDirectory(dir);
  const exists = (name: string) => stat(join(dir, name)).then((s) => s.isFile(), () => false);
  const [gz, plain] = await Promise.all([exists(RUN_FILES.history), exists(RUN_FILES.plainHistory)]);
  if (gz && plain) {
    throw usageError('HISTORY_AMBIGUOUS', `${dir}: holds both ${RUN_FILES.history} and ${RUN_FILES.plainHistory}; remove the one that is not the run's history`);
  }
  if (!gz && !plain) throw usageError('HISTORY_NOT_FOUND', `${join(dir, RUN_FILES.history)}: not found (nor ${RUN_FILES.plainHistory}, as runs before compression wrote it)`);
  return join(dir, gz ? RUN_FILES.history : RUN_FILES.plainHistory);
}

/** Exit 2 unless `dir` is a directory. */
export async function requireRunDirectory(dir: string): Promise<void> {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw usageError('RUN_DIR_NOT_FOUND', `${dir}: no such run directory`);
}

export interface StoredRun {
  dir: string;
  scenario: string;
  startedAt: Date;
  bytes: number;
}

const RUN_NAME = /^(\d{4}-\d{2}-\d{2}T\d{6}Z)-seed\d+(?:-shard\d+of\d+|-merged\d+)?$/;

/** Every run directory under `root`, oldest first (gate directories and `latest` are not runs). */
export async function listRuns(root: string): Promise<StoredRun[]> {
  const out: StoredRun[] = [];
  const scenarios = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const scenario of scenarios) {
    if (!scenario.isDirectory() || scenario.name === 'gate') continue;
    const runs = await readdir(join(root, scenario.name), { withFileTypes: true }).catch(() => []);
    for (const run of runs) {
      const match = run.isDirectory() ? RUN_NAME.exec(run.name) : null;
      if (!match) continue;
      const dir = join(root, scenario.name, run.name);
      const stamp = match[1].replace(/T(\d{2})(\d{2})(\d{2})Z/, 'T$1:$2:$3Z');
      out.push({ dir, scenario: scenario.name, startedAt: new Date(stamp), bytes: await sizeOf(dir) });
    }
  }
  return out.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.dir.localeCompare(b.dir));
}

async function sizeOf(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isFile()) bytes += (await stat(join(dir, entry.name)).catch(() => ({ size: 0 }))).size;
  }
  return bytes;
}
