import type { Clock } from '../clock/clock.ts';
import type { CacheOpRecord, ObservedCache } from '../cache/observed-cache.ts';
import type { OwnershipRecord } from '../registry/registry.ts';
import type { VerifyMode } from '../scenario/schema.ts';
import type { OwnerTrace } from './service-observer.ts';
import type { SourceOfTruth } from './source-of-truth.ts';

export interface Resolution {
  owner: string | undefined;
  trace: OwnerTrace;
}

export function ownerKey(deviceId: string): string {
  return `owner:${deviceId}`;
}

/**
 * owner(deviceId) as the service sees it: cache-aside over the source of truth, the weak point
 * the incident exploited. Cached values are ownership records `{deviceId, owner, since}`; an
 * event older than the cached ownership is resolved from history, so a correct cache never
 * misroutes an event published just before a transfer.
 *
 * `verify` switches on the incident's fixes: `envelope` checks that the value echoes the key it
 * was asked for; `source-of-truth` re-checks the owner against the database before acting.
 */
export class OwnerResolver {
  private readonly cache: ObservedCache;
  private readonly source: SourceOfTruth;
  private readonly clock: Clock;
  private readonly verify: VerifyMode;
  private readonly ttlRealMs: number;
  /** Devices whose invalidation has not been confirmed: the cache is bypassed for them. */
  private readonly dirty = new Set<string>();
  /** Bumped by every invalidation; a load that straddles one must not write back (no stale set). */
  private readonly generation = new Map<string, number>();
  cacheErrors = 0;
  garbageValues = 0;

  constructor(cache: ObservedCache, source: SourceOfTruth, clock: Clock, verify: VerifyMode, ttlMs: number) {
    this.cache = cache;
    this.source = source;
    this.clock = clock;
    this.verify = verify;
    this.ttlRealMs = Math.max(1, Math.round(clock.toRealMs(ttlMs)));
  }

  async resolve(deviceId: string, publishedAt: number): Promise<Resolution> {
    const ops: number[] = [];
    let record = this.dirty.has(deviceId) ? undefined : await this.fromCache(deviceId, ops);
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
    this.generation.set(deviceId, (this.generation.get(deviceId) ?? 0) + 1);
    this.dirty.add(deviceId);
    try {
      await this.cache.delete(ownerKey(deviceId));
      this.dirty.delete(deviceId);
    } catch {
      this.cacheErrors++; // stays dirty: bypass the cache for it until a delete gets through
    }
  }

  private async fromCache(deviceId: string, ops: number[]): Promise<OwnershipRecord | undefined> {
    let value: string | undefined;
    try {
      const result = await this.cache.get(ownerKey(deviceId));
      ops.push(result.op.id);
      value = result.value;
    } catch (error) {
      this.cacheErrors++;
      const op = (error as { cacheOp?: CacheOpRecord }).cacheOp;
      if (op) ops.push(op.id);
      return undefined;
    }
    if (value === undefined) return undefined;
    const record = parseRecord(value);
    if (record === undefined) this.garbageValues++;
    return record;
  }

  private async load(deviceId: string, ops: number[]): Promise<OwnershipRecord | undefined> {
    const generation = this.generation.get(deviceId) ?? 0;
    const record = await this.source.lookup(deviceId);
    if (record === undefined) return undefined;
    if ((this.generation.get(deviceId) ?? 0) === generation && !this.dirty.has(deviceId)) {
      try {
        ops.push((await this.cache.set(ownerKey(deviceId), JSON.stringify(record), this.ttlRealMs)).id);
      } catch (error) {
        this.cacheErrors++;
        const op = (error as { cacheOp?: CacheOpRecord }).cacheOp;
        if (op) ops.push(op.id);
      }
    }
    return record;
  }

  get now(): number {
    return this.clock.now();
  }
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
