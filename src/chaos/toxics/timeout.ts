import type { StageContext, Toxic, ToxicStage } from '../toxic.ts';

/**
 * A blackhole: nothing gets through. With `timeout` > 0 the connection is closed (FIN both
 * sides) that many ms after the toxic took hold; with 0 it stays open, silent, until the toxic is
 * removed. Data dropped meanwhile stays lost, as in Toxiproxy: a request swallowed by a dead
 * network path does not come back.
 */
export const timeout: Toxic = {
  type: 'timeout',
  attributes: { timeout: 0 },
  stage(ctx: StageContext): ToxicStage {
    const ms = ctx.attributes.timeout;
    let timer: NodeJS.Timeout | undefined;
    if (ms > 0) {
      timer = setTimeout(() => {
        timer = undefined;
        ctx.trace('close');
        ctx.link.close();
      }, ms);
    }
    const stop = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };
    return {
      push(chunk) {
        ctx.trace('dropped', chunk.length);
      },
      end() {
        // the source closed while blackholed: Toxiproxy closes the link
        stop();
        ctx.link.close();
      },
      flush: stop,
      dispose: stop,
    };
  },
};
