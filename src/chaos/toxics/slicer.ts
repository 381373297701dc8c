import type { Rng } from '../../rng/seeded-rng.ts';
import { ReleaseQueue } from '../release-queue.ts';
import { realNow, type StageContext, type Toxic, type ToxicStage } from '../toxic.ts';

/**
 * Cuts each chunk into pieces of about `average_size` ± `size_variation` bytes, `delay` µs
 * apart: the peer's parser must then cope with replies split anywhere, as on a real network.
 * Cut points are Toxiproxy's recursive halving, with the offsets drawn from the seeded stream.
 */
export const slicer: Toxic = {
  type: 'slicer',
  attributes: { average_size: 0, size_variation: 0, delay: 0 },
  stage(ctx: StageContext): ToxicStage {
    const average = Math.floor(ctx.attributes.average_size);
    // a variation of the average or more could cut empty pieces
    const variation = Math.max(0, Math.min(Math.floor(ctx.attributes.size_variation), average - 1));
    const gapMs = ctx.attributes.delay / 1000;
    const queue = new ReleaseQueue(ctx.next);
    let nextFree = -Infinity;
    return {
      push(chunk) {
        if (average <= 0) {
          queue.push(chunk, realNow());
          return;
        }
        const cuts = cutPoints(0, chunk.length, average, variation, ctx.rng);
        ctx.trace('pieces', cuts.length / 2);
        for (let i = 0; i < cuts.length; i += 2) {
          const at = Math.max(realNow(), nextFree);
          nextFree = at + gapMs;
          queue.push(chunk.subarray(cuts[i], cuts[i + 1]), at);
        }
      },
      end: () => queue.end(),
      flush: () => queue.flush(),
      dispose: () => queue.dispose(),
    };
  },
};

/** [start0, end0, start1, end1, …]: halves until each piece is within average + variation. */
function cutPoints(start: number, end: number, average: number, variation: number, rng: Rng): number[] {
  if (end - start - average <= variation) return [start, end];
  const offset = variation > 0 ? rng.int(-variation, variation - 1) : 0;
  const mid = Math.min(end - 1, Math.max(start + 1, start + Math.floor((end - start) / 2) + offset));
  return [...cutPoints(start, mid, average, variation, rng), ...cutPoints(mid, end, average, variation, rng)];
}
