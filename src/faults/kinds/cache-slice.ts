import { z } from 'zod';
import { durationWithin, share } from '../../fields/field-schemas.ts';
import { required } from '../fault.ts';
import { defineFaultKind } from '../fault-kind.ts';
import { proxiedCacheProblems } from '../shared-checks.ts';

/**
 * Cache replies cut into small pieces that reach the client `gap` apart (the slicer toxic on the
 * chaos proxy), as on a congested network. Alone it only tests the client's parser; with a
 * `cache-reset` in the same window, connections drop with a reply half read — a pipeline or a
 * MULTI whose first replies arrived and whose last did not, the state ioredis before 4.16.1 could
 * not recover from. `gap` is scenario time; the proxy works in wall-clock time.
 */
export const cacheSlice = defineFaultKind({
  id: 'cache-slice',
  description: 'Cache replies cut into pieces of about `size` bytes, `gap` apart, through the chaos proxy.',
  lasting: 'window',
  storms: false,
  fields: {
    size: z.number().int().min(1).max(65_536).describe('Bytes per piece, about').default(8),
    gap: durationWithin(0, 10_000).describe('Time between pieces; pieces of one connection go out in order').default(5),
    toxicity: share.describe('Share of cache connections affected, decided per connection from the seed').default(1),
  },
  check: (step, s) => proxiedCacheProblems(step.fault, s),
  create(step) {
    let toxic: string | undefined;
    return {
      id: 'cache-slice',
      describe: () => `cache replies cut into ${step.size}-byte pieces ${step.gap}ms apart on ${Math.round(step.toxicity * 100)}% of connections for ${step.duration}ms`,
      inject(targets) {
        const proxy = required(targets.cacheProxy, 'cache-slice', 'a chaos proxy in front of the cache');
        toxic = proxy.addToxic({
          type: 'slicer',
          direction: 'downstream',
          toxicity: step.toxicity,
          // the slicer's delay is in microseconds, as in Toxiproxy
          attributes: { average_size: step.size, size_variation: Math.floor(step.size / 2), delay: Math.round(targets.toRealMs(step.gap) * 1000) },
        });
      },
      heal(targets) {
        if (toxic !== undefined) targets.cacheProxy?.removeToxic(toxic);
        toxic = undefined;
      },
    };
  },
});
