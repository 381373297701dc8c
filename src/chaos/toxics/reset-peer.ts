import type { StageContext, Toxic, ToxicStage } from '../toxic.ts';

/**
 * TCP RST with requests in flight. Armed by the next data (or FIN) that reaches it, as in
 * Toxiproxy: `timeout` ms later (0: at once) both sides are reset. Data from the arming chunk
 * on is held back and lost with the reset, so the peer always has something in flight.
 * Removed before it fires, it lets the held data through.
 */
export const resetPeer: Toxic = {
  type: 'reset_peer',
  attributes: { timeout: 0 },
  stage(ctx: StageContext): ToxicStage {
    const ms = ctx.attributes.timeout;
    let armed = false;
    let held: Buffer[] = [];
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    const fire = () => {
      timer = undefined;
      ctx.trace('reset', held.reduce((n, c) => n + c.length, 0));
      held = [];
      ctx.link.reset();
    };
    const arm = () => {
      if (armed) return;
      armed = true;
      if (ms > 0) timer = setTimeout(fire, ms);
      else fire();
    };
    const stop = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };
    return {
      push(chunk) {
        held.push(chunk);
        arm();
      },
      end() {
        ended = true;
        arm();
      },
      flush() {
        stop();
        const pending = held;
        held = [];
        for (const chunk of pending) ctx.next.push(chunk);
        if (ended) ctx.next.end();
      },
      dispose() {
        stop();
        held = [];
      },
    };
  },
};
