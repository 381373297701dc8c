/**
 * What the parts under test tell the history, as evidence: the cache wrapper's operation records
 * and the reference service's traces. Cache and service produce these; the checker reads them
 * from the history and nothing else, so it never depends on either.
 */

/** One cache operation: what was asked, what came back, when, and how long it took. */
export interface CacheOpRecord {
  /** Numbered in invocation order. */
  id: number;
  op: 'get' | 'set' | 'delete';
  key: string;
  /** The value returned by a get (truncated), or the value written by a set. */
  value: string | undefined;
  outcome: 'hit' | 'miss' | 'ok' | 'error';
  error?: string;
  /** Scenario ms when it was called. */
  startedAt: number;
  /** Scenario ms when it completed. */
  at: number;
  /**
   * The highest operation id called by the time this one completed: with `id`, it orders any two
   * operations exactly (B began after A ended iff B.id > A.doneAfter), where scenario times tie.
   */
  doneAfter: number;
  latencyMs: number;
  adapter: string;
  connectionId?: string;
}

export type DropReason = 'service-offline' | 'lookup-failed' | 'unknown-device' | 'bad-payload';

/** How the service arrived at an owner: the evidence behind a delivery. */
export interface OwnerTrace {
  /** Ids of the cache operations consulted (see CacheOpRecord). */
  cacheOps: number[];
  source: 'cache' | 'source-of-truth' | 'history';
  /** Set when a verification layer refused what the cache said. */
  blocked?: BlockedLookup;
}

export interface BlockedLookup {
  layer: 'envelope' | 'source-of-truth';
  deviceId: string;
  /** The owner (or, for envelope, the device) the cache claimed. */
  claimed: string;
  trueOwner: string | undefined;
  cacheOps: number[];
}

export interface BlockedLeak extends BlockedLookup {
  path: 'push' | 'tap';
  eventId: number;
  at: number;
}
