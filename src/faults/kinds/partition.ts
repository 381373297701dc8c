import { z } from 'zod';
import { viewerClientId } from '../../registry/credentials.ts';
import { share } from '../../fields/field-schemas.ts';
import { defineFaultKind } from '../fault-kind.ts';
import { pickShare } from '../fleet-share.ts';
import { emptyShareProblems } from '../shared-checks.ts';
import { spokenDuration } from '../../fields/duration.ts';

/**
 * A network partition between the broker and a seeded share of the cameras (and, with
 * `viewers`, of the app sessions): their links drop and their attempts fail until heal (over the
 * memory transport the connection is refused before it reaches the broker; over TCP the broker
 * leaves the CONNECT unanswered and closes the link), while the rest of the fleet carries on.
 * The cut-off cameras reconnecting at heal is a storm of their own, tracked over exactly those
 * cameras.
 */
export const partition = defineFaultKind({
  id: 'partition',
  description: 'A seeded share of cameras (and, with `viewers`, of app sessions) loses its link and cannot reconnect until heal.',
  lasting: 'window',
  storms: true,
  fields: {
    share: share.describe('Share of the cameras cut off, each picked from the seed'),
    viewers: z.boolean().describe('Cut off the same share of app sessions too').default(false),
  },
  check: (step) => emptyShareProblems(step.fault, step.share),
  create(step, index) {
    let cut: { dropped: number; restore(): void } | undefined;
    let devices = 0;
    let sessions = 0;
    let dropped = 0;
    return {
      id: 'partition',
      describe: () =>
        `${Math.round(step.share * 100)}% of cameras${step.viewers ? ' and app sessions' : ''} cut off from the broker for ${spokenDuration(step.duration)}`,
      effect: () => `${devices} cameras${step.viewers ? ` and ${sessions} app sessions` : ''} cut off, ${dropped} links dropped`,
      inject(targets) {
        const { deviceIds, accountIds, viewersPerAccount } = targets.fleet;
        const picked = pickShare(targets.seed, `partition:${index}`, deviceIds.length, step.share);
        const ids = new Set(picked.map((d) => deviceIds[d]));
        devices = picked.length;
        if (step.viewers) {
          const viewerIds = accountIds.flatMap((account, a) => Array.from({ length: viewersPerAccount[a] }, (_, n) => viewerClientId(account, n + 1)));
          for (const v of pickShare(targets.seed, `partition:${index}:viewers`, viewerIds.length, step.share)) ids.add(viewerIds[v]);
          sessions = ids.size - devices;
        }
        targets.storm.outageBegan('partition', targets.now(), picked);
        cut = targets.broker.cutOff(ids);
        dropped = cut.dropped;
      },
      heal(targets) {
        cut?.restore();
        cut = undefined;
        targets.storm.outageEnded(targets.now());
      },
    };
  },
});
