import type { CacheOp } from '../history/history-op.ts';

/** A read that returned a value never written under its key (blame `wrong-key`), and whose key that value belongs to. */
export interface WrongRead {
  op: CacheOp;
  /** Keys the value was written under before the read completed (empty: never written at all). */
  writtenUnder: string[];
}

/**
 * The first read, by completion (then invocation order), whose value no write under its key had
 * started by the time it completed: the cache answered with another key's value. A pure function
 * of the history's cache ops; stale reads (a value once written under the key) are not wrong-key
 * and are not what a wire-level repro shows.
 */
export function firstWrongRead(ops: readonly CacheOp[]): WrongRead | undefined {
  // every (key, value) written, with the earliest start of a write of it
  const writes = new Map<string, Map<string, number>>();
  const byValue = new Map<string, { key: string; startedAt: number }[]>();
  for (const op of ops) {
    if (op.kind !== 'set' || op.value === undefined) continue;
    const values = writes.get(op.key) ?? new Map<string, number>();
    writes.set(op.key, values);
    values.set(op.value, Math.min(values.get(op.value) ?? Infinity, op.startedAt));
    const holders = byValue.get(op.value) ?? [];
    byValue.set(op.value, holders);
    holders.push({ key: op.key, startedAt: op.startedAt });
  }
  const reads = ops.filter((op) => op.kind === 'get' && op.outcome === 'hit' && op.value !== undefined);
  reads.sort((a, b) => a.t - b.t || a.id - b.id);
  for (const read of reads) {
    const since = writes.get(read.key)?.get(read.value!);
    if (since !== undefined && since <= read.t) continue;
    const writtenUnder = [...new Set((byValue.get(read.value!) ?? []).filter((w) => w.startedAt <= read.t && w.key !== read.key).map((w) => w.key))];
    return { op: read, writtenUnder };
  }
  return undefined;
}
