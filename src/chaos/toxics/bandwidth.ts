import { ReleaseQueue } from '../release-queue.ts';
import { realNow, type StageContext, type Toxic, type ToxicStage } from '../toxic.ts';

/**
 * At most `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy counts). A chunk of n bytes leaves n/rate
 * ms after the previous one left (or after it arrived, if the line was idle), so N KB always
 * take at least N/rate seconds. Large chunks go out in 100 ms slices, as in Toxiproxy, so the
 * peer sees a steady trickle rather than long silences. `rate` 0 means unlimited.
 */
export const bandwidth: Toxic = {
  type: 'bandwidth',
  attributes: { rate: 0 },
  stage(ctx: StageContext): ToxicStage {
    const rate = ctx.attributes.rate;
    const queue = new ReleaseQueue(ctx.next);
    const slice = Math.max(1, Math.floor(rate * 100));
    return {
      push(chunk) {
        if (rate <= 0) {
          queue.push(chunk, realNow());
          return;
        }
        for (let offset = 0; offset < chunk.length; offset += slice) {
          const piece = chunk.subarray(offset, offset + slice);
          const start = Math.max(realNow(), queue.lastAt);
          queue.push(piece, start + piece.length / rate);
        }
      },
      end: () => queue.end(),
      flush: () => queue.flush(),
      dispose: () => queue.dispose(),
    };
  },
};
