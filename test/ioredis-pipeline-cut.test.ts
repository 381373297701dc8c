import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheAdapter, CacheAdapterContext } from '../src/cache/cache-adapter.ts';
import { ioredisMulti4160, ioredisMulti4161 } from '../src/cache/adapters/ioredis-multi-adapter.ts';
import { startPrivateRedis, type PrivateRedis } from './support/delaying-proxy.ts';
import { skipWithout } from './support/server-skip.ts';

/**
 * redis/ioredis#800 with the real versions (docs/mechanisms.md, A6): a proxy passes the replies
 * of a MULTI up to its first `+QUEUED`, then resets the connection. ioredis 4.16.0 puts the
 * unanswered rest of the transaction back in its command queue without writing it, so each GET
 * after the reconnect gets the reply meant for a later one; 4.16.1 aborts the transaction.
 */
const KEYS = ['owner:B', 'owner:C', 'owner:D', 'owner:E'];
const valueOf = (key: string): string => `acct-${key.slice(-1)}`;

interface CuttingProxy {
  port: number;
  /** Cut the next server→client chunk holding a MULTI's `+QUEUED` right after it. */
  armCut(): void;
  cuts: number;
  close(): Promise<void>;
}

async function startCuttingProxy(targetPort: number): Promise<CuttingProxy> {
  let armed = false;
  const sockets = new Set<Socket>();
  const proxy: CuttingProxy = { port: 0, armCut: () => void (armed = true), cuts: 0, close: async () => {} };
  const server: Server = createServer((client) => {
    const upstream = createConnection(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d: Buffer) => {
      const at = d.indexOf('+QUEUED\r\n');
      if (armed && at >= 0) {
        armed = false;
        proxy.cuts++;
        client.write(d.subarray(0, at + 9), () => {
          client.resetAndDestroy();
          upstream.destroy();
        });
        return;
      }
      client.write(d);
    });
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as { port: number }).port;
  proxy.close = () => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return proxy;
}

let redis: PrivateRedis;
let proxy: CuttingProxy;

const context = (url: string): CacheAdapterContext =>
  ({ url, options: { commandTimeout: 1000, enableReadyCheck: false, reconnectMaxDelay: 50 } }) as unknown as CacheAdapterContext;

beforeAll(async () => {
  if (skipWithout('redis')) return;
  redis = await startPrivateRedis();
  proxy = await startCuttingProxy(redis.port);
  const direct = await ioredisMulti4161.create(context(redis.url));
  await Promise.all(KEYS.map((key) => direct.set(key, valueOf(key))));
  await direct.close();
});

afterAll(async () => {
  await proxy?.close();
  await redis?.stop();
});

/** A write as MULTI cut after its first reply, then a GET of every key: what each GET ended with. */
async function recipe(adapter: CacheAdapter): Promise<{ write: string; reads: string[] }> {
  await adapter.get('warm-up');
  proxy.armCut();
  const write = adapter.set('owner:A', 'acct-A', 60_000).then(() => 'ok', (e: Error) => `✗ ${e.message}`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const reads = await Promise.all(
    KEYS.map((key) => adapter.get(key).then((value) => `${key} → ${value}`, () => `${key} ✗`)),
  );
  return { write: await write, reads };
}

describe.skipIf(skipWithout('redis'))('ioredis 4.16 with a MULTI cut after its first reply', () => {
  it('4.16.0 answers GETs with other keys\' values', async () => {
    const adapter = await ioredisMulti4160.create(context(`redis://127.0.0.1:${proxy.port}`));
    try {
      expect(adapter.library?.()).toEqual({ name: 'ioredis', version: '4.16.0' });
      const { reads } = await recipe(adapter);
      expect(proxy.cuts).toBe(1);
      // the transaction's GET-less tail (PEXPIRE, EXEC) sits unwritten at the head of the queue and
      // takes the first two replies: every reply after it lands two commands early, with no error
      expect(reads).toEqual(['owner:B → acct-D', 'owner:C → acct-E', 'owner:D ✗', 'owner:E ✗']);
    } finally {
      await adapter.close();
    }
  });

  it('4.16.1 fails the cut transaction and answers every GET with its own value', async () => {
    const adapter = await ioredisMulti4161.create(context(`redis://127.0.0.1:${proxy.port}`));
    try {
      expect(adapter.library?.()).toEqual({ name: 'ioredis', version: '4.16.1' });
      const { write, reads } = await recipe(adapter);
      expect(proxy.cuts).toBe(2);
      expect(write).toMatch(/^✗ /);
      expect(reads).toEqual(KEYS.map((key) => `${key} → ${valueOf(key)}`));
    } finally {
      await adapter.close();
    }
  });
});
