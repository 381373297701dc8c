import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import { usageError } from '../../errors.ts';
import { defineCacheAdapter, numberOption, type CacheAdapter, type CacheAdapterContext } from '../cache-adapter.ts';
import { redisAddress } from '../wire/wire-adapter.ts';

/**
 * The real historical node_redis 2.x, pinned as npm aliases: `redis@2.2.5` keeps its command queue
 * across a reconnect (mechanism A2 in docs/mechanisms.md, redis/node-redis#898) and `redis@2.3.0`
 * rejects commands in flight on connection loss. A thin wrapper over the old callback API; it does
 * not confess — the oracle must catch 2.2.5 on its own.
 *
 * Options: `retryMaxDelay` (ms, default 100), `timeout` (ms, default 2000; 0 = none).
 */
type Callback<T> = (error: Error | null, reply: T) => void;

interface LegacyClient extends EventEmitter {
  connection_id: number;
  get(key: string, callback: Callback<string | null>): boolean;
  set(key: string, value: string, ...rest: unknown[]): boolean;
  del(key: string, callback: Callback<number>): boolean;
  quit(callback?: Callback<string>): boolean;
  end(flush?: boolean): void;
}

interface LegacyModule {
  createClient(port: number, host: string, options: Record<string, unknown>): LegacyClient;
}

const require = createRequire(import.meta.url);

export class LegacyNodeRedisAdapter implements CacheAdapter {
  readonly id: string;
  readonly client: LegacyClient;
  private readonly version: string;
  private readonly timeoutMs: number;
  private closed = false;
  /** 'connect' events so far: 2 after the first reconnect. */
  connections = 0;
  /** Connection-level errors the library emitted (kept, never thrown). */
  readonly errors: Error[] = [];

  constructor(id: string, packageName: string, context: CacheAdapterContext) {
    this.id = id;
    const { host, port } = redisAddress(id, context.url);
    let library: LegacyModule;
    try {
      library = require(packageName) as LegacyModule;
      this.version = (require(`${packageName}/package.json`) as { version: string }).version;
    } catch (error) {
      throw usageError('CACHE_LIBRARY_MISSING', `cache adapter ${id}: cannot load package ${JSON.stringify(packageName)}: ${(error as Error).message}`);
    }
    this.timeoutMs = numberOption(context.options, 'timeout', 2000);
    this.client = library.createClient(port, host, {
      no_ready_check: true, // no INFO on connect: the FIFO holds exactly the caller's commands
      retry_max_delay: numberOption(context.options, 'retryMaxDelay', 100),
      enable_offline_queue: true,
    });
    // Without a listener a connection error would be thrown as an uncaught exception.
    this.client.on('error', (error: Error) => {
      if (this.errors.length < 1000) this.errors.push(error);
    });
    this.client.on('connect', () => this.connections++);
  }

  get(key: string): Promise<string | undefined> {
    return this.call<string | null>((cb) => this.client.get(key, cb)).then((value) => value ?? undefined);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    const ttl = ttlMs !== undefined && ttlMs > 0 ? ['PX', Math.ceil(ttlMs)] : [];
    await this.call<string>((cb) => this.client.set(key, value, ...ttl, cb));
  }

  async delete(key: string): Promise<void> {
    await this.call<number>((cb) => this.client.del(key, cb));
  }

  /**
   * The caller's deadline, not the library's: the library keeps the command's queue slot, so a
   * late reply is still consumed by it and the deadline adds no bug of its own.
   */
  private call<T>(issue: (callback: Callback<T>) => void): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`${this.id}: closed`));
    return new Promise<T>((resolve, reject) => {
      const timer = this.timeoutMs > 0 ? setTimeout(() => reject(new Error(`${this.id}: no reply within ${this.timeoutMs}ms`)), this.timeoutMs) : undefined;
      issue((error, reply) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(reply);
      });
    });
  }

  /** QUIT politely, but never wait more than half a second for a dead connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      const bound = setTimeout(resolve, 500);
      try {
        this.client.quit(() => {
          clearTimeout(bound);
          resolve();
        });
      } catch {
        resolve();
      }
    });
    this.client.end(true); // stops the retry timer and fails whatever is still queued
  }

  connectionId(): string {
    return `${this.id}#${this.client.connection_id}/${this.connections}`;
  }

  library(): { name: string; version: string } {
    return { name: 'redis', version: this.version };
  }
}

function legacy(id: string, packageName: string, description: string) {
  return defineCacheAdapter({
    id,
    description,
    server: 'redis',
    create: (context) => new LegacyNodeRedisAdapter(id, context.module ?? packageName, context),
  });
}

export const legacyNodeRedis225 = legacy(
  'redis@2.2.5',
  'redis-2.2.5',
  'node_redis 2.2.5 (real): keeps its command queue across a reconnect, so replies shift (A2, #898)',
);

export const legacyNodeRedis230 = legacy(
  'redis@2.3.0',
  'redis-2.3.0',
  'node_redis 2.3.0 (real): rejects commands in flight on connection loss; the fix for #898',
);
