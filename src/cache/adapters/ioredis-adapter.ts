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
 * - enableReadyCheck (true, the library default): after each connect, INFO before any command.
 * - reconnectMaxDelay (500 ms): retryStrategy is 50 ms doubling up to this cap.
 * - connectTimeout (2000 ms).
 */
type IoredisModule = { default: new (url: string, options: RedisOptions) => Redis };

/** How a write goes out: one `SET … PX`, or `MULTI; SET; PEXPIRE; EXEC` as code from before SET PX did. */
export type IoredisWrites = 'set-px' | 'multi';

class IoredisAdapter implements CacheAdapter {
  readonly id: string;
  private readonly writes: IoredisWrites;
  private readonly client: Redis;
  private readonly lib: LoadedLibrary<IoredisModule>;
  private readonly opDeadlineMs: number;
  private closed = false;
  private connections = 0;

  constructor(id: string, writes: IoredisWrites, client: Redis, lib: LoadedLibrary<IoredisModule>, commandTimeout: number) {
    this.id = id;
    this.writes = writes;
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
    const ttl = ttlMs !== undefined && ttlMs > 0 ? Math.ceil(ttlMs) : undefined;
    const command: Promise<unknown> =
      this.writes === 'multi' && ttl !== undefined
        ? this.client.multi().set(key, value).pexpire(key, ttl).exec().then(execResult)
        : ttl !== undefined
          ? this.client.set(key, value, 'PX', ttl)
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

/** EXEC's answer: a discarded transaction, or a command in it that failed, is a failed write. */
function execResult(replies: [Error | null, unknown][] | null): unknown {
  if (replies === null) throw new Error('EXEC: transaction discarded');
  const failed = replies.find(([error]) => error !== null);
  if (failed) throw failed[0];
  return replies;
}

/** An ioredis adapter: `id` names it, `packageName` is the library it loads unless `--cache-module` names another. */
export async function createIoredisAdapter(context: CacheAdapterContext, id = 'ioredis', packageName = 'ioredis', writes: IoredisWrites = 'set-px'): Promise<CacheAdapter> {
  const url = requireUrl(context, id, ['redis:', 'rediss:']);
  const { options } = context;
  const { commandTimeout, connectTimeout, reconnectMaxDelay } = clientTimeouts(options);
  const lib = await loadClientLibrary<IoredisModule>(context.module ?? packageName, id);
  const client = new lib.module.default(url.href, {
    lazyConnect: true,
    connectTimeout,
    commandTimeout,
    maxRetriesPerRequest: numberOption(options, 'maxRetriesPerRequest', 1),
    enableOfflineQueue: booleanOption(options, 'enableOfflineQueue', true),
    autoResendUnfulfilledCommands: booleanOption(options, 'autoResendUnfulfilledCommands', true),
    enableReadyCheck: booleanOption(options, 'enableReadyCheck', true),
    retryStrategy: (times: number) => reconnectDelay(times, reconnectMaxDelay),
  });
  // ioredis emits 'error' on every failed (re)connect; unhandled, it would crash the process.
  // Failures reach callers as rejected commands, which is where the harness counts them.
  client.on('error', () => {});
  const adapter = new IoredisAdapter(id, writes, client, lib, commandTimeout);
  await connectOrUnreachable(id, url, client.connect(), connectTimeout + 500, () => client.disconnect());
  return adapter;
}

export default defineCacheAdapter({
  id: 'ioredis',
  description: 'ioredis (or --cache-module alias) against a real redis-server',
  server: 'redis',
  create: (context) => createIoredisAdapter(context),
});
