import { connect } from 'node:net';
import { resolve } from 'node:path';
import { bounded, describeValue, messageOf, shapeBreaches, TimeLimitError, withMissingMethods } from '../cache/adapter-guard.ts';
import { AdapterOptionError, type CacheAdapter, type CacheAdapterDefinition } from '../cache/cache-adapter.ts';
import { isAdapterModulePath } from '../cache/builtin-adapters.ts';
import { loadCacheAdapter } from '../cache/load-adapter.ts';
import type { Clock } from '../clock/clock.ts';
import { CrosswireError, isCrosswireError, usageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { createRng } from '../rng/seeded-rng.ts';
import type { Scenario } from '../scenario/schema.ts';
import { namingTheServer, openCacheNetwork, type CacheNetwork } from './cache-network.ts';
import { adapterCodeMarkers } from './stray-errors.ts';

export interface OpenedCache {
  definition: CacheAdapterDefinition;
  network: CacheNetwork | undefined;
  adapter: CacheAdapter;
  /** Contract breaches found in the adapter's shape (a missing method): judged, not fatal. */
  shapeBreaches: string[];
  /** How the adapter is named in messages: `cache adapter ./x.js (id x)`. */
  name: string;
  /** Paths in a stack trace that mean adapter code (for errors nobody handled). */
  codeMarkers: string[];
}

/**
 * The cache under test, started: its definition loaded, its private server and chaos proxy up,
 * its create() called within `cache.createTimeout`. An adapter that cannot start ends the run
 * with exit 5 naming it and the call; a server that cannot be reached, with exit 69 naming the
 * URL; bad `cache.options`, with exit 2.
 */
export async function openCache(scenario: Scenario, clock: Clock): Promise<OpenedCache> {
  const { cache, seed } = scenario;
  const definition = await loadCacheAdapter(cache.adapter, 'cache.adapter');
  const network = await openCacheNetwork(definition, cache, createRng(seed, 'chaos-proxy'));
  const name = describeAdapter(definition, cache.adapter);
  let created: unknown;
  try {
    created = await bounded(
      () => definition.create({ rng: createRng(seed, 'cache-adapter'), clock, options: cache.options, url: network?.url, module: cache.module }),
      cache.createTimeout,
      `${name}: create()`,
      'cache.createTimeout',
    );
  } catch (error) {
    await network?.close();
    throw await startFailure(error, name, network, cache.url);
  }
  if (typeof created !== 'object' || created === null) {
    await network?.close();
    throw new CrosswireError('ADAPTER_START_FAILED', `${name}: create() resolved to ${describeValue(created)}, not an adapter object`, ExitCode.adapterStart);
  }
  const breaches = shapeBreaches(created);
  const adapter = withMissingMethods(created as CacheAdapter, definition.id);
  const modulePath = isAdapterModulePath(cache.adapter) ? resolve(cache.adapter) : undefined;
  return { definition, network, adapter, shapeBreaches: breaches, name, codeMarkers: adapterCodeMarkers(modulePath, cache.module) };
}

/** `cache adapter ./my-adapter.js (id my-cache)` or `cache adapter ioredis`. */
export function describeAdapter(definition: CacheAdapterDefinition, given: string): string {
  return given === definition.id ? `cache adapter ${given}` : `cache adapter ${given} (id ${definition.id})`;
}

async function startFailure(error: unknown, name: string, network: CacheNetwork | undefined, givenUrl: string | undefined): Promise<CrosswireError> {
  // the adapter was given the proxy's URL: name the server the user knows, with the proxy beside it
  if (isCrosswireError(error)) return network ? namingTheServer(error, network) : error;
  if (error instanceof AdapterOptionError) return usageError('CACHE_ADAPTER_OPTIONS', `${name}: ${error.message}`);
  // a create() that fails because nothing answers at the server is the server's absence, not the adapter's fault
  if (network !== undefined && !(await reachable(network.serverUrl))) {
    const field = givenUrl !== undefined ? `cache.url / --cache-url ${givenUrl}` : `the private server at ${network.serverUrl}`;
    return new CrosswireError('CACHE_UNREACHABLE', `${name}: cannot reach ${field}: ${messageOf(error)}`, ExitCode.unavailable);
  }
  const how = error instanceof TimeLimitError ? error.message : `${name}: create() threw: ${messageOf(error)}`;
  return new CrosswireError('ADAPTER_START_FAILED', how, ExitCode.adapterStart);
}

/** Whether a TCP connection to the server opens within a second (loopback or the user's URL). */
function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
