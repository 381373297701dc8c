import type { Fault } from './fault.ts';

/**
 * The reference service goes down and comes back: its push path disconnects from the broker
 * (events published meanwhile reach no one and are counted as dropped while the service is
 * away), and at heal it reconnects and subscribes again. With `coldCache` the cache is flushed
 * just before it returns, as a restarted process with an in-memory cache or a fresh cache node
 * would find it: every lookup in the herd that follows goes to the source of truth.
 */
export function serviceRestart(step: { duration: number; coldCache: boolean }): Fault {
  return {
    id: 'service-restart',
    describe: () => `reference service offline for ${step.duration}ms${step.coldCache ? ', back with a cold cache' : ''}`,
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
  };
}
