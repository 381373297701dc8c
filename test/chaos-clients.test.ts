import { Redis } from 'ioredis';
import memjs from 'memjs';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChaosProxy } from '../src/chaos/chaos-proxy.ts';
import { createRng } from '../src/rng/seeded-rng.ts';
import { startPrivateServer, type PrivateServer } from '../src/servers/private-server.ts';
import { sleep, within } from './support/async.ts';
import { skipWithout } from './support/server-skip.ts';

/**
 * The proxy in front of real servers and the real client libraries the runner wires to it: the
 * protocol bytes survive the proxy, and each fault is seen by the client the way it is meant to be.
 * Skipped where redis-server / memcached are not installed.
 */
async function settled<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

describe.skipIf(skipWithout('redis', 'redis clients through the chaos proxy'))('redis clients through the chaos proxy', () => {
  let server: PrivateServer;
  let proxy: ChaosProxy;
  beforeAll(async () => {
    server = await startPrivateServer('redis');
    proxy = await ChaosProxy.start({ upstream: { host: server.host, port: server.port }, rng: createRng(3, 'clients') });
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });

  it('ioredis: latency, reset with a GET in flight, outage and back', async () => {
    const client = new Redis(proxy.url('redis'), { commandTimeout: 2000, maxRetriesPerRequest: 1, retryStrategy: () => 50, lazyConnect: true });
    client.on('error', () => {});
    const events: string[] = [];
    client.on('close', () => events.push('close'));
    client.on('ready', () => events.push('ready'));
    try {
      await client.connect();
      await client.set('owner:A', 'acct-A');
      const id = proxy.addToxic({ type: 'latency', attributes: { latency: 100 } });
      let start = performance.now();
      expect(await client.get('owner:A')).toBe('acct-A');
      expect(performance.now() - start).toBeGreaterThanOrEqual(90);
      proxy.removeToxic(id);

      proxy.addToxic({ type: 'latency', name: 'hold', attributes: { latency: 300 } });
      const inFlight = settled(client.get('owner:A'));
      await sleep(50);
      expect(proxy.resetAll()).toBe(1);
      proxy.removeToxic('hold');
      // autoResendUnfulfilledCommands (the default) writes the GET again on the new connection
      expect(await within(inFlight, 5_000, 'the in-flight GET')).toEqual({ ok: true, value: 'acct-A' });
      expect(events).toEqual(['ready', 'close', 'ready']);

      await proxy.setEnabled(false);
      const during = await within(settled(client.get('owner:A')), 5_000, 'GET during outage');
      expect(during.ok).toBe(false);
      await proxy.setEnabled(true);
      start = performance.now();
      let back: unknown;
      while (performance.now() - start < 5_000) {
        const r2 = await settled(client.get('owner:A'));
        if (r2.ok) { back = r2.value; break; }
        await sleep(20);
      }
      expect(back).toBe('acct-A');
    } finally {
      client.disconnect();
    }
  });

  it('node-redis: reset with a GET in flight', async () => {
    const client = createClient({ url: proxy.url('redis'), socket: { reconnectStrategy: () => 50 } });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.set('owner:B', 'acct-B');
      proxy.addToxic({ type: 'latency', name: 'hold', attributes: { latency: 300 } });
      const inFlight = settled(client.get('owner:B'));
      await sleep(50);
      proxy.resetAll();
      proxy.removeToxic('hold');
      expect(await within(inFlight, 5_000, 'the in-flight GET')).toEqual({ ok: false, error: 'read ECONNRESET' });
      expect(await within(client.get('owner:B'), 5_000, 'GET after reconnect')).toBe('acct-B');
    } finally {
      client.destroy();
    }
  });
});

describe.skipIf(skipWithout('memcached', 'memjs through the chaos proxy'))('memjs through the chaos proxy', () => {
  it('memjs: set/get, then a reset with a get in flight', async () => {
    const server = await startPrivateServer('memcached');
    const proxy = await ChaosProxy.start({ upstream: { host: server.host, port: server.port }, rng: createRng(4, 'memjs') });
    const client = memjs.Client.create(`${proxy.host}:${proxy.port}`, { timeout: 2, retries: 0, logger: { log: () => {} } });
    try {
      await client.set('owner:C', 'acct-C', {});
      expect((await client.get('owner:C')).value?.toString()).toBe('acct-C');
      proxy.addToxic({ type: 'latency', name: 'hold', attributes: { latency: 300 } });
      const inFlight = settled(client.get('owner:C'));
      await sleep(50);
      proxy.resetAll();
      proxy.removeToxic('hold');
      expect(await within(inFlight, 5_000, 'in-flight get')).toEqual({ ok: false, error: 'read ECONNRESET' });
      // memjs 1.3.2: a request issued before the dead socket's 'close' event has its new socket
      // orphaned by that event and never written (it hangs until the caller's own deadline);
      // one tick later memjs reconnects normally
      await sleep(20);
      const again = await within(client.get('owner:C'), 5_000, 'get after reconnect');
      expect(again.value?.toString()).toBe('acct-C');
      expect(proxy.stats.connectionsOpened).toBe(2);
    } finally {
      client.close();
      await proxy.close();
      await server.stop();
    }
  });
});
