import type { FaultStep } from '../scenario/schema.ts';
import { brokerOutage } from './broker-outage.ts';
import { brokerRestart } from './broker-restart.ts';
import { cacheFlush } from './cache-flush.ts';
import { cacheLatency, cacheOutage, cacheReset, cacheRestart } from './cache-faults.ts';
import type { Fault } from './fault.ts';
import { partition } from './partition.ts';
import { serviceRestart } from './service-restart.ts';
import { storm } from './storm.ts';
import { wave } from './wave.ts';

type StepOf<K extends FaultStep['fault']> = Extract<FaultStep, { fault: K }>;

/**
 * Fault kinds by id: a new kind is one file and one line here (and its step in
 * src/scenario/step-schemas.ts). `index` is the step's place in the compiled timeline: it names
 * the seeded stream a fault that picks part of the fleet draws from.
 */
export const faultKinds: { [K in FaultStep['fault']]: (step: StepOf<K>, index: number) => Fault } = {
  'broker-outage': (step) => brokerOutage(step.duration),
  'broker-restart': (step) => brokerRestart(step.duration),
  'cache-latency': cacheLatency,
  'cache-outage': cacheOutage,
  'cache-reset': cacheReset,
  'cache-restart': cacheRestart,
  'cache-flush': () => cacheFlush(),
  partition,
  'service-restart': serviceRestart,
  wave,
  storm,
};

export function faultFor(step: FaultStep, index: number): Fault {
  return (faultKinds[step.fault] as (s: FaultStep, i: number) => Fault)(step, index);
}
