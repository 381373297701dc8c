import { defineFaultKind } from '../fault-kind.ts';
import { spokenDuration } from '../../fields/duration.ts';

/**
 * The incident's trigger: the broker goes away. Every connection is dropped and new ones are
 * refused until heal; the heal is the moment the storm starts.
 */
export const brokerOutage = defineFaultKind({
  id: 'broker-outage',
  description: 'Every broker connection dropped and new ones refused until heal; the heal starts the storm.',
  lasting: 'window',
  storms: true,
  fields: {},
  create(step) {
    let dropped = 0;
    return {
      id: 'broker-outage',
      describe: () => `broker outage for ${spokenDuration(step.duration)}: all connections dropped, new ones refused`,
      effect: () => `${dropped} connections dropped`,
      inject(targets) {
        targets.storm.outageBegan('broker-outage', targets.now());
        dropped = targets.broker.outage();
      },
      heal(targets) {
        targets.broker.restore();
        targets.storm.outageEnded(targets.now());
      },
    };
  },
});
