import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CacheAdapterContext, ConfessingAdapter } from '../src/cache/cache-adapter.ts';
import faultyWireCrossedReplies from '../src/cache/wire/faulty-wire-crossed-replies.ts';
import faultyWireStaleQueue from '../src/cache/wire/faulty-wire-stale-queue.ts';
import { FifoRespClient, type FifoRespClientOptions } from '../src/cache/wire/fifo-resp-client.ts';
import type { WireCacheAdapter } from '../src/cache/wire/wire-adapter.ts';
import { startDelayingProxy, startPrivateRedis, type DelayingProxy, type PrivateRedis } from './support/delaying-proxy.ts';
import { sleep } from './support/async.ts';

/**
 * The wire client against a private redis-server behind a delaying proxy. The chaos is the
 * same for every mode; only the bug switches differ. Each GET is checked against its own key.
 */
const KEYS = 'ABCDEFGHIJKL'.split('').map((c) => `owner:${c}`);
const valueOf = (key: string): string => `acct-${key.slice('owner:'.length)}`;

let redis: PrivateRedis;
let proxy: DelayingProxy;
const clients: FifoRespClient[] = [];

beforeAll(async () => {
  redis = await startPrivateRedis();
  proxy = await startDelayingProxy(redis.port);
  const direct = new FifoRespClient({ host: '127.0.0.1', port: redis.port, timeoutMs: 2000 });
  await Promise.all(KEYS.map((key) => direct.set(key, valueOf(key))));
  await direct.close();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  proxy.setDelay(0);
  proxy.destroyAll();
});

afterAll(async () => {
  await proxy?.close();
  await redis?.stop();
});

function client(options: Partial<FifoRespClientOptions>): FifoRespClient {
  const c = new FifoRespClient({ host: '127.0.0.1', port: proxy.port, timeoutMs: 200, reconnectDelayMs: 20, ...options });
  clients.push(c);
  return c;
}

interface Outcome {
  key: string;
  value?: string;
  error?: string;
}

/** Issues a GET and records what came back instead of throwing. */
function get(c: FifoRespClient, key: string): Promise<Outcome> {
  return c.get(key).then(
    (value) => ({ key, value }),
    (error: Error & { code?: string }) => ({ key, error: error.code ?? error.message }),
  );
}

async function connected(c: FifoRespClient, connections: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (c.connections < connections) {
    if (Date.now() > deadline) throw new Error(`no connection #${connections}`);
    await sleep(5);
  }
}

/** A1 trigger: one GET slower than the 200 ms timeout, then two GETs queued behind its reply. */
async function lateReplyRound(c: FifoRespClient, [a, b, d]: string[]): Promise<Outcome[]> {
  proxy.setDelay(300);
  const first = get(c, a);
  await sleep(250); // `a` has timed out; its request is still on the wire
  proxy.setDelay(0); // b and d queue behind a (the proxy keeps order); a's reply comes first
  return Promise.all([first, get(c, b), get(c, d)]);
}

/** A2 trigger (the recipe in docs/mechanisms.md): two GETs in flight, sockets reset, three new GETs on the new socket. */
async function resetRound(c: FifoRespClient, [a, b, d, e, f]: string[]): Promise<Outcome[]> {
  const before = c.connections;
  proxy.setDelay(200);
  const inFlight = [get(c, a), get(c, b)];
  await sleep(50);
  proxy.destroyAll();
  await connected(c, before + 1);
  const fresh = [d, e, f].map((key) => get(c, key));
  return Promise.all([...inFlight, ...fresh]).finally(() => proxy.setDelay(0));
}

/** Both triggers, then seeded random latency, concurrency and resets. */
async function chaos(c: FifoRespClient): Promise<Outcome[]> {
  await connected(c, 1);
  const outcomes = [...(await lateReplyRound(c, KEYS.slice(0, 3))), ...(await resetRound(c, KEYS.slice(3, 8)))];
  let seed = 7;
  const random = (n: number): number => (seed = (seed * 48271) % 2147483647) % n;
  for (let round = 0; round < 12; round++) {
    proxy.setDelay([0, 0, 60, 300][random(4)]);
    const batch = Array.from({ length: 1 + random(4) }, () => get(c, KEYS[random(KEYS.length)]));
    if (random(4) === 0) setTimeout(() => proxy.destroyAll(), 30);
    outcomes.push(...(await Promise.all(batch)));
    await sleep(random(3) * 100);
  }
  proxy.setDelay(0);
  await sleep(400); // let late replies land before counting
  return outcomes;
}

const wrong = (outcomes: Outcome[]): Outcome[] => outcomes.filter((o) => o.value !== undefined && o.value !== valueOf(o.key));

describe('FIFO RESP client', () => {
  it('correct mode: the same chaos gives every GET its own value or an error', async () => {
    const c = client({});
    const outcomes = await chaos(c);
    expect(wrong(outcomes)).toEqual([]);
    expect(c.wrongValues).toEqual([]);
    expect(outcomes.filter((o) => o.value !== undefined).length).toBeGreaterThan(5);
    expect(outcomes.some((o) => o.error === 'ETIMEDOUT')).toBe(true);
    expect(outcomes.some((o) => o.error === 'ECONNLOST')).toBe(true);
  });

  it('correct mode: a late reply is discarded and in-flight requests fail on a reset', async () => {
    const quick = client({});
    const c = client({ timeoutMs: 1000 });
    await Promise.all([connected(quick, 1), connected(c, 1)]);
    const late = await lateReplyRound(quick, KEYS.slice(0, 3));
    expect(late).toEqual([{ key: 'owner:A', error: 'ETIMEDOUT' }, { key: 'owner:B', value: 'acct-B' }, { key: 'owner:C', value: 'acct-C' }]);
    expect(await resetRound(c, KEYS.slice(0, 5))).toEqual([
      { key: 'owner:A', error: 'ECONNLOST' },
      { key: 'owner:B', error: 'ECONNLOST' },
      { key: 'owner:C', value: 'acct-C' },
      { key: 'owner:D', value: 'acct-D' },
      { key: 'owner:E', value: 'acct-E' },
    ]);
  });

  it('a black-holed connection is abandoned after 10 timeouts\' worth of silence', async () => {
    const c = client({ timeoutMs: 50 });
    await connected(c, 1);
    proxy.setDelay(60_000);
    for (let i = 0; i < 14 && c.connections < 2; i++) await get(c, KEYS[i % KEYS.length]).then(() => sleep(10));
    expect(c.connections).toBe(2);
    proxy.setDelay(0);
    proxy.destroyAll(); // the old pair's queued bytes go with it
    await connected(c, 3);
    expect(await get(c, 'owner:A')).toEqual({ key: 'owner:A', value: 'acct-A' });
  });

  it('dropOnTimeout (A1): the late reply goes to the next GET, and every wrong value is confessed', async () => {
    const c = client({ dropOnTimeout: true, mechanism: 'A1 crossed-replies' });
    await connected(c, 1);
    expect(await lateReplyRound(c, KEYS.slice(0, 3))).toEqual([
      { key: 'owner:A', error: 'ETIMEDOUT' },
      { key: 'owner:B', value: 'acct-A' },
      { key: 'owner:C', value: 'acct-B' },
    ]);
    expect(c.wrongValues.map((w) => [w.key, w.returned])).toEqual([['owner:B', 'acct-A'], ['owner:C', 'acct-B']]);
    expect(c.wrongValues[0].mechanism).toMatch(/^A1 crossed-replies: GET owner:B got the reply to GET owner:A/);

    const before = c.wrongValues.length;
    const observed = wrong(await chaos(c));
    expect(observed.length).toBeGreaterThan(0);
    expect(c.wrongValues.length - before).toBe(observed.length);
  });

  it('keepQueueOnReconnect (A2): the A2 recipe shifts replies onto the kept requests, confessed', async () => {
    const c = client({ keepQueueOnReconnect: true, timeoutMs: 1000, mechanism: 'A2 stale-queue' });
    await connected(c, 1);
    // like node_redis 2.2.5: A and B get C's and D's replies, C gets E's, D and E wait in vain
    expect(await resetRound(c, KEYS.slice(0, 5))).toEqual([
      { key: 'owner:A', value: 'acct-C' },
      { key: 'owner:B', value: 'acct-D' },
      { key: 'owner:C', value: 'acct-E' },
      { key: 'owner:D', error: 'ETIMEDOUT' },
      { key: 'owner:E', error: 'ETIMEDOUT' },
    ]);
    expect(c.wrongValues.map((w) => [w.key, w.returned])).toEqual([['owner:A', 'acct-C'], ['owner:B', 'acct-D'], ['owner:C', 'acct-E']]);
    expect(c.wrongValues[2].mechanism).toMatch(/^A2 stale-queue: GET owner:C got the reply to GET owner:E/);

    // the general chaos, with the short timeout of the other modes
    const short = client({ keepQueueOnReconnect: true });
    const observed = wrong(await chaos(short));
    expect(short.wrongValues.length).toBe(observed.length);
  });

  it('the faulty adapters read url and timeout from the context and quote the op ids', async () => {
    const context = (options: Record<string, unknown>, url: string | undefined = proxy.url): CacheAdapterContext =>
      ({ url, options, clock: { now: () => 42 } }) as unknown as CacheAdapterContext;
    const noUrl = { options: {} } as unknown as CacheAdapterContext;
    expect(faultyWireCrossedReplies).toMatchObject({ server: 'redis', mechanism: 'A1 crossed-replies' });
    expect(faultyWireStaleQueue).toMatchObject({ server: 'redis', mechanism: 'A2 stale-queue' });
    expect(() => faultyWireStaleQueue.create(noUrl)).toThrow(/needs a redis:\/\/host:port URL/);
    expect(() => faultyWireStaleQueue.create(context({ timeout: -1 }))).toThrow(/cache.options.timeout/);

    const adapter = (await faultyWireStaleQueue.create(context({ timeout: 1000 }))) as WireCacheAdapter & ConfessingAdapter;
    clients.push(adapter.client);
    await connected(adapter.client, 1);
    proxy.setDelay(200);
    const settle = (p: Promise<unknown>) => p.catch(() => undefined);
    const inFlight = [settle(adapter.get('owner:A', { id: 1 })), settle(adapter.get('owner:B', { id: 2 }))];
    await sleep(50);
    proxy.destroyAll();
    await connected(adapter.client, 2);
    const fresh = ['owner:C', 'owner:D', 'owner:E'].map((key, i) => settle(adapter.get(key, { id: 3 + i })));
    expect(await Promise.all([...inFlight, ...fresh])).toEqual(['acct-C', 'acct-D', 'acct-E', undefined, undefined]);
    expect(adapter.wrongValues.map(({ opId, key, returned, at }) => ({ opId, key, returned, at }))).toEqual([
      { opId: 1, key: 'owner:A', returned: 'acct-C', at: 42 },
      { opId: 2, key: 'owner:B', returned: 'acct-D', at: 42 },
      { opId: 3, key: 'owner:C', returned: 'acct-E', at: 42 },
    ]);
    expect(adapter.connectionId()).toBe('wire-conn-2');
  });
});
