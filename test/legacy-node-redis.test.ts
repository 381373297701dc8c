import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheAdapterContext } from '../src/cache/cache-adapter.ts';
import { legacyNodeRedis225, legacyNodeRedis230, type LegacyNodeRedisAdapter } from '../src/cache/adapters/legacy-node-redis-adapter.ts';
import { startDelayingProxy, startPrivateRedis, type DelayingProxy, type PrivateRedis } from './support/delaying-proxy.ts';
import { sleep } from './support/async.ts';

/**
 * The real positive/negative pair of mechanism A2 (docs/mechanisms.md), reproduced as recorded
 * there: redis@2.2.5 keeps its command queue across a reconnect and hands the new replies to the
 * commands that were in flight; redis@2.3.0 rejects those and answers the new ones correctly.
 * Private redis-server behind a delaying proxy.
 */
const KEYS = ['owner:A', 'owner:B', 'owner:C', 'owner:D', 'owner:E'];
const valueOf = (key: string): string => `acct-${key.slice(-1)}`;

let redis: PrivateRedis;
let proxy: DelayingProxy;

beforeAll(async () => {
  redis = await startPrivateRedis();
  proxy = await startDelayingProxy(redis.port);
  const direct = (await legacyNodeRedis230.create(context(redis.url))) as LegacyNodeRedisAdapter;
  await Promise.all(KEYS.map((key) => direct.set(key, valueOf(key))));
  await direct.close();
});

afterAll(async () => {
  await proxy?.close();
  await redis?.stop();
});

function context(url: string): CacheAdapterContext {
  // `timeout` is the wrapper's deadline; it only ends the test's wait for replies that never come
  return { url, options: { timeout: 1500 } } as unknown as CacheAdapterContext;
}

/** What a GET ended with: its value, or the error it got. */
function get(adapter: LegacyNodeRedisAdapter, key: string): Promise<string> {
  return adapter.get(key).then(
    (value) => `${key} → ${value}`,
    (error: Error & { code?: string }) => `${key} ✗ ${error.code ?? error.message}`,
  );
}

async function recipe(adapter: LegacyNodeRedisAdapter): Promise<{ inFlight: string[]; fresh: string[] }> {
  const deadline = Date.now() + 5000;
  while (adapter.connections < 1 && Date.now() < deadline) await sleep(5);
  proxy.setDelay(200);
  const inFlight = Promise.all(KEYS.slice(0, 2).map((key) => get(adapter, key)));
  await sleep(50);
  proxy.destroyAll();
  while (adapter.connections < 2 && Date.now() < deadline) await sleep(5);
  expect(adapter.connections).toBe(2);
  const fresh = Promise.all(KEYS.slice(2).map((key) => get(adapter, key)));
  return { inFlight: await inFlight, fresh: await fresh };
}

describe('node_redis 2.x through a reset with commands in flight', () => {
  it('redis@2.2.5 hands the new replies to the old commands, with no error', async () => {
    const adapter = (await legacyNodeRedis225.create(context(proxy.url))) as LegacyNodeRedisAdapter;
    try {
      expect(adapter.library()).toEqual({ name: 'redis', version: '2.2.5' });
      const { inFlight, fresh } = await recipe(adapter);
      expect(inFlight).toEqual(['owner:A → acct-C', 'owner:B → acct-D']);
      expect(fresh[0]).toBe('owner:C → acct-E');
      // D and E never hear back: their replies went to A and B; only the test's deadline ends them
      expect(fresh.slice(1)).toEqual(['owner:D ✗ redis@2.2.5: no reply within 1500ms', 'owner:E ✗ redis@2.2.5: no reply within 1500ms']);
      expect(adapter.errors).toEqual([]);
    } finally {
      proxy.setDelay(0);
      await adapter.close();
    }
  });

  it('redis@2.3.0 rejects the commands in flight and answers the new ones correctly', async () => {
    const adapter = (await legacyNodeRedis230.create(context(proxy.url))) as LegacyNodeRedisAdapter;
    try {
      expect(adapter.library()).toEqual({ name: 'redis', version: '2.3.0' });
      const { inFlight, fresh } = await recipe(adapter);
      expect(inFlight).toEqual(['owner:A ✗ UNCERTAIN_STATE', 'owner:B ✗ UNCERTAIN_STATE']);
      expect(fresh).toEqual(['owner:C → acct-C', 'owner:D → acct-D', 'owner:E → acct-E']);
      // 2.3.0 also emits 'error' for the aborted commands: unhandled, it would kill the process
      expect(adapter.errors.map((e) => (e as { code?: string }).code)).toEqual(['UNCERTAIN_STATE']);
    } finally {
      proxy.setDelay(0);
      await adapter.close();
    }
  });

  it('honours context.module, and close() is bounded even with the server gone', async () => {
    const ctx = { ...context(proxy.url), module: 'redis-2.3.0' } as CacheAdapterContext;
    const adapter = (await legacyNodeRedis225.create(ctx)) as LegacyNodeRedisAdapter;
    expect(adapter.library()).toEqual({ name: 'redis', version: '2.3.0' });
    const dead = (await legacyNodeRedis225.create(context('redis://127.0.0.1:1'))) as LegacyNodeRedisAdapter;
    const started = Date.now();
    await Promise.all([adapter.close(), dead.close()]);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(() => legacyNodeRedis225.create({ ...ctx, module: 'no-such-redis' })).toThrow(/cannot load package "no-such-redis"/);
  });
});
