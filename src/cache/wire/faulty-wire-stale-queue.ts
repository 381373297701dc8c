import { defineCacheAdapter } from '../cache-adapter.ts';
import { WireCacheAdapter } from './wire-adapter.ts';

/**
 * Mechanism A2 (docs/mechanisms.md) on a real socket: requests in flight when the connection drops
 * stay in the pending FIFO and are not resent, so the first replies on the new connection go to
 * them and every later reply shifts (node_redis 2.0–2.2.5, #898). Needs in-flight requests at a
 * reset, then new traffic.
 */
export default defineCacheAdapter({
  id: 'faulty:wire-stale-queue',
  description: 'A2 over RESP: the pending FIFO survives a reconnect, shifting every later reply',
  server: 'redis',
  mechanism: 'A2 stale-queue',
  // a long timeout by default: A2 is about requests still waiting when the link drops, and a
  // short one would abandon them first (their shifted replies would then be discarded)
  create: (context) => new WireCacheAdapter('faulty:wire-stale-queue', 'A2 stale-queue', { keepQueueOnReconnect: true }, context, 2000),
});
