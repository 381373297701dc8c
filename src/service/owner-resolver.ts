import type { Clock } from '../clock/clock.ts';
import { ownerKeys, type OwnerKeys } from '../registry/owner-key.ts';
import type { OwnershipRecord } from '../registry/registry.ts';
import type { VerifyMode } from '../scenario/schema.ts';
import type { OwnerTrace } from '../history/evidence.ts';
import { WriteBackGuard } from './write-back-guard.ts';

export interface Resolution {
  owner: string | undefined;
  trace: OwnerTrace;
}

/** The cache as the resolver uses it: every operation names its record in the history. */
export interface OwnerCache {
  get(key: string): Promise<{ value: string | undefined; op: { id: number } }>;
  set(key: string, value: string, ttlMs: number): Promise<{ id: number }>;
  delete(key: string): Promise<{ id: number }>;
}

/** The service's database: ownership in force at time t (default: now). */
export interface OwnerSource {
  lookup(deviceId: string, t?: number): Promise<OwnershipRecord | undefined>;
}

/**
 * owner(deviceId) as the service sees it: cache-aside over the source of truth, the weak point
 * the incident exploited. Cached values are ownership records `{deviceId, owner, since}`; an
 * event older than the cached ownership is resolved from history, so a correct cache never
 * misroutes an event published just before a transfer. The WriteBackGuard's rules keep the
 * service's own write-backs and invalidations from racing, so only a cache that is not
 * linearizable (or answers with another key's value) can make it deliver to the wrong account.
 *
 * `verify` switches on the incident's fixes: `envelope` checks that the value echoes the key it
 * was asked for; `source-of-truth` re-checks the owner against the database before acting.
 */
export class OwnerResolver {
  private readonly cache: OwnerCache;
  private readonly source: OwnerSource;
  private readonly verify: VerifyMode;
  private readonly ttlRealMs: number;
  private readonly guard = new WriteBackGuard();
  private readonly keys: OwnerKeys;
  cacheErrors = 0;
  garbageValues = 0;
  /** Reads that returned a write-back of the service's own it could not order before an invalidation. */
  distrustedValues = 0;

  constructor(cache: OwnerCache, source: OwnerSource, clock: Pick<Clock, 'toRealMs'>, verify: VerifyMode, ttlMs: number, keys: OwnerKeys = ownerKeys()) {
    this.cache = cache;
    this.keys = keys;
    this.source = source;
    this.verify = verify;
    this.ttlRealMs = Math.max(1, Math.round(clock.toRealMs(ttlMs)));
  }

  async resolve(deviceId: string, publishedAt: number): Promise<Resolution> {
    const ops: number[] = [];
    let record: OwnershipRecord | undefined;
    if (this.guard.readable(deviceId)) record = await this.fromCache(deviceId, ops);
    else if (this.guard.owesDelete(deviceId)) void this.payDebt(deviceId);
    let source: OwnerTrace['source'] = 'cache';
    let blocked: OwnerTrace['blocked'];

    if (record !== undefined && this.verify === 'envelope' && record.deviceId !== deviceId) {
      blocked = { layer: 'envelope', deviceId, claimed: record.deviceId, trueOwner: undefined, cacheOps: [...ops] };
      record = undefined;
    }
    if (record === undefined) {
      record = await this.load(deviceId, ops);
      source = 'source-of-truth';
    }
    if (record !== undefined && record.since > publishedAt) {
      // the event predates the ownership now in force: ask history, do not cache
      record = await this.source.lookup(deviceId, publishedAt);
      source = 'history';
    }
    if (this.verify === 'source-of-truth' && source === 'cache' && record !== undefined) {
      const truth = await this.source.lookup(deviceId, publishedAt);
      if (truth?.owner !== record.owner) {
        blocked = { layer: 'source-of-truth', deviceId, claimed: record.owner, trueOwner: truth?.owner, cacheOps: [...ops] };
        record = truth;
        source = 'source-of-truth';
      }
    }
    if (blocked?.layer === 'envelope') blocked.trueOwner = record?.owner;
    return { owner: record?.owner, trace: { cacheOps: ops, source, blocked } };
  }

  /** Called when the database changes a device's owner (the harness's transfer step). */
  async invalidate(deviceId: string): Promise<void> {
    this.guard.invalidationBegins(deviceId);
    let acknowledged = false;
    try {
      await this.cache.delete(this.keys.key(deviceId));
      acknowledged = true;
    } catch {
      this.cacheErrors++; // owed: the key is not read until a delete gets through
    }
    this.guard.deleteEnds(deviceId, acknowledged);
  }

  /** Devices the write-back guard holds state for (bounded by what is in flight, owed or distrusted). */
  get guardedDevices(): number {
    return this.guard.size;
  }

  private async payDebt(deviceId: string): Promise<void> {
    this.guard.debtPaymentBegins(deviceId);
    let acknowledged = false;
    try {
      await this.cache.delete(this.keys.key(deviceId));
      acknowledged = true;
    } catch {
      this.cacheErrors++;
    }
    this.guard.debtPaymentEnds(deviceId, acknowledged);
  }

  private async fromCache(deviceId: string, ops: number[]): Promise<OwnershipRecord | undefined> {
    let value: string | undefined;
    try {
      const result = await this.cache.get(this.keys.key(deviceId));
      ops.push(result.op.id);
      value = result.value;
    } catch (error) {
      this.cacheErrors++;
      pushOpOf(error, ops);
      return undefined;
    }
    if (value === undefined) return undefined;
    if (this.guard.distrusted(deviceId, value)) {
      this.distrustedValues++;
      return undefined;
    }
    const record = parseRecord(value);
    if (record === undefined) this.garbageValues++;
    return record;
  }

  private async load(deviceId: string, ops: number[]): Promise<OwnershipRecord | undefined> {
    const token = this.guard.loadBegins(deviceId);
    try {
      const record = await this.source.lookup(deviceId);
      if (record !== undefined && this.guard.mayWriteBack(deviceId, token)) await this.writeBack(deviceId, record, ops);
      return record;
    } finally {
      this.guard.loadEnds(deviceId);
    }
  }

  private async writeBack(deviceId: string, record: OwnershipRecord, ops: number[]): Promise<void> {
    const value = JSON.stringify(record);
    this.guard.writeBegins(deviceId, value);
    let landed = false;
    try {
      ops.push((await this.cache.set(this.keys.key(deviceId), value, this.ttlRealMs)).id);
      landed = true;
    } catch (error) {
      this.cacheErrors++;
      pushOpOf(error, ops);
    }
    this.guard.writeEnds(deviceId, value, landed);
  }
}

function pushOpOf(error: unknown, ops: number[]): void {
  const op = (error as { cacheOp?: { id: number } } | null)?.cacheOp;
  if (op) ops.push(op.id);
}

function parseRecord(value: string): OwnershipRecord | undefined {
  try {
    const parsed = JSON.parse(value) as Partial<OwnershipRecord>;
    if (typeof parsed?.owner === 'string' && typeof parsed.deviceId === 'string' && typeof parsed.since === 'number') {
      return parsed as OwnershipRecord;
    }
  } catch {
    // a reply meant for another command: garbage, not an owner
  }
  return undefined;
}
