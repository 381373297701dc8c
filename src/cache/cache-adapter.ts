import type { Clock } from '../clock/clock.ts';
import type { Rng } from '../rng/seeded-rng.ts';

/**
 * The cache layer under test. Values are strings (what goes over a wire). Implementations may
 * be in-process, a real client library, or deliberately faulty (positive controls).
 */
export interface CacheAdapter {
  readonly id: string;
  /** `op` identifies the operation in evidence; adapters that report wrong values quote it. */
  get(key: string, op?: CacheOpRef): Promise<string | undefined>;
  set(key: string, value: string, ttlMs?: number, op?: CacheOpRef): Promise<void>;
  delete(key: string, op?: CacheOpRef): Promise<void>;
  close(): Promise<void>;
  /**
   * Drops every entry (the cache-flush fault, a service restart with a cold cache). In-process
   * adapters implement it; a network cache is flushed at its server instead.
   */
  flush?(): Promise<void>;
  /** Which connection served the last operation, when the adapter can tell (evidence). */
  connectionId?(): string | undefined;
  /** The library and version really loaded, for the report. */
  library?(): { name: string; version: string } | undefined;
}

export interface CacheOpRef {
  readonly id: number;
}

/** A value an adapter handed out that was not what the key held: the adapter's own confession. */
export interface WrongValue {
  opId: number | undefined;
  key: string;
  returned: string;
  /** What a correct cache would have answered (undefined: a miss). */
  expected: string | undefined;
  mechanism: string;
  at: number;
}

/** Adapters that are faulty on purpose implement this so tests can check the oracle exactly. */
export interface ConfessingAdapter extends CacheAdapter {
  readonly wrongValues: readonly WrongValue[];
}

export interface CacheAdapterContext {
  /** Seeded stream for the adapter's own random decisions. */
  rng: Rng;
  clock: Clock;
  /** Adapter-specific options from the scenario's `cache.options`. */
  options: Record<string, unknown>;
  /**
   * For network adapters: where to connect (`redis://127.0.0.1:PORT`, `memcached://…`). The
   * runner points it at the chaos proxy in front of the server, not at the server itself.
   */
  url?: string;
  /** Load the client library from this installed package name instead (npm aliases). */
  module?: string;
}

export interface CacheAdapterDefinition {
  id: string;
  description: string;
  /** The server a network adapter needs: the runner starts a private one when no URL is given. */
  server?: 'redis' | 'memcached';
  /** The mechanism a faulty adapter reproduces, as docs/mechanisms.md names it (`A1 crossed-replies`). */
  mechanism?: string;
  create(context: CacheAdapterContext): CacheAdapter | Promise<CacheAdapter>;
}

/** Identity helper that types a user adapter module's default export. */
export function defineCacheAdapter(definition: CacheAdapterDefinition): CacheAdapterDefinition {
  return definition;
}

export function isConfessing(adapter: CacheAdapter): adapter is ConfessingAdapter {
  return Array.isArray((adapter as Partial<ConfessingAdapter>).wrongValues);
}

/** A `cache.options` value the adapter refuses: the user's input, so exit 2 naming the field. */
export class AdapterOptionError extends TypeError {
  override readonly name = 'AdapterOptionError';
}

/** Reads a numeric adapter option with a default, refusing nonsense (exit 2 upstream). */
export function numberOption(options: Record<string, unknown>, name: string, fallback: number): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new AdapterOptionError(`cache.options.${name}: expected a non-negative number, found ${JSON.stringify(value)}`);
  }
  return value;
}
