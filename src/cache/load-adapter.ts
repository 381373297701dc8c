import { existsSync } from 'node:fs';
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
    throw usageError('ADAPTER_MODULE_UNLOADABLE', `${origin}: cannot load cache adapter module ${path}: ${whyUnloadable(error, path)}`, error);
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

/**
 * Node's reason, made specific: the adapter file itself is missing, or a package (or file) it
 * imports cannot be resolved from where it lives — then name that import and the file importing it.
 */
function whyUnloadable(error: unknown, path: string): string {
  const message = (error as Error)?.message ?? String(error);
  if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') return message.split('\n')[0]!;
  if (!existsSync(path)) return 'no such file';
  const found = /Cannot find (package|module) '([^']+)' imported from (.+)$/m.exec(message);
  if (found === null) return message.split('\n')[0]!;
  const [, kind, name, importer] = found;
  const from = importer!.startsWith('file://') ? new URL(importer!).pathname : importer!;
  return kind === 'package'
    ? `it imports package ${JSON.stringify(name)}, which is not installed where ${from} can resolve it (npm install ${packageName(name!)} in that project)`
    : `it imports ${JSON.stringify(name)}, which does not exist (imported from ${from})`;
}

/** `@scope/pkg/sub` → `@scope/pkg`; `pkg/sub` → `pkg`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}
