import { ReleaseQueue } from '../release-queue.ts';
import { realNow, type StageContext, type Toxic, type ToxicStage } from '../toxic.ts';

/**
 * Every chunk is held `latency` ± uniform `jitter` ms from its arrival (never below 0), in order:
 * a chunk drawn a short delay still waits for the one before it, as on a real TCP stream.
 */
export const latency: Toxic = {
  type: 'latency',
  attributes: { latency: 0, jitter: 0 },
  stage(ctx: StageContext): ToxicStage {
    const base = ctx.attributes.latency;
    const jitter = ctx.attributes.jitter;
    const queue = new ReleaseQueue(ctx.next);
    return {
      push(chunk) {
        let delay = base;
        if (jitter > 0) {
          delay = Math.max(0, base + (ctx.rng.next() * 2 - 1) * jitter);
          ctx.trace('delay', delay);
        }
        queue.push(chunk, realNow() + delay);
      },
      end: () => queue.end(),
      flush: () => queue.flush(),
      dispose: () => queue.dispose(),
    };
  },
};
