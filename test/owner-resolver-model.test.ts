import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OwnershipRecord } from '../src/registry/registry.ts';
import { OwnerResolver, type OwnerCache, type OwnerSource } from '../src/service/owner-resolver.ts';
import { WriteBackGuard } from '../src/service/write-back-guard.ts';

/**
 * The service's cache protocol, proved on a model: random loads (events to route), transfers and
 * their invalidations over a linearizable cache whose every operation takes effect at a point the
 * scheduler picks between its call and its reply, replies in any order, and sometimes fails —
 * without effect, after its effect, or with its effect landing later still (a request stuck in a
 * socket). Whatever the interleaving, every event resolves to its camera's owner at publish time.
 */

/** How a cache operation ends: its effect and its reply, each at a point the scheduler picks. */
type Fate = 'ok' | 'lost' | 'failed-after-effect' | 'lands-after-failure';

const fates = fc.array(fc.constantFrom<Fate>('ok', 'ok', 'ok', 'lost', 'failed-after-effect', 'lands-after-failure'), { maxLength: 40 });

class ModelCache implements OwnerCache {
  protected readonly store = new Map<string, string>();
  private readonly s: fc.Scheduler;
  private readonly fates: Fate[];
  private nextId = 1;

  constructor(s: fc.Scheduler, fates: Fate[]) {
    this.s = s;
    this.fates = [...fates];
  }

  get(key: string) {
    return this.op(`get ${key}`, () => this.read(key)).then((value) => ({ value, op: { id: 0 } }));
  }

  set(key: string, value: string) {
    return this.op(`set ${key}=${value}`, () => void this.store.set(key, value)).then(() => ({ id: 0 }));
  }

  delete(key: string) {
    return this.op(`delete ${key}`, () => this.remove(key)).then(() => ({ id: 0 }));
  }

  protected read(key: string): string | undefined {
    return this.store.get(key);
  }

  protected remove(key: string): void {
    this.store.delete(key);
  }

  private async op<T>(label: string, effect: () => T): Promise<T> {
    const fate = this.fates.shift() ?? 'ok';
    const id = this.nextId++;
    const failure = () => Object.assign(new Error(`${label} failed`), { cacheOp: { id } });
    await this.s.schedule(Promise.resolve(), `${label}: takes effect`);
    if (fate === 'lost') throw failure();
    if (fate === 'lands-after-failure') {
      void this.s.schedule(Promise.resolve(), `${label}: lands late`).then(effect);
      throw failure();
    }
    const result = effect();
    await this.s.schedule(Promise.resolve(), `${label}: replies`);
    if (fate === 'failed-after-effect') throw failure();
    return result;
  }
}

/** Not linearizable: deletes are acknowledged and not applied (a lost invalidation). */
class LostDeleteCache extends ModelCache {
  protected override remove(): void {}
}

/** The database: owners over time, read at a point the scheduler picks, answered at a later one. */
class ModelSource implements OwnerSource {
  private readonly owners: OwnershipRecord[][];
  private readonly s: fc.Scheduler;
  private readonly clock: { now: number };

  constructor(s: fc.Scheduler, devices: number, clock: { now: number }) {
    this.s = s;
    this.clock = clock;
    this.owners = Array.from({ length: devices }, (_, d) => [{ deviceId: `cam-${d}`, owner: `acct-${d % 2}`, since: 0 }]);
  }

  transfer(device: number, owner: string, at: number): void {
    this.owners[device].push({ deviceId: `cam-${device}`, owner, since: at });
  }

  ownerAt(device: number, t: number): string {
    return this.owners[device].findLast((r) => r.since <= t)!.owner;
  }

  async lookup(deviceId: string, t?: number): Promise<OwnershipRecord | undefined> {
    await this.s.schedule(Promise.resolve(), `lookup ${deviceId}: reads`);
    const at = t ?? this.clock.now;
    const record = this.owners[Number(deviceId.slice(4))].findLast((r) => r.since <= at);
    // a database's answer travels too: a transfer may happen between the read and the reply
    await this.s.schedule(Promise.resolve(), `lookup ${deviceId}: replies`);
    return record;
  }
}

type Action = { kind: 'event'; device: number } | { kind: 'transfer'; device: number; to: number };
const DEVICES = 2;
const actions = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('event' as const), device: fc.nat(DEVICES - 1) }),
    fc.record({ kind: fc.constant('transfer' as const), device: fc.nat(DEVICES - 1), to: fc.nat(2) }),
  ),
  { minLength: 1, maxLength: 14 },
);

interface Routed {
  device: number;
  publishedAt: number;
  owner: string | undefined;
}

/** Plays the actions in order, each at the next instant, while the scheduler interleaves everything they start. */
async function play(s: fc.Scheduler, plan: Action[], cacheOf: (s: fc.Scheduler) => ModelCache, guard?: WriteBackGuard) {
  const clock = { now: 0 };
  const source = new ModelSource(s, DEVICES, clock);
  const resolver = new OwnerResolver(cacheOf(s), source, { toRealMs: (ms) => ms }, 'none', 60_000);
  if (guard) Object.assign(resolver, { guard });
  const routed: Routed[] = [];
  const started: Promise<unknown>[] = [];
  const driver = (async () => {
    for (const action of plan) {
      await s.schedule(Promise.resolve(), `${action.kind} cam-${action.device}`);
      const t = ++clock.now;
      if (action.kind === 'transfer') {
        source.transfer(action.device, `acct-${action.to}`, t);
        started.push(resolver.invalidate(`cam-${action.device}`));
      } else {
        started.push(resolver.resolve(`cam-${action.device}`, t).then((r) => routed.push({ device: action.device, publishedAt: t, owner: r.owner })));
      }
    }
  })();
  await s.waitIdle();
  await driver;
  await Promise.all(started);
  return { routed, source, resolver };
}

function misrouted({ routed, source }: Awaited<ReturnType<typeof play>>): Routed[] {
  return routed.filter((r) => r.owner !== source.ownerAt(r.device, r.publishedAt));
}

describe('the service cache protocol (model)', () => {
  it('routes every event to its owner at publish time over any linearizable cache, in any completion order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), actions, fates, async (s, plan, fateList) => {
        const run = await play(s, plan, (sch) => new ModelCache(sch, fateList));
        expect(misrouted(run)).toEqual([]);
      }),
      { numRuns: 1500 },
    );
  });

  it('forgets a device once nothing is in flight or owed (only distrusted values are kept)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), actions, async (s, plan) => {
        const events = plan.filter((a) => a.kind === 'event');
        const { resolver } = await play(s, events, (sch) => new ModelCache(sch, []));
        expect(resolver.guardedDevices).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('is caught out by a cache that loses invalidations (the model can fail)', async () => {
    const stale = fc.asyncProperty(fc.scheduler(), actions, async (s, plan) => {
      expect(misrouted(await play(s, plan, (sch) => new LostDeleteCache(sch, [])))).toEqual([]);
    });
    await expect(fc.assert(stale, { numRuns: 500 })).rejects.toThrow(/Property failed/);
  });

  /** Each rule of the WriteBackGuard, switched off: the service itself then misroutes. */
  const withoutRule: [string, () => WriteBackGuard][] = [
    ['1 (no read while a delete is unacknowledged)', () => Object.assign(new WriteBackGuard(), { readable: () => true, owesDelete: () => false })],
    ['2 (no write-back from a load that straddled an invalidation)', () => Object.assign(new WriteBackGuard(), { mayWriteBack: () => true })],
    ['3 (distrust write-backs not ordered before an invalidation)', () => Object.assign(new WriteBackGuard(), { distrusted: () => false })],
  ];
  it.each(withoutRule)('needs rule %s', async (_rule, guard) => {
    const naive = fc.asyncProperty(fc.scheduler(), actions, fates, async (s, plan, fateList) => {
      expect(misrouted(await play(s, plan, (sch) => new ModelCache(sch, fateList), guard()))).toEqual([]);
    });
    await expect(fc.assert(naive, { numRuns: 5000 })).rejects.toThrow(/Property failed/);
  });
});
