import type { CacheAdapter } from './cache-adapter.ts';

/**
 * Every call into adapter code is guarded: bounded in time, its throws caught, its results
 * checked against the contract. A breach is a finding about the adapter (the run FAILs on an
 * "adapter-contract" check quoting the call), never a crash of crosswire.
 */
export interface ContractBreach {
  /** The call as made, e.g. `get("owner:cam-0000001")` or `close()`. */
  call: string;
  /** What was wrong with it. */
  detail: string;
}

const REQUIRED_METHODS = ['get', 'set', 'delete', 'close'] as const;

/** What an adapter object lacks of the contract (one line each); empty when its shape is right. */
export function shapeBreaches(adapter: unknown): string[] {
  if (typeof adapter !== 'object' || adapter === null) return [`create() resolved to ${describeValue(adapter)}, not an adapter object`];
  const a = adapter as Record<string, unknown>;
  const out: string[] = [];
  if (typeof a.id !== 'string' || a.id.length === 0) out.push(`id is ${describeValue(a.id)}; it must be a non-empty string`);
  for (const method of REQUIRED_METHODS) {
    if (typeof a[method] !== 'function') out.push(`${method}() is missing (found ${describeValue(a[method])})`);
  }
  return out;
}

/** Stand-ins for missing methods: each call fails, so the run goes on and the breach is judged. */
export function withMissingMethods(adapter: CacheAdapter, idFallback: string): CacheAdapter {
  const a = adapter as unknown as Record<string, unknown>;
  if (typeof a.id !== 'string' || a.id.length === 0) Object.defineProperty(adapter, 'id', { value: idFallback, configurable: true });
  for (const method of REQUIRED_METHODS) {
    if (typeof a[method] !== 'function') {
      a[method] = method === 'close' ? async () => {} : async () => Promise.reject(new Error(`adapter contract: ${method}() is missing`));
    }
  }
  return adapter;
}

export class TimeLimitError extends Error {
  constructor(what: string, ms: number, field: string) {
    super(`${what} did not settle within ${ms} ms (${field})`);
    this.name = 'TimeLimitError';
  }
}

/**
 * Calls `invoke` and waits at most `ms` (wall clock) for it: a sync throw and a rejection both
 * reject; past the limit it rejects with a TimeLimitError and whatever the call does later is
 * ignored.
 */
export function bounded<T>(invoke: () => T | Promise<T>, ms: number, what: string, field: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // a ref'd timer: while crosswire waits on the call, the wait itself keeps the process alive
    const timer = setTimeout(() => reject(new TimeLimitError(what, ms, field)), ms);
    const done = <A extends unknown[]>(f: (...args: A) => void) => (...args: A) => {
      clearTimeout(timer);
      f(...args);
    };
    try {
      Promise.resolve(invoke()).then(done(resolve), done(reject));
    } catch (error) {
      done(reject)(error);
    }
  });
}

/** A value as a reader sees it in a message: type and a short rendering. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `the ${typeof value} ${String(value)}`;
  if (typeof value === 'function') return 'a function';
  if (Buffer.isBuffer(value)) return `a Buffer of ${value.length} bytes`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
}

/** An error's message for a reader, whatever was thrown. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : `non-error thrown: ${describeValue(error)}`;
}
