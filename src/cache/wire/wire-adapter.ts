import { usageError } from '../../errors.ts';
import {
  numberOption,
  type CacheAdapterContext,
  type CacheOpRef,
  type ConfessingAdapter,
  type WrongValue,
} from '../cache-adapter.ts';
import { FifoRespClient } from './fifo-resp-client.ts';

/** Which historical FIFO bug the wire client carries; none of them: a correct client. */
export interface WireBugs {
  dropOnTimeout?: boolean;
  keepQueueOnReconnect?: boolean;
}

/**
 * A cache adapter over the FIFO RESP client, talking to a real Redis (through the chaos proxy
 * in a run). Options: `timeout` (per request, ms, default 100; 2000 for the stale-queue control), `reconnectDelay` (ms, default 50),
 * `connectTimeout` (ms, default 1000).
 */
export class WireCacheAdapter implements ConfessingAdapter {
  readonly id: string;
  readonly client: FifoRespClient;

  constructor(id: string, mechanism: string, bugs: WireBugs, context: CacheAdapterContext, defaultTimeoutMs = 100) {
    this.id = id;
    const { host, port } = redisAddress(id, context.url);
    this.client = new FifoRespClient({
      host,
      port,
      timeoutMs: numberOption(context.options, 'timeout', defaultTimeoutMs),
      reconnectDelayMs: numberOption(context.options, 'reconnectDelay', 50),
      connectTimeoutMs: numberOption(context.options, 'connectTimeout', 1000),
      mechanism,
      now: () => context.clock.now(),
      ...bugs,
    });
  }

  get wrongValues(): readonly WrongValue[] {
    return this.client.wrongValues;
  }

  get(key: string, op?: CacheOpRef): Promise<string | undefined> {
    return this.client.get(key, op);
  }

  set(key: string, value: string, ttlMs?: number, op?: CacheOpRef): Promise<void> {
    return this.client.set(key, value, ttlMs, op);
  }

  delete(key: string, op?: CacheOpRef): Promise<void> {
    return this.client.del(key, op);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  connectionId(): string | undefined {
    return this.client.connectionId();
  }

  library(): { name: string; version: string } {
    return { name: 'crosswire-fifo-resp', version: '1' };
  }
}

/** `redis://host:port` → host and port; a missing URL is a scenario error, not a crash. */
export function redisAddress(adapterId: string, url: string | undefined): { host: string; port: number } {
  if (url === undefined) {
    throw usageError('CACHE_URL_REQUIRED', `cache adapter ${adapterId} needs a redis://host:port URL`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError('BAD_CACHE_URL', `cache adapter ${adapterId}: not a URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'redis:') {
    throw usageError('BAD_CACHE_URL', `cache adapter ${adapterId}: expected redis://host:port, found ${JSON.stringify(url)}`);
  }
  return { host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: parsed.port === '' ? 6379 : Number(parsed.port) };
}
