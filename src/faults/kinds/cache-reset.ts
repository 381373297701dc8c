import { durationWithin } from '../../fields/field-schemas.ts';
import { required } from '../fault.ts';
import { defineFaultKind } from '../fault-kind.ts';
import { proxiedCacheProblems } from '../shared-checks.ts';
import { spokenDuration } from '../../fields/duration.ts';

const HOUR = 3_600_000;

/** Every open cache connection reset (RST) by the chaos proxy, requests in flight: once, or again and again until heal. */
export const cacheReset = defineFaultKind({
  id: 'cache-reset',
  description: 'Resets every open cache connection at `at`, then every `every` until it heals.',
  lasting: 'instant-ok',
  storms: false,
  fields: {
    // at least 10ms between resets: every 0 would reset at one instant for ever
    every: durationWithin(10, 24 * HOUR).describe('Reset again at this interval until heal; once at `at` when absent').optional(),
  },
  check: (step, s) => proxiedCacheProblems(step.fault, s),
  create(step) {
    let resets = 0;
    let stop: (() => void) | undefined;
    return {
      id: 'cache-reset',
      describe: () => `cache connections reset (RST, requests in flight)${step.every ? ` every ${spokenDuration(step.every)} for ${spokenDuration(step.duration)}` : ''}`,
      effect: () => `${resets} connections reset`,
      inject(targets) {
        const proxy = required(targets.cacheProxy, 'cache-reset', 'a chaos proxy in front of the cache');
        const reset = () => {
          resets += Number(proxy.resetAll() ?? 0);
        };
        reset();
        if (step.every !== undefined && step.every > 0 && step.duration > 0) stop = targets.every(step.every, reset);
      },
      heal() {
        stop?.();
        stop = undefined;
      },
    };
  },
});
