import { readdir, realpath, rm, rmdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { usageError } from '../errors.ts';
import { RUN_FILES } from './run-store.ts';

/**
 * Retention: which stored runs and gate directories may go, and removing them. Only what
 * crosswire wrote is ever a candidate: a directory named as a run (`<root>/<scenario>/<utc-time>-seed<N>`)
 * or a gate (`<root>/gate/<utc-time>`) that holds the files a finished one holds. One without
 * them is in progress (or was killed before it finished) and is left alone, as is anything
 * else under the root, the directories `latest` points at, and whatever the caller protects
 * (the run just written).
 */

/** The cap applied after each run in the default output directory. */
export const DEFAULT_KEEP_RUNS = 50;

export type StoredKind = 'run' | 'gate';

export interface StoredEntry {
  kind: StoredKind;
  dir: string;
  startedAt: Date;
  bytes: number;
  /** It holds what a finished run (or gate) holds; only finished entries are ever removed. */
  finished: boolean;
}

export interface PrunePolicy {
  /** Keep the newest N finished runs, and the newest N finished gate directories. */
  keep?: number;
  /** Remove what started longer ago than this (ms). With `keep` too, an entry goes only when both say so. */
  olderThanMs?: number;
  /** Never removed, whatever the policy (the run just written). */
  protect?: readonly string[];
  dryRun?: boolean;
  now?: Date;
}

export interface PruneResult {
  removed: StoredEntry[];
  kept: StoredEntry[];
  /** Named like a run or gate directory, but not finished: never removed. */
  unfinished: StoredEntry[];
  freedBytes: number;
  dryRun: boolean;
}

const STAMP = '(\\d{4}-\\d{2}-\\d{2}T\\d{6}Z)';
const RUN_NAME = new RegExp(`^${STAMP}-seed\\d+$`);
const GATE_NAME = new RegExp(`^${STAMP}$`);
const GATE_DIR = 'gate';

const dateOf = (stamp: string) => new Date(stamp.replace(/T(\d{2})(\d{2})(\d{2})Z/, 'T$1:$2:$3Z'));
const isFile = (path: string) => stat(path).then((s) => s.isFile(), () => false);

/** A run finished (or could not start) once it has its summary or error beside its resolved scenario. */
async function runFinished(dir: string): Promise<boolean> {
  if (!(await isFile(join(dir, RUN_FILES.resolvedScenario)))) return false;
  return (await isFile(join(dir, RUN_FILES.summary))) || (await isFile(join(dir, RUN_FILES.error)));
}

/** A gate finished once it wrote gate.json. */
const gateFinished = (dir: string) => isFile(join(dir, 'gate.json'));

/** Every run and gate directory under `root`, oldest first. */
export async function listStored(root: string): Promise<StoredEntry[]> {
  const out: StoredEntry[] = [];
  const add = async (kind: StoredKind, dir: string, stamp: string) => {
    const finished = kind === 'run' ? await runFinished(dir) : await gateFinished(dir);
    out.push({ kind, dir, startedAt: dateOf(stamp), bytes: await sizeOf(dir), finished });
  };
  for (const top of await subdirectories(root)) {
    for (const name of await subdirectories(join(root, top))) {
      const match = (top === GATE_DIR ? GATE_NAME : RUN_NAME).exec(name);
      if (match) await add(top === GATE_DIR ? 'gate' : 'run', join(root, top, name), match[1]);
    }
  }
  return out.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.dir.localeCompare(b.dir));
}

/** Applies the policy under `root`; with `dryRun`, says what it would remove and removes nothing. */
export async function pruneRuns(root: string, policy: PrunePolicy): Promise<PruneResult> {
  if (policy.keep === undefined && policy.olderThanMs === undefined) throw usageError('PRUNE_NO_POLICY', 'prune: give --keep N, --older-than AGE, or both');
  const isDir = await stat(root).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw usageError('RUN_ROOT_NOT_FOUND', `${root}: no such directory of runs`);
  const now = policy.now ?? new Date();
  const protect = new Set<string>();
  for (const dir of [...(policy.protect ?? []), join(root, 'latest'), join(root, GATE_DIR, 'latest')]) {
    protect.add(await realpath(dir).catch(() => resolve(dir)));
  }
  const entries = await listStored(root);
  const result: PruneResult = { removed: [], kept: [], unfinished: [], freedBytes: 0, dryRun: policy.dryRun === true };
  for (const kind of ['run', 'gate'] as const) {
    const finished = entries.filter((e) => e.kind === kind && e.finished);
    const newestFirst = [...finished].reverse();
    for (const [rank, entry] of newestFirst.entries()) {
      const beyondCount = policy.keep === undefined || rank >= policy.keep;
      const tooOld = policy.olderThanMs === undefined || now.getTime() - entry.startedAt.getTime() > policy.olderThanMs;
      const real = await realpath(entry.dir).catch(() => entry.dir);
      if (beyondCount && tooOld && !protect.has(real)) result.removed.push(entry);
      else result.kept.push(entry);
    }
  }
  result.unfinished = entries.filter((e) => !e.finished);
  const candidates = result.removed.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  result.removed = [];
  for (const entry of candidates) {
    if (!result.dryRun) {
      // checked again just before: a directory that no longer looks finished is not touched
      if (!(entry.kind === 'run' ? await runFinished(entry.dir) : await gateFinished(entry.dir))) continue;
      await rm(entry.dir, { recursive: true, force: true });
      // a scenario directory left empty goes too; one with anything in it stays
      if (entry.kind === 'run') await rmdir(join(entry.dir, '..')).catch(() => undefined);
    }
    result.removed.push(entry);
    result.freedBytes += entry.bytes;
  }
  return result;
}

async function subdirectories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

/** Bytes of the files under `dir`, symbolic links not followed. */
async function sizeOf(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) bytes += await sizeOf(path);
    else if (entry.isFile()) bytes += (await stat(path).catch(() => ({ size: 0 }))).size;
  }
  return bytes;
}
