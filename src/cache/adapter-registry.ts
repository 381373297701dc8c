import { usageError } from '../errors.ts';
import type { CacheAdapterDefinition } from './cache-adapter.ts';
import memory from './adapters/memory-adapter.ts';
import crossedReplies from './faulty/crossed-replies.ts';
import keyCollision from './faulty/key-collision.ts';
import staleOwner from './faulty/stale-owner.ts';

/** Built-in cache adapters by id: adding one is one file and one line here. */
export const cacheAdapters: ReadonlyMap<string, CacheAdapterDefinition> = new Map(
  [memory, crossedReplies, staleOwner, keyCollision].map((definition) => [definition.id, definition]),
);

export function isFaultyAdapterId(id: string): boolean {
  return id.startsWith('faulty:');
}

export function resolveCacheAdapter(id: string, origin: string): CacheAdapterDefinition {
  const definition = cacheAdapters.get(id);
  if (definition === undefined) {
    throw usageError(
      'UNKNOWN_CACHE_ADAPTER',
      `${origin}: unknown cache adapter ${JSON.stringify(id)} (expected one of: ${[...cacheAdapters.keys()].join(', ')})`,
    );
  }
  return definition;
}
