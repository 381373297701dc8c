import net from 'node:net';
import { startPrivateServer, type PrivateServer } from '../../src/servers/private-server.ts';

/**
 * A TCP proxy on loopback that forwards bytes both ways after a configurable delay, keeping their
 * order, and can drop every connection at once with data still in flight: the two triggers of
 * mechanisms A1 (latency above the client timeout) and A2 (a reset with requests in flight) in
 * docs/mechanisms.md.
 */
export interface DelayingProxy {
  readonly port: number;
  readonly url: string;
  /** Delay applied to chunks received from now on, in both directions. */
  setDelay(ms: number): void;
  /** Destroys every open connection pair; chunks still waiting are thrown away. */
  destroyAll(): void;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

export async function startDelayingProxy(targetPort: number, options: { delayMs?: number; targetHost?: string } = {}): Promise<DelayingProxy> {
  let delay = options.delayMs ?? 0;
  let accepted = 0;
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  /**
   * Forward from → to after the delay. One queue and one timer per direction: separate timers
   * for each chunk could fire out of order (timer lists differ, libuv time is cached), and a
   * TCP stream never reorders.
   */
  const pipe = (from: net.Socket, to: net.Socket): void => {
    const queue: { at: number; chunk: Buffer }[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const pump = (): void => {
      if (timer !== undefined) timers.delete(timer);
      timer = undefined;
      while (queue.length > 0 && queue[0].at <= Date.now()) {
        const { chunk } = queue.shift()!;
        if (!to.destroyed && !from.destroyed) to.write(chunk);
      }
      if (queue.length > 0) {
        timer = setTimeout(pump, Math.max(1, queue[0].at - Date.now()));
        timers.add(timer);
      }
    };
    from.on('data', (chunk: Buffer) => {
      const last = queue.at(-1)?.at ?? 0;
      queue.push({ at: Math.max(last, Date.now() + delay), chunk });
      if (timer === undefined) pump();
    });
    from.on('close', () => {
      clearTimeout(timer);
      queue.length = 0;
    });
  };

  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect({ host: options.targetHost ?? '127.0.0.1', port: targetPort });
    const pair = { client, upstream };
    pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    pipe(client, upstream);
    pipe(upstream, client);
    const drop = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', drop);
      socket.on('close', drop);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  const destroyAll = (): void => {
    for (const { client, upstream } of [...pairs]) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    setDelay(ms) {
      delay = ms;
    },
    destroyAll,
    get accepted() {
      return accepted;
    },
    async close() {
      destroyAll();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type PrivateRedis = PrivateServer;

/** A private redis-server on a free loopback port: never the shared one on 6379. */
export function startPrivateRedis(): Promise<PrivateRedis> {
  return startPrivateServer('redis');
}
