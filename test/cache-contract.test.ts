import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheAdapter, CacheAdapterContext, CacheAdapterDefinition } from '../src/cache/cache-adapter.ts';
import ioredis from '../src/cache/adapters/ioredis-adapter.ts';
import { memcachedKey } from '../src/cache/adapters/memjs-adapter.ts';
import memjs from '../src/cache/adapters/memjs-adapter.ts';
import memory from '../src/cache/adapters/memory-adapter.ts';
import nodeRedis from '../src/cache/adapters/node-redis-adapter.ts';
import { loadClientLibrary } from '../src/cache/adapters/network-adapter-support.ts';
import keyCollision from '../src/cache/faulty/key-collision.ts';
import { ScaledClock } from '../src/clock/scaled-clock.ts';
import { createRng } from '../src/rng/seeded-rng.ts';
import { startPrivateServer, type PrivateServer } from '../src/servers/private-server.ts';
import { skipWithout } from './support/server-skip.ts';
import {
  assertCacheAdapterContract,
  contractCheckNames,
  runCacheAdapterContract,
  type ContractResult,
} from '../src/testkit/index.ts';

/**
 * Every adapter crosswire ships, and the example a user would write, passes the same contract;
 * and the contract is able to fail: deliberately broken adapters fail exactly the check aimed
 * at their bug. A missing redis-server/memcached skips its adapters locally with an install
 * hint, but fails under CI (process.env.CI), where both are installed.
 */
const clock = new ScaledClock(1);
afterAll(() => clock.stop());

function context(url?: string, options: Record<string, unknown> = {}): CacheAdapterContext {
  return { rng: createRng(7, 'contract'), clock, options, url };
}

function failures(results: ContractResult[]): string[] {
  return results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`);
}

function failedNames(results: ContractResult[]): string[] {
  return results.filter((r) => !r.ok).map((r) => r.name);
}

/**
 * Server down: operations reject within a bound (never hang). Server back on the same port: the
 * adapter reconnects by itself, on a new connection, to a cold cache.
 */
async function expectSurvivesRestart(adapter: CacheAdapter, server: PrivateServer): Promise<void> {
  await adapter.set('restart:k', 'before');
  const connectionBefore = adapter.connectionId?.();
  await server.stop();
  const started = Date.now();
  await expect(adapter.get('restart:k')).rejects.toThrow();
  expect(Date.now() - started).toBeLessThan(3000);
  await server.restart();
  const deadline = Date.now() + 5000;
  let after: string | undefined | null = null;
  while (after === null && Date.now() < deadline) {
    after = await adapter.get('restart:k').catch(() => null);
    if (after === null) await new Promise((r) => setTimeout(r, 25));
  }
  expect(after).toBeUndefined(); // back, and cold
  await adapter.set('restart:k', 'after');
  expect(await adapter.get('restart:k')).toBe('after');
  expect(adapter.connectionId?.()).not.toBe(connectionBefore);
}

function expectAllPass(results: ContractResult[]): void {
  expect(results.map((r) => r.name)).toEqual(contractCheckNames);
  expect(failures(results)).toEqual([]);
}

describe('cache adapter contract: in-process adapters', () => {
  it('memory passes', async () => {
    expectAllPass(await runCacheAdapterContract(() => memory.create(context()), { ttlMs: 300 }));
  });

  it('the example user adapter (plain ESM JavaScript) passes', async () => {
    // loaded the way the runner loads `--cache ./my-adapter.js`: a module path, default export
    const definition = (await import(new URL('../examples/user-adapter.js', import.meta.url).href)).default as CacheAdapterDefinition;
    expect(definition.id).toBe('example-map');
    expectAllPass(await assertCacheAdapterContract(() => definition.create(context())));
  });
});

const redisSkip = skipWithout('redis', 'redis client contract checks (ioredis, node-redis, redis@2.x, wire clients)');
describe.skipIf(redisSkip)(`cache adapter contract: redis clients${redisSkip ? ' (install redis-server)' : ''}`, () => {
  let server: PrivateServer;
  beforeAll(async () => {
    server = await startPrivateServer('redis');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('ioredis passes', async () => {
    expectAllPass(await runCacheAdapterContract(() => ioredis.create(context(server.url)), { ttlMs: 300 }));
  });

  it('node-redis passes on the same server', async () => {
    expectAllPass(await runCacheAdapterContract(() => nodeRedis.create(context(server.url)), { ttlMs: 300 }));
  });

  it('reports the library and version really loaded', async () => {
    for (const [definition, name] of [[ioredis, 'ioredis'], [nodeRedis, 'redis']] as const) {
      const adapter = await definition.create(context(server.url));
      try {
        expect(adapter.library?.()).toMatchObject({ name, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
        expect(adapter.connectionId?.()).toMatch(/#1$/);
      } finally {
        await adapter.close();
      }
    }
  });

  it('ioredis and node-redis fail fast while the server is down and reconnect when it is back', async () => {
    for (const definition of [ioredis, nodeRedis]) {
      const adapter = await definition.create(context(server.url));
      try {
        await expectSurvivesRestart(adapter, server);
      } finally {
        await adapter.close();
      }
    }
  });
});

const memcachedSkip = skipWithout('memcached', 'memjs contract checks');
describe.skipIf(memcachedSkip)(`cache adapter contract: memjs${memcachedSkip ? ' (install memcached)' : ''}`, () => {
  let server: PrivateServer;
  beforeAll(async () => {
    server = await startPrivateServer('memcached');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('memjs passes (memcached expires in whole seconds)', async () => {
    expectAllPass(await runCacheAdapterContract(() => memjs.create(context(server.url)), { ttlResolutionMs: 1000 }));
  });

  it('memjs fails fast while the server is down and reconnects when it is back', async () => {
    const adapter = await memjs.create(context(server.url));
    try {
      await expectSurvivesRestart(adapter, server);
    } finally {
      await adapter.close();
    }
  });

});

describe('network adapters load the library they are told to, and refuse to start without what they need', () => {
  it('an npm alias loads, and the version reported is the aliased package\'s own', async () => {
    // "redis-2.2.5": "npm:redis@2.2.5" in package.json: imported by alias, reported as redis@2.2.5
    expect(await loadClientLibrary('redis-2.2.5', 'node-redis')).toMatchObject({ name: 'redis', version: '2.2.5', specifier: 'redis-2.2.5' });
    await expect(loadClientLibrary('no-such-cache-client', 'ioredis')).rejects.toMatchObject({ code: 'CACHE_MODULE_NOT_FOUND', exitCode: 2 });
  });

  it('keys memcached cannot take are hashed, and the hashed form cannot meet a raw key', () => {
    expect(memcachedKey('owner:cam-1')).toBe('owner:cam-1');
    expect(memcachedKey('owner:a b')).toMatch(/^h:[0-9a-f]{64}$/);
    expect(memcachedKey('k'.repeat(251))).toMatch(/^h:[0-9a-f]{64}$/);
    const hashed = memcachedKey('k'.repeat(300));
    expect(memcachedKey(hashed)).not.toBe(hashed); // a raw key that looks hashed is hashed again
  });

  it('no URL is a usage error naming the flag', async () => {
    for (const definition of [ioredis, nodeRedis, memjs]) {
      await expect(Promise.resolve().then(() => definition.create(context()))).rejects.toMatchObject({
        code: 'CACHE_URL_REQUIRED',
        exitCode: 2,
        message: expect.stringContaining('--cache-url'),
      });
    }
  });

  it('an unreachable server is exit 69, within the connect timeout', async () => {
    const started = Date.now();
    // port 1 on loopback: nothing listens there, the connection is refused at once
    for (const [definition, url] of [[ioredis, 'redis://127.0.0.1:1'], [nodeRedis, 'redis://127.0.0.1:1'], [memjs, 'memcached://127.0.0.1:1']] as const) {
      await expect(Promise.resolve().then(() => definition.create(context(url, { connectTimeout: 500 })))).rejects.toMatchObject({
        code: 'CACHE_UNREACHABLE',
        exitCode: 69,
      });
    }
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

/** Broken on purpose, each in one way: the contract must pin the failure on the right check. */
function mapAdapter(overrides: Partial<Pick<CacheAdapter, 'get' | 'set'>> & { key?: (k: string) => string; ignoreTtl?: boolean } = {}): CacheAdapter {
  const store = new Map<string, { value: string; expires: number }>();
  const key = overrides.key ?? ((k: string) => k);
  const read = (k: string): string | undefined => {
    const entry = store.get(key(k));
    return entry !== undefined && entry.expires > Date.now() ? entry.value : undefined;
  };
  return {
    id: 'broken',
    get: async (k) => read(k),
    set: async (k, value, ttlMs) => {
      store.set(key(k), { value, expires: ttlMs && !overrides.ignoreTtl ? Date.now() + ttlMs : Infinity });
    },
    delete: async (k) => {
      store.delete(key(k));
    },
    close: async () => {},
    ...overrides,
  };
}

/** Answers each batch of concurrent gets with its neighbour's reply: a crossed-reply bug. */
function crossedRepliesAdapter(): CacheAdapter {
  const inner = mapAdapter();
  let batch: { key: string; resolve: (value: string | undefined) => void }[] = [];
  return {
    ...inner,
    get: (key) =>
      new Promise((resolve) => {
        batch.push({ key, resolve });
        if (batch.length === 1) {
          setImmediate(async () => {
            const pending = batch;
            batch = [];
            const values = await Promise.all(pending.map((p) => inner.get(p.key)));
            pending.forEach((p, i) => p.resolve(values[(i + 1) % pending.length]));
          });
        }
      }),
  };
}

describe('the contract fails broken adapters on the right check', () => {
  it('keys truncated to 64 characters: adversarial-keys', async () => {
    const results = await runCacheAdapterContract(() => mapAdapter({ key: (k) => k.slice(0, 64) }));
    expect(failedNames(results)).toEqual(['adversarial-keys']);
    expect(results.find((r) => r.name === 'adversarial-keys')!.detail).toMatch(/collision/);
  });

  it('replies crossed between concurrent gets: concurrency', async () => {
    const results = await runCacheAdapterContract(crossedRepliesAdapter);
    expect(failedNames(results)).toEqual(['concurrency']);
    expect(results.find((r) => r.name === 'concurrency')!.detail).toMatch(/another key's value/);
  });

  it('TTL ignored: ttl', async () => {
    expect(failedNames(await runCacheAdapterContract(() => mapAdapter({ ignoreTtl: true }), { ttlMs: 200 }))).toEqual(['ttl']);
  });

  it('a get that never settles after close: close, bounded', async () => {
    const hangs = (): CacheAdapter => {
      let closed = false;
      const inner = mapAdapter();
      return { ...inner, get: (k) => (closed ? new Promise(() => {}) : inner.get(k)), close: async () => void (closed = true) };
    };
    expect(failedNames(await runCacheAdapterContract(hangs, { ttlMs: 200 }))).toEqual(['close']);
  });

  it('the built-in positive control faulty:key-collision fails on keys', async () => {
    const failed = failedNames(await runCacheAdapterContract(() => keyCollision.create(context()), { ttlMs: 200 }));
    expect(failed).toContain('adversarial-keys');
    expect(failed).toContain('concurrency');
  });

  it('assertCacheAdapterContract throws listing each failed check', async () => {
    await expect(assertCacheAdapterContract(() => mapAdapter({ key: (k) => k.slice(0, 64), ignoreTtl: true }), { ttlMs: 200 })).rejects.toThrow(
      /2 of 10 checks failed:\n {2}✗ ttl: .*\n {2}✗ adversarial-keys: /,
    );
  });
});
