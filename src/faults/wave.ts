import { createRng } from '../rng/seeded-rng.ts';
import { pickCount, pickShare } from './fleet-share.ts';
import type { Fault } from './fault.ts';

/**
 * A connection wave: a seeded share of the cameras (or a number of them) drops, each at its own
 * seeded moment spread evenly over the step's duration, and comes back by its backoff policy —
 * a rolling ISP blip or a firmware roll-out rather than one outage. Nobody is held off: each
 * camera may reconnect at once.
 */
export function wave(step: { share?: number; devices?: number; duration: number }, index: number): Fault {
  const cancels: (() => void)[] = [];
  let planned = 0;
  let dropped = 0;
  return {
    id: 'wave',
    describe: () => `${step.devices !== undefined ? `${step.devices} cameras` : `${Math.round((step.share ?? 0) * 100)}% of cameras`} drop over ${step.duration}ms and reconnect`,
    effect: () => `${dropped} of ${planned} cameras dropped`,
    inject(targets) {
      const { deviceIds } = targets.fleet;
      const stream = `wave:${index}`;
      const picked = step.devices !== undefined
        ? pickCount(targets.seed, stream, deviceIds.length, step.devices)
        : pickShare(targets.seed, stream, deviceIds.length, step.share ?? 0);
      planned = picked.length;
      const when = createRng(targets.seed, `${stream}:times`);
      for (const d of picked) {
        const id = deviceIds[d];
        const drop = () => {
          if (targets.broker.dropClient(id)) dropped++;
        };
        const at = when.next() * step.duration;
        if (at === 0) drop();
        else cancels.push(targets.after(at, drop));
      }
    },
    heal() {
      for (const cancel of cancels.splice(0)) cancel();
    },
  };
}
