import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CacheOp } from '../src/history/history-op.ts';
import { CacheBlame } from '../src/oracle/cache-blame.ts';

/**
 * Blame from the history alone. A history of cache operations is built by simulation: each
 * operation is called at one step, takes effect at a later one (or, if it fails, perhaps never,
 * perhaps later still) and replies at a later one, in any interleaving. A linearizable store is
 * never blamed (no read is `stale` or `wrong-key`); a store that drops deletes, or answers with
 * another key's value, is.
 */

type Kind = 'get' | 'set' | 'delete';
interface Planned {
  kind: Kind;
  key: string;
  value?: string;
  /** Steps after the call at which it takes effect and replies (reply ≥ effect). */
  effectAfter: number;
  replyAfter: number;
  fails: boolean;
}

type Store = { apply(op: Planned): string | undefined };

const linearizable = (): Store => {
  const data = new Map<string, string>();
  return {
    apply(op) {
      if (op.kind === 'get') return data.get(op.key);
      if (op.kind === 'set') data.set(op.key, op.value!);
      else data.delete(op.key);
      return undefined;
    },
  };
};

/** Deletes acknowledged, never applied: the stale-owner mechanism. */
const losesDeletes = (): Store => {
  const data = new Map<string, string>();
  return {
    apply(op) {
      if (op.kind === 'get') return data.get(op.key);
      if (op.kind === 'set') data.set(op.key, op.value!);
      return undefined;
    },
  };
};

/** Every read of `a` answered from `b`: the crossed-reply / key-collision mechanism. */
const crossesKeys = (): Store => {
  const data = new Map<string, string>();
  return {
    apply(op) {
      if (op.kind === 'get') return data.get(op.key === 'a' ? 'b' : op.key);
      if (op.kind === 'set') data.set(op.key, op.value!);
      else data.delete(op.key);
      return undefined;
    },
  };
};

/** Plays the plan one call per step; returns the history records, ids in call order. */
function simulate(plan: Planned[], store: Store): CacheOp[] {
  const records: CacheOp[] = [];
  const events: { step: number; order: number; run: () => void }[] = [];
  let called = 0;
  let order = 0;
  const results = new Map<number, string | undefined>();
  plan.forEach((op, i) => {
    const id = i + 1;
    const effectAt = i + op.effectAfter + 0.5;
    // a failed op replies (with its error) at once: its effect, if any, may land after that
    const replyAt = op.fails ? i + 0.75 : effectAt + op.replyAfter;
    const lost = op.fails && op.replyAfter % 2 === 0; // a failed op may or may not take effect
    events.push({ step: i, order: order++, run: () => void (called = id) });
    if (!lost) events.push({ step: effectAt, order: order++, run: () => void results.set(id, store.apply(op)) });
    events.push({
      step: replyAt,
      order: order++,
      run: () => {
        const value = results.get(id);
        records.push({
          op: 'cache', t: Math.floor(replyAt), startedAt: i, doneAfter: called, id, kind: op.kind, key: op.key,
          value: op.kind === 'set' ? op.value : op.fails ? undefined : value,
          outcome: op.fails ? 'error' : op.kind === 'get' ? (value === undefined ? 'miss' : 'hit') : 'ok',
          latencyMs: 0, adapter: 'model',
        });
      },
    });
  });
  events.sort((a, b) => a.step - b.step || a.order - b.order);
  for (const e of events) e.run();
  return records.sort((a, b) => a.id - b.id);
}

function blames(records: CacheOp[]): string[] {
  const blame = new CacheBlame();
  const byCompletion = [...records].sort((a, b) => a.doneAfter - b.doneAfter || a.t - b.t);
  for (const r of byCompletion) blame.record(r);
  return records
    .filter((r) => r.kind === 'get' && r.outcome === 'hit')
    .map((r) => blame.blameRead({ ...r, op: r.kind, at: r.t, startedAt: r.startedAt ?? r.t, doneAfter: r.doneAfter ?? r.id }).class);
}

const planned = fc.array(
  fc.record({
    kind: fc.constantFrom<Kind>('get', 'get', 'set', 'delete'),
    key: fc.constantFrom('a', 'b'),
    value: fc.constantFrom('v1', 'v2', 'v3'),
    effectAfter: fc.nat(4),
    replyAfter: fc.nat(4),
    fails: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
  }),
  { minLength: 1, maxLength: 30 },
);

/** Values carry their key, as the service's records carry their device. */
const keyed = (plan: Planned[]) => plan.map((op) => ({ ...op, value: `${op.key}:${op.value}` }));

describe('blame from the history alone', () => {
  it('never blames a linearizable cache, however its operations overlap, reorder or fail', () => {
    fc.assert(
      fc.property(planned, (plan) => {
        const classes = blames(simulate(keyed(plan), linearizable()));
        expect(classes.filter((c) => c !== 'service')).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });

  it('blames a cache that loses deletes: stale', () => {
    const plan: Planned[] = [
      { kind: 'set', key: 'a', value: 'a:v1', effectAfter: 0, replyAfter: 0, fails: false },
      { kind: 'delete', key: 'a', effectAfter: 0, replyAfter: 0, fails: false },
      { kind: 'get', key: 'a', effectAfter: 0, replyAfter: 0, fails: false },
    ];
    expect(blames(simulate(plan, losesDeletes()))).toEqual(['stale']);
    expect(blames(simulate(plan, linearizable()))).toEqual([]);
  });

  it('blames a cache that answers with another key’s value: wrong-key', () => {
    const plan: Planned[] = [
      { kind: 'set', key: 'b', value: 'b:v1', effectAfter: 0, replyAfter: 0, fails: false },
      { kind: 'get', key: 'a', effectAfter: 0, replyAfter: 0, fails: false },
    ];
    expect(blames(simulate(plan, crossesKeys()))).toEqual(['wrong-key']);
  });

  it('finds stale reads in random histories of a cache that loses deletes', () => {
    const found = fc.check(
      fc.property(planned, (plan) => {
        expect(blames(simulate(keyed(plan), losesDeletes()))).not.toContain('stale');
      }),
      { numRuns: 2000 },
    );
    expect(found.failed).toBe(true);
  });

  it('a write that straddled a delete and landed after it is the service’s, not the cache’s', () => {
    // set called, delete called and done, set lands and replies, then a read sees it
    const plan: Planned[] = [
      { kind: 'set', key: 'a', value: 'a:v1', effectAfter: 3, replyAfter: 0, fails: false },
      { kind: 'delete', key: 'a', effectAfter: 0, replyAfter: 0, fails: false },
      { kind: 'get', key: 'a', effectAfter: 3, replyAfter: 0, fails: false },
    ];
    const records = simulate(plan, linearizable());
    expect(records.find((r) => r.kind === 'get')?.value).toBe('a:v1');
    const blame = new CacheBlame();
    for (const r of records) blame.record(r);
    const read = records.find((r) => r.kind === 'get')!;
    const verdict = blame.blameRead({ ...read, op: 'get', at: read.t, startedAt: read.startedAt!, doneAfter: read.doneAfter! });
    expect(verdict.class).toBe('service');
    expect(verdict.write?.id).toBe(1);
    expect(verdict.invalidation?.id).toBe(2);
  });
});
