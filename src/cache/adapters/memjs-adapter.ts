import { createHash } from 'node:crypto';
import type { Client, ClientOptions, ServerOptions } from 'memjs';
import { defineCacheAdapter, type CacheAdapter, type CacheAdapterContext } from '../cache-adapter.ts';
import {
  closedError,
  loadClientLibrary,
  requireUrl,
  withDeadline,
  type LoadedLibrary,
  clientTimeouts,
  connectOrUnreachable,
} from './network-adapter-support.ts';

/**
 * memjs (memcached binary protocol; `--cache-module` for an alias) against a real memcached.
 *
 * Options, chosen so a chaos run never waits forever:
 * - commandTimeout (1000 ms): memjs' `timeout`. When the oldest request on a connection is
 *   overdue, memjs destroys that connection and fails every request on it. Each operation also
 *   has an adapter-side deadline a little longer, because a connection the server closes
 *   cleanly (a restart) leaves memjs' pending requests with no timer at all.
 * - retries 1 (memjs counts attempts: 1 = no retry; its default 2 re-sends once after 200 ms),
 *   failover false (one server), keepAlive false, and a silent logger (memjs logs every failure).
 * - connectTimeout (2000 ms): memjs' `conntimeout`.
 * memjs reconnects by itself: the next request after a lost connection opens a new one. It
 * matches replies to requests by the binary protocol's opaque id, not by order.
 *
 * Keys: memcached keys are at most 250 bytes with no spaces or control characters. A key that is
 * printable ASCII without spaces, at most 250 bytes and not starting with `h:` is used as is;
 * every other key becomes `h:` + the SHA-256 hex of its UTF-8 bytes. The two forms cannot meet
 * (raw keys starting with `h:` are always hashed), so distinct keys stay distinct unless SHA-256
 * collides. Values are UTF-8 strings; TTLs are whole seconds, rounded up.
 */
const SAFE_KEY = /^[\x21-\x7e]{1,250}$/;
const THIRTY_DAYS_S = 60 * 60 * 24 * 30;

export function memcachedKey(key: string): string {
  if (SAFE_KEY.test(key) && !key.startsWith('h:')) return key;
  return `h:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** Seconds for memcached: rounded up; beyond 30 days memcached reads it as a UNIX time. */
export function memcachedExpiry(ttlMs: number, nowMs: number = Date.now()): number {
  const seconds = Math.ceil(ttlMs / 1000);
  return seconds > THIRTY_DAYS_S ? Math.ceil((nowMs + ttlMs) / 1000) : seconds;
}

type MemjsModule = { Client: typeof Client };
type MemjsClient = Client<string, Buffer | null>;

class MemjsAdapter implements CacheAdapter {
  readonly id = 'memjs';
  private readonly client: MemjsClient;
  private readonly lib: LoadedLibrary<MemjsModule>;
  private readonly deadlineMs: number;
  private closed = false;
  // memjs has no connection events: a new socket object on its server is a new connection
  private readonly sockets = new WeakMap<object, number>();
  private connections = 0;
  private lastSocket: object | undefined;

  constructor(client: MemjsClient, lib: LoadedLibrary<MemjsModule>, commandTimeout: number) {
    this.client = client;
    this.lib = lib;
    this.deadlineMs = commandTimeout + 250;
  }

  async get(key: string): Promise<string | undefined> {
    this.assertOpen();
    const { value } = await this.run(this.client.get(memcachedKey(key)), 'GET', key);
    return value === null ? undefined : value.toString('utf8');
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.assertOpen();
    const expires = ttlMs !== undefined && ttlMs > 0 ? memcachedExpiry(ttlMs) : 0;
    const stored = await this.run(this.client.set(memcachedKey(key), value, { expires }), 'SET', key);
    if (!stored) throw new Error(`memjs SET ${key}: memcached did not store the value`);
  }

  async delete(key: string): Promise<void> {
    this.assertOpen();
    // false means "was not there", which is not an error for a cache delete
    await this.run(this.client.delete(memcachedKey(key)), 'DELETE', key);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // ends the sockets (FIN); replies already on their way are still read
    this.client.close();
  }

  connectionId(): string | undefined {
    return this.lastSocket === undefined ? undefined : `memjs#${this.sockets.get(this.lastSocket)}`;
  }

  library(): { name: string; version: string } {
    return { name: this.lib.name, version: this.lib.version };
  }

  private async run<T>(request: Promise<T>, command: string, key: string): Promise<T> {
    const result = await withDeadline(request, this.deadlineMs, `memjs ${command} ${key}`);
    this.noteSocket();
    return result;
  }

  private noteSocket(): void {
    const socket = (this.client.servers[0] as unknown as { _socket?: object } | undefined)?._socket;
    if (socket === undefined) return;
    if (!this.sockets.has(socket)) this.sockets.set(socket, ++this.connections);
    this.lastSocket = socket;
  }

  private assertOpen(): void {
    if (this.closed) throw closedError(this.id);
  }
}

function serversString(url: URL): string {
  const auth = url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}@` : '';
  return `${auth}${url.hostname}:${url.port || '11211'}`;
}

async function create(context: CacheAdapterContext): Promise<CacheAdapter> {
  const url = requireUrl(context, 'memjs', ['memcached:', 'memcache:']);
  const { options } = context;
  const { commandTimeout, connectTimeout } = clientTimeouts(options);
  const lib = await loadClientLibrary<MemjsModule>(context.module ?? 'memjs', 'memjs');
  const clientOptions: ClientOptions<string, Buffer | null> & ServerOptions = {
    timeout: commandTimeout / 1000,
    conntimeout: connectTimeout / 1000,
    retries: 1,
    failover: false,
    keepAlive: false,
    logger: { log: () => {} },
  };
  const client = lib.module.Client.create<string, Buffer | null>(serversString(url), clientOptions);
  const adapter = new MemjsAdapter(client, lib, commandTimeout);
  // memjs connects on first use: one read now turns "no server" into a clear exit 69
  await connectOrUnreachable('memjs', url, adapter.get('crosswire:connect-probe'), 0, () => client.close());
  return adapter;
}

export default defineCacheAdapter({
  id: 'memjs',
  description: 'memjs (or --cache-module alias) against a real memcached; unsafe keys are hashed',
  server: 'memcached',
  create,
});
