import type { Fault, FaultTargets } from './fault.ts';

/**
 * The incident's trigger: the broker goes away. Every connection is dropped and new ones are
 * refused until heal; the heal is the moment the storm starts.
 */
export function brokerOutage(durationMs: number): Fault & { dropped: number } {
  return {
    id: 'broker-outage',
    dropped: 0,
    describe() {
      return `broker outage for ${durationMs}ms: all connections dropped, new ones refused`;
    },
    inject(targets: FaultTargets) {
      targets.storm.outageBegan('broker-outage', targets.now());
      this.dropped = targets.broker.outage();
    },
    heal(targets: FaultTargets) {
      targets.broker.restore();
      targets.storm.outageEnded(targets.now());
    },
  };
}
