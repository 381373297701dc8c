import { durationWithin, share } from '../../fields/field-schemas.ts';
import { required } from '../fault.ts';
import { defineFaultKind } from '../fault-kind.ts';
import { proxiedCacheProblems } from '../shared-checks.ts';
import { spokenDuration } from '../../fields/duration.ts';

const HOUR = 3_600_000;

/**
 * Cache replies delayed by a latency toxic on the chaos proxy in front of the cache server.
 * Durations are scenario time; the proxy works in wall-clock time.
 */
export const cacheLatency = defineFaultKind({
  id: 'cache-latency',
  description: 'Cache replies delayed through the chaos proxy.',
  lasting: 'window',
  storms: false,
  fields: {
    latency: durationWithin(0, HOUR).describe('How long each reply is held back'),
    jitter: durationWithin(0, HOUR).describe('Up to this much added to or taken from the latency, per reply').default(0),
    toxicity: share.describe('Share of cache connections affected, decided per connection from the seed').default(1),
  },
  check: (step, s) => proxiedCacheProblems(step.fault, s),
  create(step) {
    let toxic: string | undefined;
    return {
      id: 'cache-latency',
      describe: () => `cache replies delayed ${spokenDuration(step.latency)} ± ${spokenDuration(step.jitter)} on ${Math.round(step.toxicity * 100)}% of connections for ${spokenDuration(step.duration)}`,
      inject(targets) {
        const proxy = required(targets.cacheProxy, 'cache-latency', 'a chaos proxy in front of the cache');
        toxic = proxy.addToxic({
          type: 'latency',
          direction: 'downstream',
          toxicity: step.toxicity,
          attributes: { latency: targets.toRealMs(step.latency), jitter: targets.toRealMs(step.jitter) },
        });
      },
      heal(targets) {
        if (toxic !== undefined) targets.cacheProxy?.removeToxic(toxic);
        toxic = undefined;
      },
    };
  },
});
