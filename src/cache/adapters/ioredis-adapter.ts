import type { Redis, RedisOptions } from 'ioredis';
import { defineCacheAdapter, numberOption, type CacheAdapter, type CacheAdapterContext } from '../cache-adapter.ts';
import {
  booleanOption,
  closedError,
  loadClientLibrary,
  reconnectDelay,
  requireUrl,
  settleWithin,
  withDeadline,
  type LoadedLibrary,
  clientTimeouts,
  connectOrUnreachable,
} from './network-adapter-support.ts';

/**
 * ioredis against a real redis-server (through the chaos proxy in a run).
 *
 * Options (scenario `cache.options`), chosen so a chaos run never waits forever:
 * - commandTimeout (1000 ms): ioredis rejects any command, queued or written, after this.
 * - maxRetriesPerRequest (1): after that many failed reconnects the offline queue is flushed
 *   with MaxRetriesPerRequestError instead of piling up for the whole outage (default 20).
 * - enableOfflineQueue (true): commands issued while reconnecting wait (bounded by the above)
 *   rather than fail at once, which is how most deployments run ioredis.
 * - autoResendUnfulfilledCommands (true, the library default): commands in flight when the
 *   connection dropped are written again on the new connection. Left as shipped on purpose:
 *   it is part of the behaviour under test.
 * - reconnectMaxDelay (500 ms): retryStrategy is 50 ms doubling up to this cap.
 * - connectTimeout (2000 ms).
 */
type IoredisModule = { default: new (url: string, options: RedisOptions) => Redis };

class IoredisAdapter implements CacheAdapter {
  readonly id = 'ioredis';
  private readonly client: Redis;
  private readonly lib: LoadedLibrary<IoredisModule>;
  private readonly opDeadlineMs: number;
  private closed = false;
  private connections = 0;

  constructor(client: Redis, lib: LoadedLibrary<IoredisModule>, commandTimeout: number) {
    this.client = client;
    this.lib = lib;
    // a safety net behind ioredis' own commandTimeout (an aliased old version may lack it)
    this.opDeadlineMs = commandTimeout + 500;
    // every (re)connection that reaches 'ready' is a new connection id in the evidence
    client.on('ready', () => this.connections++);
  }

  async get(key: string): Promise<string | undefined> {
    this.assertOpen();
    const value = await withDeadline(this.client.get(key), this.opDeadlineMs, `ioredis GET ${key}`);
    return value ?? undefined;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.assertOpen();
    const command = ttlMs !== undefined && ttlMs > 0
      ? this.client.set(key, value, 'PX', Math.ceil(ttlMs))
      : this.client.set(key, value);
    await withDeadline(command, this.opDeadlineMs, `ioredis SET ${key}`);
  }

  async delete(key: string): Promise<void> {
    this.assertOpen();
    await withDeadline(this.client.del(key), this.opDeadlineMs, `ioredis DEL ${key}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // QUIT waits for pending replies; a dead server must not make close hang
    await settleWithin(Promise.resolve().then(() => this.client.quit()), 1000);
    this.client.disconnect();
  }

  connectionId(): string {
    return `ioredis#${this.connections}`;
  }

  library(): { name: string; version: string } {
    return { name: this.lib.name, version: this.lib.version };
  }

  private assertOpen(): void {
    if (this.closed) throw closedError(this.id);
  }
}

async function create(context: CacheAdapterContext): Promise<CacheAdapter> {
  const url = requireUrl(context, 'ioredis', ['redis:', 'rediss:']);
  const { options } = context;
  const { commandTimeout, connectTimeout, reconnectMaxDelay } = clientTimeouts(options);
  const lib = await loadClientLibrary<IoredisModule>(context.module ?? 'ioredis', 'ioredis');
  const client = new lib.module.default(url.href, {
    lazyConnect: true,
    connectTimeout,
    commandTimeout,
    maxRetriesPerRequest: numberOption(options, 'maxRetriesPerRequest', 1),
    enableOfflineQueue: booleanOption(options, 'enableOfflineQueue', true),
    autoResendUnfulfilledCommands: booleanOption(options, 'autoResendUnfulfilledCommands', true),
    retryStrategy: (times: number) => reconnectDelay(times, reconnectMaxDelay),
  });
  // ioredis emits 'error' on every failed (re)connect; unhandled, it would crash the process.
  // Failures reach callers as rejected commands, which is where the harness counts them.
  client.on('error', () => {});
  const adapter = new IoredisAdapter(client, lib, commandTimeout);
  await connectOrUnreachable('ioredis', url, client.connect(), connectTimeout + 500, () => client.disconnect());
  return adapter;
}

export default defineCacheAdapter({
  id: 'ioredis',
  description: 'ioredis (or --cache-module alias) against a real redis-server',
  server: 'redis',
  create,
});
