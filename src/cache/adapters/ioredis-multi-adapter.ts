import { defineCacheAdapter } from '../cache-adapter.ts';
import { createIoredisAdapter } from './ioredis-adapter.ts';

/**
 * The real ioredis 4.16.0 and 4.16.1, pinned as npm aliases, writing each record as
 * `MULTI; SET; PEXPIRE; EXEC` (how code from before `SET … PX` sets a value with a TTL).
 * 4.16.0 loses track of a pipeline whose connection closes after some of its replies were read:
 * on reconnect the unanswered rest is put back in the command queue but never written, so the
 * replies to later commands go to the wrong callers (redis/ioredis#800). 4.16.1 aborts such
 * pipelines on reconnect (redis/ioredis#1084) and is correct.
 */
function pinned(version: string, description: string) {
  const id = `ioredis@${version}`;
  return defineCacheAdapter({
    id,
    description,
    server: 'redis',
    create: (context) => createIoredisAdapter(context, id, `ioredis-${version}`, 'multi'),
  });
}

export const ioredisMulti4160 = pinned(
  '4.16.0',
  'the real ioredis 4.16.0, writes as MULTI/SET/PEXPIRE/EXEC: a pipeline cut mid-reply by a reconnect shifts later replies (#800)',
);
export const ioredisMulti4161 = pinned('4.16.1', 'the real ioredis 4.16.1, writes as MULTI/SET/PEXPIRE/EXEC: aborts a half-answered pipeline on reconnect (#1084); correct');
