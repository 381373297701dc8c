import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ExitCode } from '../../exit-codes.ts';
import { CrosswireError, usageError } from '../../errors.ts';
import { numberOption, type CacheAdapterContext } from '../cache-adapter.ts';

/** Shared plumbing of the adapters over real client libraries (ioredis, node-redis, memjs). */

const requireFromHere = createRequire(import.meta.url);

export interface LoadedLibrary<T> {
  module: T;
  /** The package's own name (an npm alias `ioredis-next` still says `ioredis`). */
  name: string;
  version: string;
  /** What was imported: the alias when one was given. */
  specifier: string;
}

/**
 * Imports the client library by package name, so `--cache-module ioredis-next` (an npm alias)
 * puts two versions side by side, and reads the version really loaded from its package.json.
 */
export async function loadClientLibrary<T>(specifier: string, adapterId: string): Promise<LoadedLibrary<T>> {
  let module: T;
  try {
    module = (await import(specifier)) as T;
  } catch (error) {
    throw usageError(
      'CACHE_MODULE_NOT_FOUND',
      `cache adapter ${adapterId}: cannot load ${JSON.stringify(specifier)} (${(error as Error).message}); install it, e.g. npm install ${specifier}`,
    );
  }
  const pkg = readPackageJson(specifier);
  return { module, name: pkg?.name ?? specifier, version: pkg?.version ?? 'unknown', specifier };
}

function readPackageJson(specifier: string): { name: string; version: string } | undefined {
  const parse = (file: string): { name?: unknown; version?: unknown } => JSON.parse(readFileSync(file, 'utf8'));
  try {
    const pkg = parse(requireFromHere.resolve(`${specifier}/package.json`));
    if (typeof pkg.name === 'string' && typeof pkg.version === 'string') return { name: pkg.name, version: pkg.version };
  } catch {
    // package.json not exported: walk up from the main file instead
  }
  try {
    // nested package.json files ({"type": "module"} in dist/) carry no name/version: skip them
    for (let dir = dirname(requireFromHere.resolve(specifier)); dir !== dirname(dir); dir = dirname(dir)) {
      try {
        const pkg = parse(join(dir, 'package.json'));
        if (typeof pkg.name === 'string' && typeof pkg.version === 'string') return { name: pkg.name, version: pkg.version };
      } catch {
        // no package.json here
      }
    }
  } catch {
    // not resolvable by require (ESM-only without a require condition): version unknown
  }
  return undefined;
}

/** The URL a network adapter must have; the runner gives it (private server or --cache-url). */
export function requireUrl(context: CacheAdapterContext, adapterId: string, schemes: readonly string[]): URL {
  const raw = context.url;
  if (raw === undefined || raw === '') {
    throw usageError(
      'CACHE_URL_REQUIRED',
      `cache adapter ${adapterId} needs a server URL (${schemes[0]}//host:port): give --cache-url, or let crosswire start a private server`,
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError('CACHE_URL_INVALID', `cache adapter ${adapterId}: ${JSON.stringify(raw)} is not a URL (expected ${schemes[0]}//host:port)`);
  }
  if (!schemes.includes(url.protocol)) {
    throw usageError('CACHE_URL_INVALID', `cache adapter ${adapterId}: ${JSON.stringify(raw)} must start with ${schemes.join(' or ')}//`);
  }
  return url;
}

export function unreachable(adapterId: string, url: string, detail: string): CrosswireError {
  return new CrosswireError('CACHE_UNREACHABLE', `cache adapter ${adapterId}: cannot reach ${url}: ${detail}`, ExitCode.unavailable);
}

/**
 * The first contact with the server, bounded: on failure the client is torn down and the run
 * stops with exit 69 naming the URL, instead of a command error much later.
 */
export async function connectOrUnreachable(adapterId: string, url: URL, connect: Promise<unknown>, ms: number, abandon: () => void): Promise<void> {
  try {
    await withDeadline(connect, ms, `${adapterId} connect`);
  } catch (error) {
    abandon();
    throw unreachable(adapterId, url.href, (error as Error).message);
  }
}

export class OperationTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no reply within ${ms} ms`);
    this.name = 'OperationTimeoutError';
  }
}

/**
 * Settles with `promise`, or rejects after `ms`. Only the caller stops waiting: the library still
 * owns the request and pairs its late reply with it, so no reply can shift to another request.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  if (!(ms > 0) || !Number.isFinite(ms)) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new OperationTimeoutError(what, ms)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Never rejects: for shutdown paths that must finish within a bound whatever happens. */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

export function booleanOption(options: Record<string, unknown>, name: string, fallback: boolean): boolean {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new TypeError(`cache.options.${name}: expected true or false, found ${JSON.stringify(value)}`);
  }
  return value;
}

/** Exponential from 50 ms, capped: a chaos run wants the client back soon after the server is. */
export function reconnectDelay(attempt: number, capMs: number): number {
  return Math.min(50 * 2 ** Math.max(0, attempt - 1), capMs);
}

export function closedError(adapterId: string): Error {
  return new Error(`cache adapter ${adapterId} is closed`);
}

/** The timeouts every network adapter takes from `cache.options` (ms): fail fast, come back fast. */
export function clientTimeouts(options: Record<string, unknown>): { commandTimeout: number; connectTimeout: number; reconnectMaxDelay: number } {
  return {
    commandTimeout: numberOption(options, 'commandTimeout', 1000),
    connectTimeout: numberOption(options, 'connectTimeout', 2000),
    reconnectMaxDelay: numberOption(options, 'reconnectMaxDelay', 500),
  };
}
