import { isAbsolute, relative } from 'node:path';
import { usageError } from '../../errors.ts';
import { parseAge } from '../../fields/duration.ts';
import { formatByteSize } from '../../scenario/limits-schema.ts';
import { pruneRuns, type StoredEntry } from '../../store/run-retention.ts';

export interface PruneOptions {
  outDir: string;
  keep?: number;
  olderThan?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** The path as a user would type it: relative to the working directory when it is below it. */
function shown(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : dir;
}
const count = (entries: StoredEntry[], kind: StoredEntry['kind']) => {
  const n = entries.filter((e) => e.kind === kind).length;
  return kind === 'run' ? `${n} run${n === 1 ? '' : 's'}` : `${n} gate director${n === 1 ? 'y' : 'ies'}`;
};

/** `crosswire prune`: removes old finished runs and gate directories; prints each and the space freed. */
export async function pruneCommand(options: PruneOptions): Promise<number> {
  let olderThanMs: number | undefined;
  if (options.olderThan !== undefined) {
    olderThanMs = parseAge(options.olderThan);
    if (olderThanMs === undefined) throw usageError('BAD_AGE', `--older-than ${JSON.stringify(options.olderThan)}: expected an age like 7d, 12h, 30m or 2w`);
  }
  const result = await pruneRuns(options.outDir, { keep: options.keep, olderThanMs, dryRun: options.dryRun });
  if (options.json) {
    const entry = (e: StoredEntry) => ({ kind: e.kind, dir: e.dir, startedAt: e.startedAt.toISOString(), bytes: e.bytes });
    process.stdout.write(
      JSON.stringify({ dryRun: result.dryRun, freedBytes: result.freedBytes, removed: result.removed.map(entry), kept: result.kept.map(entry), unfinished: result.unfinished.map(entry) }, null, 2) + '\n',
    );
    return 0;
  }
  const verb = result.dryRun ? 'would remove' : 'removed';
  const lines = result.removed.map((e) => `${verb}  ${shown(e.dir)}  ${formatByteSize(e.bytes)}`);
  lines.push(
    `${result.dryRun ? 'would prune' : 'pruned'} ${count(result.removed, 'run')} and ${count(result.removed, 'gate')}: ${formatByteSize(result.freedBytes)} ${result.dryRun ? 'would be ' : ''}freed; ` +
      `kept ${count(result.kept, 'run')} and ${count(result.kept, 'gate')}`,
  );
  for (const e of result.unfinished) lines.push(`left alone (unfinished: in progress, or stopped before it finished)  ${shown(e.dir)}`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
