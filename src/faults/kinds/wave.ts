import { z } from 'zod';
import { createRng } from '../../rng/seeded-rng.ts';
import { share } from '../../fields/field-schemas.ts';
import type { StepProblem } from '../fault-kind.ts';
import { defineFaultKind } from '../fault-kind.ts';
import { pickCount, pickShare } from '../fleet-share.ts';
import { emptyShareProblems } from '../shared-checks.ts';
import { spokenDuration } from '../../fields/duration.ts';

/**
 * A connection wave: a seeded share of the cameras (or a number of them) drops, each at its own
 * seeded moment spread evenly over the step's duration, and comes back by its backoff policy —
 * a rolling ISP blip or a firmware roll-out rather than one outage. Nobody is held off: each
 * camera may reconnect at once.
 */
export const wave = defineFaultKind({
  id: 'wave',
  description: 'A share of the cameras (or `devices` of them) drops at seeded times spread over the duration and reconnects by its backoff.',
  lasting: 'window-or-zero',
  storms: false,
  fields: {
    share: share.describe('Share of the cameras that drop, each picked from the seed (or give `devices`)').optional(),
    devices: z.number().int().min(1).max(500_000).describe('How many cameras drop (or give `share`)').optional(),
  },
  check(step, s) {
    const problems: StepProblem[] = emptyShareProblems(step.fault, step.share);
    if ((step.share === undefined) === (step.devices === undefined)) {
      const message = `a wave takes either \`share\` (of the cameras) or \`devices\` (a count), ${step.share === undefined ? 'found neither' : 'not both'}`;
      problems.push({ path: step.share === undefined ? [] : ['devices'], message });
    } else if (step.devices !== undefined && step.devices > s.fleet.devices) {
      problems.push({ path: ['devices'], message: `expected at most ${s.fleet.devices} devices (the fleet's size${s.fleet.atLeast ? ' for certain' : ''}), found ${step.devices}` });
    }
    return problems;
  },
  create(step, index) {
    const cancels: (() => void)[] = [];
    let planned = 0;
    let dropped = 0;
    return {
      id: 'wave',
      describe: () => `${step.devices !== undefined ? `${step.devices} cameras` : `${Math.round((step.share ?? 0) * 100)}% of cameras`} drop over ${spokenDuration(step.duration)} and reconnect`,
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
  },
});
