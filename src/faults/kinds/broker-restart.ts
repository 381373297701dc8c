import { defineFaultKind } from '../fault-kind.ts';
import { spokenDuration } from '../../fields/duration.ts';

/**
 * The broker process dies and a new one comes up on the same transport (same port). Unlike an
 * outage, nothing survives it: sessions, subscriptions and queued messages are gone, so every
 * client must reconnect and subscribe again. The heal is the moment the storm starts.
 */
export const brokerRestart = defineFaultKind({
  id: 'broker-restart',
  description: 'The broker process goes away (sessions, subscriptions, queues lost) and a fresh one comes up on the same transport at heal.',
  lasting: 'window',
  storms: true,
  fields: {},
  create(step) {
    let dropped = 0;
    return {
      id: 'broker-restart',
      describe: () => `broker stopped for ${spokenDuration(step.duration)}, then a fresh broker on the same transport`,
      effect: () => `${dropped} connections dropped`,
      async inject(targets) {
        targets.storm.outageBegan('broker-restart', targets.now());
        dropped = await targets.broker.stopForRestart();
      },
      async heal(targets) {
        await targets.broker.startAfterRestart();
        targets.storm.outageEnded(targets.now());
      },
    };
  },
});
