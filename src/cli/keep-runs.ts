import { resolve } from 'node:path';
import type { ChalkInstance } from 'chalk';
import { usageError } from '../errors.ts';
import { formatByteSize } from '../scenario/limits-schema.ts';
import { DEFAULT_KEEP_RUNS, pruneRuns } from '../store/run-retention.ts';

/**
 * The cap on stored runs applied after `run`, `replay` and `gate`: `--keep-runs`, else
 * CROSSWIRE_KEEP_RUNS, else the newest 50 in the default output directory (`reports`) and no
 * cap elsewhere (a directory given with --out-dir may be an archive). `off` turns it off.
 */
export const KEEP_RUNS_ENV = 'CROSSWIRE_KEEP_RUNS';
const DEFAULT_OUT_DIR = 'reports';

/** `off` or a whole number from 1; undefined when it is neither. */
export function parseKeepRuns(text: string): number | 'off' | undefined {
  const t = text.trim();
  if (t === 'off') return 'off';
  if (!/^\d+$/.test(t) || Number(t) < 1 || !Number.isSafeInteger(Number(t))) return undefined;
  return Number(t);
}

/** The cap for this output directory; a bad CROSSWIRE_KEEP_RUNS is exit 2, before anything runs. */
export function keepRunsFor(flag: number | 'off' | undefined, outDir: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  let keep = flag;
  const raw = env[KEEP_RUNS_ENV];
  if (keep === undefined && raw !== undefined && raw !== '') {
    keep = parseKeepRuns(raw);
    if (keep === undefined) throw usageError('BAD_KEEP_RUNS', `environment variable ${KEEP_RUNS_ENV}=${JSON.stringify(raw)}: expected a whole number of runs to keep (1 or more) or off`);
  }
  if (keep === undefined) return resolve(outDir) === resolve(DEFAULT_OUT_DIR) ? DEFAULT_KEEP_RUNS : undefined;
  return keep === 'off' ? undefined : keep;
}

/**
 * Applies the cap after a run, never touching `justWritten` (nor `alsoKeep`). It never changes
 * the run's exit code: a cap that cannot be applied is a warning.
 */
export async function applyKeepRuns(outDir: string, keep: number | undefined, justWritten: string, err: ChalkInstance, quiet: boolean, alsoKeep: string[] = []): Promise<void> {
  if (keep === undefined) return;
  try {
    const { removed, freedBytes } = await pruneRuns(outDir, { keep, protect: [justWritten, ...alsoKeep] });
    if (removed.length > 0 && !quiet) {
      process.stderr.write(err.dim(`crosswire: kept the newest ${keep} runs in ${outDir}: removed ${removed.length} older (${formatByteSize(freedBytes)} freed; --keep-runs or ${KEEP_RUNS_ENV} sets the cap, off for none)\n`));
    }
  } catch (error) {
    process.stderr.write(err.yellow(`crosswire: warning: could not apply the cap of ${keep} runs in ${outDir}: ${(error as Error)?.message ?? String(error)}\n`));
  }
}
