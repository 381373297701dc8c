import type { CacheOp } from '../history/history-op.ts';
import { CacheBlame, cacheOpRecord } from '../oracle/cache-blame.ts';

/** A read that returned a value never written under its key (blame `wrong-key`), and whose key that value belongs to. */
export interface WrongRead {
  op: CacheOp;
  /** Keys the value was written under before the read completed (empty: never written at all). */
  writtenUnder: string[];
}

/**
 * The first read, by completion (then invocation order), that the checker blames `wrong-key`:
 * the cache answered with another key's value. The same rule as the verdict's (CacheBlame), so
 * export hands upstream the read the run was failed for; stale reads (a value once written under
 * the key) are not wrong-key and are not what a wire-level repro shows.
 */
export function firstWrongRead(ops: readonly CacheOp[]): WrongRead | undefined {
  const blame = new CacheBlame();
  for (const op of ops) blame.record(op);
  const reads = ops.filter((op) => op.kind === 'get' && op.outcome === 'hit' && op.value !== undefined);
  reads.sort((a, b) => a.t - b.t || a.id - b.id);
  for (const read of reads) {
    if (blame.blameRead(cacheOpRecord(read)).class !== 'wrong-key') continue;
    // writes called before the read completed: the keys whose value it may have been handed
    const writtenUnder = ops.filter((w) => w.kind === 'set' && w.value === read.value && w.key !== read.key && w.id <= read.doneAfter).map((w) => w.key);
    return { op: read, writtenUnder: [...new Set(writtenUnder)] };
  }
  return undefined;
}
