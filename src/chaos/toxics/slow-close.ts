import type { StageContext, Toxic, ToxicStage } from '../toxic.ts';

/** Data passes untouched; the FIN is held `delay` ms, so the peer learns of the close late. */
export const slowClose: Toxic = {
  type: 'slow_close',
  attributes: { delay: 0 },
  stage(ctx: StageContext): ToxicStage {
    let timer: NodeJS.Timeout | undefined;
    let pendingEnd = false;
    const stop = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };
    return {
      push: (chunk) => ctx.next.push(chunk),
      end() {
        pendingEnd = true;
        ctx.trace('close-delayed', ctx.attributes.delay);
        timer = setTimeout(() => {
          timer = undefined;
          pendingEnd = false;
          ctx.next.end();
        }, ctx.attributes.delay);
      },
      flush() {
        stop();
        if (pendingEnd) ctx.next.end();
        pendingEnd = false;
      },
      dispose() {
        stop();
        pendingEnd = false;
      },
    };
  },
};
