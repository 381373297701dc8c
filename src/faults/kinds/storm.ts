import { defineFaultKind } from '../fault-kind.ts';
import { spokenDuration } from '../../fields/duration.ts';

/**
 * "Everyone wakes at T": every camera loses its link at `at` (a regional power or ISP cut) and
 * stays dark until heal; then all of them reconnect together, each by its own backoff and
 * jitter. Viewers and the service are not touched. With no duration the cameras drop and come
 * straight back.
 */
export const storm = defineFaultKind({
  id: 'storm',
  description: 'Every camera drops at `at` and stays dark until heal ("everyone wakes at T"), then reconnects by its backoff and jitter.',
  lasting: 'instant-ok',
  storms: true,
  fields: {},
  create(step) {
    let cut: { dropped: number; restore(): void } | undefined;
    let dropped = 0;
    return {
      id: 'storm',
      describe: () => `every camera drops${step.duration > 0 ? ` and stays dark for ${spokenDuration(step.duration)}` : ''}, then all reconnect together`,
      effect: () => `${dropped} cameras dropped`,
      inject(targets) {
        const devices = new Set(targets.fleet.deviceIds);
        targets.storm.outageBegan('storm', targets.now());
        cut = targets.broker.cutOff(devices);
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
