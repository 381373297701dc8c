import type { CacheOpRecord } from '../history/evidence.ts';
import type { CacheOp } from '../history/history-op.ts';
import type { Blame } from './violation.ts';

/** One write or delete, as the log keeps it (numbers only; values interned). */
interface Mutation {
  id: number;
  doneAfter: number;
  startedAt: number;
  at: number;
  /** Index into `values`; -1 for a delete. */
  value: number;
  ok: boolean;
}

/**
 * Who is to blame for a wrong owner read from the cache, decided from the history alone. Every
 * set and delete is logged per key; a read that returned value V for key K is then:
 *
 * - `wrong-key`: V was never written under K (a crossed reply, a key collision);
 * - `stale`: every write of V under K was followed, before the read began, by a delete or an
 *   overwrite that completed before the read began — no linearizable cache returns V then;
 * - `service`: some write of V under K may legally be the latest the read saw, so the cache kept
 *   its contract and the service wrote a wrong owner (or wrote back after an invalidation).
 *
 * "Before" is exact: operation ids are numbered in call order and each record says the highest id
 * called when it completed (B began after A ended iff B.id > A.doneAfter). A failed write may have
 * landed at any time after its call (its effect is unknown), so it is never proved overwritten;
 * a failed delete proves nothing either way. Only a cache that is not linearizable is blamed.
 */
export class CacheBlame {
  private readonly byKey = new Map<string, Mutation[]>();
  private readonly values: string[] = [];
  private readonly valueIndex = new Map<string, number>();
  /** Where each value was first written: the wrong-key evidence. */
  private readonly firstWrite = new Map<number, { key: string; m: Mutation }>();
  /** The full record of an operation, while the checker still holds it (latency, connection). */
  private readonly recent: (id: number) => CacheOpRecord | undefined;

  constructor(recent: (id: number) => CacheOpRecord | undefined = () => undefined) {
    this.recent = recent;
  }

  record(op: CacheOp): void {
    if (op.kind === 'get') return;
    const value = op.kind === 'set' ? this.intern(op.value ?? '') : -1;
    const m: Mutation = { id: op.id, doneAfter: op.doneAfter ?? op.id, startedAt: op.startedAt ?? op.t, at: op.t, value, ok: op.outcome === 'ok' };
    let log = this.byKey.get(op.key);
    if (log === undefined) this.byKey.set(op.key, (log = []));
    log.push(m);
    if (value >= 0 && !this.firstWrite.has(value)) this.firstWrite.set(value, { key: op.key, m });
  }

  /** The blame for a read that returned a wrong owner. */
  blameRead(read: CacheOpRecord): Blame {
    const v = read.value === undefined ? undefined : this.valueIndex.get(read.value);
    const log = this.byKey.get(read.key) ?? [];
    // writes called before the read completed may be the one it saw
    const writes = v === undefined ? [] : log.filter((m) => m.value === v && m.id <= read.doneAfter);
    if (writes.length === 0) {
      const elsewhere = v === undefined ? undefined : this.firstWrite.get(v);
      return {
        class: 'wrong-key',
        reason: elsewhere
          ? `the value read under ${read.key} was only ever written under ${elsewhere.key}: the cache answered with another key's value`
          : `the value read under ${read.key} was never written by the service: the cache answered with a value it was never given for that key`,
        read,
        write: elsewhere && this.evidence(elsewhere.key, elsewhere.m, 'set', read.adapter),
      };
    }
    // the write of V that ended last (a failed one never provably ended)
    const last = writes.reduce((a, b) => (endOf(b) > endOf(a) ? b : a));
    const lastEnd = endOf(last);
    const superseding = log.find((m) => m.ok && m.value !== v && m.id > lastEnd && m.doneAfter < read.id);
    if (superseding !== undefined) {
      const what = superseding.value < 0 ? 'deleted' : 'overwritten';
      return {
        class: 'stale',
        reason: `${read.key} was ${what} (op ${superseding.id}) after every write of the value read had completed, and before the read (op ${read.id}) began: a linearizable cache cannot return it`,
        read,
        write: this.evidence(read.key, last, 'set', read.adapter),
        invalidation: this.evidence(read.key, superseding, superseding.value < 0 ? 'delete' : 'set', read.adapter),
      };
    }
    const outlived = [...log].reverse().find((m) => m.ok && m.value < 0 && m.doneAfter < read.id && m.id < lastEnd);
    return {
      class: 'service',
      reason: outlived
        ? `the value read was written (op ${last.id}) by a write that ${last.ok ? 'completed' : 'may have landed'} after the delete it straddled (op ${outlived.id}) began: the cache kept its contract; the service wrote back after an invalidation`
        : `the value read was written (op ${last.id}) and never invalidated: the cache returned what the service gave it; the service wrote a wrong owner`,
      read,
      write: this.evidence(read.key, last, 'set', read.adapter),
      invalidation: outlived && this.evidence(read.key, outlived, 'delete', read.adapter),
    };
  }

  private intern(value: string): number {
    let index = this.valueIndex.get(value);
    if (index === undefined) {
      index = this.values.length;
      this.values.push(value);
      this.valueIndex.set(value, index);
    }
    return index;
  }

  private evidence(key: string, m: Mutation, op: 'set' | 'delete', adapter: string): CacheOpRecord {
    const full = this.recent(m.id);
    if (full !== undefined) return full;
    return {
      id: m.id,
      op,
      key,
      value: m.value >= 0 ? this.values[m.value] : undefined,
      outcome: m.ok ? 'ok' : 'error',
      startedAt: m.startedAt,
      at: m.at,
      doneAfter: m.doneAfter,
      latencyMs: 0,
      adapter,
    };
  }
}

/** When a write provably ended: never, if it failed (it may land any time). */
function endOf(m: Mutation): number {
  return m.ok ? m.doneAfter : Infinity;
}

/** A history's cache op as the evidence a violation carries (and blame reads). */
export function cacheOpRecord(op: CacheOp): CacheOpRecord;
export function cacheOpRecord(op: CacheOp | undefined): CacheOpRecord | undefined;
export function cacheOpRecord(op: CacheOp | undefined): CacheOpRecord | undefined {
  if (op === undefined) return undefined;
  const { op: _op, t, kind, ...rest } = op;
  return { op: kind, ...rest, at: t };
}
