import { z } from 'zod';
import { defineFaultKind } from '../fault-kind.ts';
import { namesUserServer } from '../shared-checks.ts';
import { spokenDuration } from '../../fields/duration.ts';

/**
 * The reference service goes down and comes back: its push path disconnects from the broker
 * (events published meanwhile reach no one and are counted as dropped while the service is
 * away), and at heal it reconnects and subscribes again. With `coldCache` the cache is flushed
 * just before it returns, as a restarted process with an in-memory cache or a fresh cache node
 * would find it: every lookup in the herd that follows goes to the source of truth.
 */
export const serviceRestart = defineFaultKind({
  id: 'service-restart',
  description: 'The reference service goes offline and comes back at heal; with `coldCache`, the cache is flushed first.',
  lasting: 'window',
  storms: false,
  fields: {
    coldCache: z.boolean().describe('Flush the cache just before the service comes back').default(true),
  },
  check: (step, s) =>
    step.coldCache && namesUserServer(s)
      ? [{ path: ['fault'], message: `${step.fault} with coldCache flushes the private server crosswire starts, and cache.url names a server it did not start (set coldCache: false)` }]
      : [],
  create: (step) => ({
    id: 'service-restart',
    describe: () => `reference service offline for ${spokenDuration(step.duration)}${step.coldCache ? ', back with a cold cache' : ''}`,
    inject(targets) {
      targets.service.stop();
    },
    async heal(targets) {
      try {
        if (step.coldCache) await targets.flushCache();
      } finally {
        targets.service.start();
      }
    },
  }),
});
