import type { Fault } from './fault.ts';

/**
 * The broker process dies and a new one comes up on the same transport (same port). Unlike an
 * outage, nothing survives it: sessions, subscriptions and queued messages are gone, so every
 * client must reconnect and subscribe again. The heal is the moment the storm starts.
 */
export function brokerRestart(durationMs: number): Fault {
  let dropped = 0;
  return {
    id: 'broker-restart',
    describe: () => `broker stopped for ${durationMs}ms, then a fresh broker on the same transport`,
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
}
