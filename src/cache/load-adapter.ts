import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { usageError } from '../errors.ts';
import { isAdapterModulePath, resolveCacheAdapter } from './builtin-adapters.ts';
import type { CacheAdapterDefinition } from './cache-adapter.ts';

/**
 * A built-in adapter by id, or a user's module (`./my-adapter.js`, resolved from the working
 * directory) whose default export is a definition made with `defineCacheAdapter`.
 */
export async function loadCacheAdapter(id: string, origin: string): Promise<CacheAdapterDefinition> {
  if (!isAdapterModulePath(id)) return resolveCacheAdapter(id, origin);
  const path = resolve(id);
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ERR_MODULE_NOT_FOUND' ? 'no such module' : (error as Error).message.split('\n')[0];
    throw usageError('ADAPTER_MODULE_UNLOADABLE', `${origin}: cannot load cache adapter module ${path}: ${why}`);
  }
  const definition = loaded.default as Partial<CacheAdapterDefinition> | undefined;
  if (typeof definition !== 'object' || definition === null || typeof definition.id !== 'string' || typeof definition.create !== 'function') {
    throw usageError(
      'ADAPTER_MODULE_INVALID',
      `${origin}: ${path} does not export a cache adapter: its default export must be defineCacheAdapter({ id, description, create })`,
    );
  }
  if (definition.server !== undefined && definition.server !== 'redis' && definition.server !== 'memcached') {
    throw usageError('ADAPTER_MODULE_INVALID', `${origin}: ${path}: server must be 'redis' or 'memcached', found ${JSON.stringify(definition.server)}`);
  }
  return { description: definition.description ?? `user adapter ${path}`, ...definition } as CacheAdapterDefinition;
}
