import { didYouMean } from '../did-you-mean.ts';
import { usageError } from '../errors.ts';
import type { CacheAdapterDefinition } from './cache-adapter.ts';
import ioredis from './adapters/ioredis-adapter.ts';
import { ioredisMulti4160, ioredisMulti4161 } from './adapters/ioredis-multi-adapter.ts';
import { legacyNodeRedis225, legacyNodeRedis230 } from './adapters/legacy-node-redis-adapter.ts';
import memjs from './adapters/memjs-adapter.ts';
import memory from './adapters/memory-adapter.ts';
import nodeRedis from './adapters/node-redis-adapter.ts';
import crossedReplies from './faulty/crossed-replies.ts';
import keyCollision from './faulty/key-collision.ts';
import longKeyTruncation from './faulty/long-key-truncation.ts';
import staleOwner from './faulty/stale-owner.ts';
import wireCrossedReplies from './wire/faulty-wire-crossed-replies.ts';
import wireStaleQueue from './wire/faulty-wire-stale-queue.ts';
import wireCorrect from './wire/wire-correct.ts';

/** Built-in cache adapters by id: adding one is one file and one line here. */
export const cacheAdapters: ReadonlyMap<string, CacheAdapterDefinition> = new Map(
  [
    // in-process
    memory,
    crossedReplies,
    staleOwner,
    keyCollision,
    longKeyTruncation,
    // real client libraries against a real server
    ioredis,
    nodeRedis,
    memjs,
    legacyNodeRedis230,
    legacyNodeRedis225,
    ioredisMulti4161,
    ioredisMulti4160,
    // a small RESP client: correct, and with each wire-level bug switched on
    wireCorrect,
    wireCrossedReplies,
    wireStaleQueue,
  ].map((definition) => [definition.id, definition]),
);

/** `./x.js`, `../x.ts`, `/abs/x.mjs`: a user's adapter module rather than a built-in id. */
export function isAdapterModulePath(id: string): boolean {
  return /^(\.{1,2}\/|\/)/.test(id) || /\.(m?js|ts)$/.test(id);
}

export function isFaultyAdapterId(id: string): boolean {
  return id.startsWith('faulty:');
}

/** Why `id` names no adapter: the nearest ids first, then every id (`crosswire list adapters` says what each is). */
export function unknownAdapterMessage(id: string): string {
  return `unknown cache adapter ${JSON.stringify(id)}${didYouMean(id, cacheAdapters.keys())}; expected one of: ${[...cacheAdapters.keys()].join(', ')}, or a module path like ./my-adapter.js`;
}

export function resolveCacheAdapter(id: string, origin: string): CacheAdapterDefinition {
  const definition = cacheAdapters.get(id);
  if (definition === undefined) throw usageError('UNKNOWN_CACHE_ADAPTER', `${origin}: ${unknownAdapterMessage(id)}`);
  return definition;
}
