import type { RedisClientOptions } from 'redis';
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
 * node-redis (`redis` v6; `--cache-module` for an alias) against a real redis-server.
 *
 * Options, chosen so a chaos run never waits forever:
 * - commandTimeout (1000 ms): node-redis' own per-command `timeout` only covers commands not
 *   yet written (it is cleared when a command goes on the wire), so every operation also has an
 *   adapter-side deadline of the same length. node-redis keeps the written command in its reply
 *   queue, so its late reply still goes to it, never to the next request.
 * - disableOfflineQueue (false, the library default): commands issued while reconnecting wait
 *   (up to commandTimeout) instead of failing at once; true makes them fail fast.
 * - commandsQueueMaxLength (100000): a full queue rejects instead of growing through an outage
 *   (10,000 was filled by the herd of a 10k-camera storm, with no fault at all).
 * - reconnectMaxDelay (500 ms): 50 ms doubling to this cap (the default caps at 2 s + jitter
 *   and gives up for good on a socket timeout).
 * - connectTimeout (2000 ms).
 * On a connection loss node-redis rejects the commands in flight (fixed since 2.3.0; see
 * mechanism A2 in docs/mechanisms.md) and writes the unsent ones on the new connection.
 */
interface NodeRedisClient {
  connect(): Promise<unknown>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options?: { expiration?: { type: 'PX'; value: number } }): Promise<unknown>;
  del(key: string): Promise<number>;
  close(): Promise<void>;
  destroy(): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}
type NodeRedisModule = { createClient(options: RedisClientOptions): unknown };

class NodeRedisAdapter implements CacheAdapter {
  readonly id = 'node-redis';
  private readonly client: NodeRedisClient;
  private readonly lib: LoadedLibrary<NodeRedisModule>;
  private readonly commandTimeout: number;
  private closed = false;
  private connections = 0;

  constructor(client: NodeRedisClient, lib: LoadedLibrary<NodeRedisModule>, commandTimeout: number) {
    this.client = client;
    this.lib = lib;
    this.commandTimeout = commandTimeout;
    client.on('ready', () => this.connections++);
  }

  async get(key: string): Promise<string | undefined> {
    this.assertOpen();
    const value = await withDeadline(this.client.get(key), this.commandTimeout, `node-redis GET ${key}`);
    return value ?? undefined;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.assertOpen();
    const options = ttlMs !== undefined && ttlMs > 0 ? { expiration: { type: 'PX' as const, value: Math.ceil(ttlMs) } } : undefined;
    await withDeadline(this.client.set(key, value, options), this.commandTimeout, `node-redis SET ${key}`);
  }

  async delete(key: string): Promise<void> {
    this.assertOpen();
    await withDeadline(this.client.del(key), this.commandTimeout, `node-redis DEL ${key}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // close() waits for pending replies; destroy() drops them if the server does not answer
    if (!(await settleWithin(Promise.resolve().then(() => this.client.close()), 1000))) this.client.destroy();
  }

  connectionId(): string {
    return `node-redis#${this.connections}`;
  }

  library(): { name: string; version: string } {
    return { name: this.lib.name, version: this.lib.version };
  }

  private assertOpen(): void {
    if (this.closed) throw closedError(this.id);
  }
}

async function create(context: CacheAdapterContext): Promise<CacheAdapter> {
  const url = requireUrl(context, 'node-redis', ['redis:', 'rediss:']);
  const { options } = context;
  const { commandTimeout, connectTimeout, reconnectMaxDelay } = clientTimeouts(options);
  const lib = await loadClientLibrary<NodeRedisModule>(context.module ?? 'redis', 'node-redis');
  const client = lib.module.createClient({
    url: url.href,
    socket: {
      connectTimeout,
      // always a number: never give up for good, however the connection was lost
      reconnectStrategy: (retries: number) => reconnectDelay(retries + 1, reconnectMaxDelay),
    },
    disableOfflineQueue: booleanOption(options, 'disableOfflineQueue', false),
    commandsQueueMaxLength: numberOption(options, 'commandsQueueMaxLength', 100_000),
    commandOptions: { timeout: commandTimeout },
  }) as NodeRedisClient;
  // node-redis emits 'error' for every failed (re)connect; callers see rejected commands instead
  client.on('error', () => {});
  const adapter = new NodeRedisAdapter(client, lib, commandTimeout);
  await connectOrUnreachable('node-redis', url, client.connect(), connectTimeout + 500, () => client.destroy());
  return adapter;
}

export default defineCacheAdapter({
  id: 'node-redis',
  description: 'node-redis (redis v6, or --cache-module alias) against a real redis-server',
  server: 'redis',
  create,
});
