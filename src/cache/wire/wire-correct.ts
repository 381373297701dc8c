import { defineCacheAdapter } from '../cache-adapter.ts';
import { WireCacheAdapter } from './wire-adapter.ts';

/**
 * The negative control for the two faulty wire adapters: the same client with both bug switches
 * off. A timed-out request keeps its FIFO slot and its late reply is discarded; requests in flight
 * at a drop are rejected. It must PASS whatever the chaos proxy does.
 */
export default defineCacheAdapter({
  id: 'wire:fifo-correct',
  description: 'the FIFO RESP client with no bug switch: late replies discarded, in-flight rejected on a drop',
  server: 'redis',
  create: (context) => new WireCacheAdapter('wire:fifo-correct', 'none', {}, context),
});
