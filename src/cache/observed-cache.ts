import type { Clock } from '../clock/clock.ts';
import { LatencyHistogram, type LatencySummary } from '../metrics/latency-histogram.ts';
import type { CacheAdapter, CacheOpRef } from './cache-adapter.ts';

/** One cache operation as evidence: what was asked, what came back, how long it took. */
export interface CacheOpRecord {
  id: number;
  op: 'get' | 'set' | 'delete';
  key: string;
  /** The value returned by a get (truncated), or the value written by a set. */
  value: string | undefined;
  outcome: 'hit' | 'miss' | 'ok' | 'error';
  error?: string;
  at: number;
  latencyMs: number;
  adapter: string;
  connectionId?: string;
}

export interface CacheStats {
  gets: number;
  hits: number;
  misses: number;
  sets: number;
  deletes: number;
  errors: number;
  latency: LatencySummary;
}

const MAX_VALUE_CHARS = 200;

/**
 * Wraps the adapter under test: numbers every operation, measures it, and hands each record to
 * the history, where the checker keeps the recent ones so a violation can quote them.
 */
export class ObservedCache {
  readonly adapter: CacheAdapter;
  private readonly clock: Clock;
  private nextId = 1;
  private readonly latency = new LatencyHistogram();
  /** Latency since the last takeWindowLatency(): the report's per-bucket series. */
  private readonly window = new LatencyHistogram();
  private counts = { gets: 0, hits: 0, misses: 0, sets: 0, deletes: 0, errors: 0 };
  private readonly onOp: ((record: CacheOpRecord) => void) | undefined;

  /** `onOp` sees every operation's record as it completes (the run's history). */
  constructor(adapter: CacheAdapter, clock: Clock, onOp?: (record: CacheOpRecord) => void) {
    this.adapter = adapter;
    this.clock = clock;
    this.onOp = onOp;
  }

  stats(): CacheStats {
    return { ...this.counts, latency: this.latency.summary() };
  }

  /** Latency of the operations since the previous call; starts a new window. */
  takeWindowLatency(): LatencySummary {
    const summary = this.window.summary();
    this.window.reset();
    return summary;
  }

  async get(key: string): Promise<{ value: string | undefined; op: CacheOpRecord }> {
    this.counts.gets++;
    const ref: CacheOpRef = { id: this.nextId++ };
    const started = performance.now();
    try {
      const value = await this.adapter.get(key, ref);
      if (value === undefined) this.counts.misses++;
      else this.counts.hits++;
      return { value, op: this.keep(ref.id, 'get', key, value, value === undefined ? 'miss' : 'hit', started) };
    } catch (error) {
      this.counts.errors++;
      throw Object.assign(asError(error), { cacheOp: this.keep(ref.id, 'get', key, undefined, 'error', started, error) });
    }
  }

  async set(key: string, value: string, ttlMs: number): Promise<CacheOpRecord> {
    this.counts.sets++;
    const ref: CacheOpRef = { id: this.nextId++ };
    const started = performance.now();
    try {
      await this.adapter.set(key, value, ttlMs, ref);
      return this.keep(ref.id, 'set', key, value, 'ok', started);
    } catch (error) {
      this.counts.errors++;
      throw Object.assign(asError(error), { cacheOp: this.keep(ref.id, 'set', key, value, 'error', started, error) });
    }
  }

  async delete(key: string): Promise<CacheOpRecord> {
    this.counts.deletes++;
    const ref: CacheOpRef = { id: this.nextId++ };
    const started = performance.now();
    try {
      await this.adapter.delete(key, ref);
      return this.keep(ref.id, 'delete', key, undefined, 'ok', started);
    } catch (error) {
      this.counts.errors++;
      throw Object.assign(asError(error), { cacheOp: this.keep(ref.id, 'delete', key, undefined, 'error', started, error) });
    }
  }

  private keep(
    id: number,
    op: CacheOpRecord['op'],
    key: string,
    value: string | undefined,
    outcome: CacheOpRecord['outcome'],
    started: number,
    error?: unknown,
  ): CacheOpRecord {
    const latencyMs = performance.now() - started;
    this.latency.record(latencyMs);
    this.window.record(latencyMs);
    const record: CacheOpRecord = {
      id,
      op,
      key,
      value: value === undefined ? undefined : value.slice(0, MAX_VALUE_CHARS),
      outcome,
      at: Math.round(this.clock.now()),
      latencyMs: Math.round(latencyMs * 1000) / 1000,
      adapter: this.adapter.id,
      connectionId: this.adapter.connectionId?.(),
    };
    if (error !== undefined) record.error = asError(error).message;
    this.onOp?.(record);
    return record;
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
