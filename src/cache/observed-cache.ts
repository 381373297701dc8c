import type { Clock } from '../clock/clock.ts';
import type { CacheOpRecord } from '../history/evidence.ts';
import { LatencyHistogram, type LatencySummary } from '../metrics/latency-histogram.ts';
import { describeValue, type ContractBreach } from './adapter-guard.ts';
import type { CacheAdapter } from './cache-adapter.ts';

export type { CacheOpRecord } from '../history/evidence.ts';

export interface CacheStats {
  gets: number;
  hits: number;
  misses: number;
  sets: number;
  deletes: number;
  /** Failed operations of every kind (gets, sets, deletes). */
  errors: number;
  /** The gets among them: gets = hits + misses + getErrors once every operation has ended. */
  getErrors: number;
  latency: LatencySummary;
}

export interface ObservedCacheOptions {
  /** Sees every operation's record as it completes (the run's history). */
  onOp?: (record: CacheOpRecord) => void;
  /** Sees every breach of the adapter contract (a value that is not a string, …). */
  onBreach?: (breach: ContractBreach) => void;
  /** Wall-clock ms an operation may take before it is recorded as failed (0: unbounded). */
  operationTimeoutMs?: number;
}

const MAX_VALUE_CHARS = 200;

interface Pending {
  id: number;
  op: CacheOpRecord['op'];
  key: string;
  value: string | undefined;
  startedAt: number;
  startedReal: number;
  settle?: (error: Error) => void;
}

/**
 * Wraps the adapter under test: numbers every operation in call order, measures it, checks what
 * it returns against the adapter contract, bounds how long it may take, and hands each record to
 * the history. Whatever the adapter does, every operation ends in exactly one record.
 */
export class ObservedCache {
  readonly adapter: CacheAdapter;
  private readonly clock: Clock;
  private readonly options: ObservedCacheOptions;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly latency = new LatencyHistogram();
  /** Latency since the last takeWindowLatency(): the report's per-bucket series. */
  private readonly window = new LatencyHistogram();
  private counts = { gets: 0, hits: 0, misses: 0, sets: 0, deletes: 0, errors: 0, getErrors: 0 };
  private sweeper: NodeJS.Timeout | undefined;

  constructor(adapter: CacheAdapter, clock: Clock, options: ObservedCacheOptions = {}) {
    this.adapter = adapter;
    this.clock = clock;
    this.options = options;
    const limit = options.operationTimeoutMs ?? 0;
    if (limit > 0) {
      this.sweeper = setInterval(() => this.expire(limit), Math.min(1000, Math.max(10, limit / 4)));
      this.sweeper.unref();
    }
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

  /** Operations called and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  async get(key: string): Promise<{ value: string | undefined; op: CacheOpRecord }> {
    this.counts.gets++;
    const p = this.begin('get', key, undefined);
    let value: unknown;
    try {
      value = await this.call(p, () => this.adapter.get(key, { id: p.id }));
    } catch (error) {
      throw this.failed(p, error);
    }
    if (value !== undefined && typeof value !== 'string') {
      const detail = `resolved to ${describeValue(value)}; a get must resolve to a string or undefined (a miss)`;
      this.options.onBreach?.({ call: `get(${JSON.stringify(key)})`, detail });
      throw this.failed(p, new Error(`adapter contract: get ${detail}`));
    }
    if (value === undefined) this.counts.misses++;
    else this.counts.hits++;
    return { value, op: this.end(p, value === undefined ? 'miss' : 'hit', value) };
  }

  async set(key: string, value: string, ttlMs: number): Promise<CacheOpRecord> {
    this.counts.sets++;
    const p = this.begin('set', key, value);
    try {
      await this.call(p, () => this.adapter.set(key, value, ttlMs, { id: p.id }));
    } catch (error) {
      throw this.failed(p, error);
    }
    return this.end(p, 'ok', value);
  }

  async delete(key: string): Promise<CacheOpRecord> {
    this.counts.deletes++;
    const p = this.begin('delete', key, undefined);
    try {
      await this.call(p, () => this.adapter.delete(key, { id: p.id }));
    } catch (error) {
      throw this.failed(p, error);
    }
    return this.end(p, 'ok', undefined);
  }

  /**
   * Ends every operation still unanswered as failed (its effect, if any, is unknown): called when
   * the run ends, so the history holds every operation the service began.
   */
  abandonPending(reason: string): void {
    for (const p of [...this.pending.values()]) p.settle?.(new Error(reason));
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  private begin(op: CacheOpRecord['op'], key: string, value: string | undefined): Pending {
    const p: Pending = { id: this.nextId++, op, key, value, startedAt: Math.round(this.clock.now()), startedReal: performance.now() };
    this.pending.set(p.id, p);
    return p;
  }

  /** Calls into the adapter: a throw, a rejection or a timeout all end the operation as failed. */
  private call<T>(p: Pending, invoke: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      p.settle = reject;
      try {
        Promise.resolve(invoke()).then(resolve, reject);
      } catch (error) {
        reject(error);
      }
    });
  }

  private expire(limitMs: number): void {
    const now = performance.now();
    for (const p of this.pending.values()) {
      if (now - p.startedReal >= limitMs) p.settle?.(new Error(`no answer within ${limitMs} ms (cache.operationTimeout)`));
    }
  }

  private failed(p: Pending, error: unknown): Error {
    this.counts.errors++;
    if (p.op === 'get') this.counts.getErrors++;
    const message = asError(error).message;
    // a fresh error: the adapter's own may be frozen, shared, or not an Error at all
    return Object.assign(new Error(message), { cacheOp: this.end(p, 'error', p.value, message) });
  }

  private end(p: Pending, outcome: CacheOpRecord['outcome'], value: string | undefined, error?: string): CacheOpRecord {
    this.pending.delete(p.id);
    p.settle = undefined;
    const latencyMs = performance.now() - p.startedReal;
    this.latency.record(latencyMs);
    this.window.record(latencyMs);
    const record: CacheOpRecord = {
      id: p.id,
      op: p.op,
      key: p.key,
      value: value === undefined ? undefined : value.slice(0, MAX_VALUE_CHARS),
      outcome,
      startedAt: p.startedAt,
      at: Math.round(this.clock.now()),
      doneAfter: this.nextId - 1,
      latencyMs: Math.round(latencyMs * 1000) / 1000,
      adapter: this.adapter.id,
      connectionId: this.connectionId(),
    };
    if (error !== undefined) record.error = error;
    this.options.onOp?.(record);
    return record;
  }

  private connectionId(): string | undefined {
    if (typeof this.adapter.connectionId !== 'function') return undefined;
    try {
      const id = this.adapter.connectionId();
      return id === undefined ? undefined : String(id);
    } catch {
      return undefined;
    }
  }
}

function asError(error: unknown): { message: string } {
  if (error instanceof Error) return error;
  return { message: typeof error === 'string' ? error : `non-error thrown: ${describeValue(error)}` };
}
