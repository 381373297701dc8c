import type { StageContext, Toxic, ToxicStage } from '../toxic.ts';

/**
 * Passes exactly `bytes` bytes, then ends this direction (after anything later stages hold) and
 * closes the connection: the peer sees a reply cut off mid-stream, then EOF.
 */
export const limitData: Toxic = {
  type: 'limit_data',
  attributes: { bytes: 0 },
  stage(ctx: StageContext): ToxicStage {
    const limit = Math.floor(ctx.attributes.bytes);
    let passed = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      ctx.trace('limit', passed);
      ctx.finish();
    };
    return {
      push(chunk) {
        if (done) return;
        const room = limit - passed;
        const piece = chunk.length <= room ? chunk : chunk.subarray(0, Math.max(0, room));
        if (piece.length > 0) {
          passed += piece.length;
          ctx.next.push(piece);
        }
        if (passed >= limit) finish();
      },
      end() {
        if (done) return;
        done = true;
        ctx.next.end();
      },
      flush() {},
      dispose() {
        done = true;
      },
    };
  },
};
