import { defineCacheAdapter } from '../cache-adapter.ts';
import { WireCacheAdapter } from './wire-adapter.ts';

/**
 * Mechanism A1 (docs/mechanisms.md) on a real socket: a request that times out leaves the pending
 * FIFO, but Redis still answers it, and that late reply is handed to the next request on the
 * connection (redis-py 4.4.0–4.5.3, the ChatGPT 2023 leak). Needs latency above `timeout` with
 * requests queued behind.
 */
export default defineCacheAdapter({
  id: 'faulty:wire-crossed-replies',
  description: 'A1 over RESP: a timed-out request leaves the FIFO while its reply is still coming',
  server: 'redis',
  mechanism: 'A1 crossed-replies',
  create: (context) => new WireCacheAdapter('faulty:wire-crossed-replies', 'A1 crossed-replies', { dropOnTimeout: true }, context),
});
