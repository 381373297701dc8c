import type { TimelineStep } from '../scenario/schema.ts';
import { brokerOutage } from './broker-outage.ts';
import { cacheLatency, cacheOutage, cacheReset, cacheRestart } from './cache-faults.ts';
import type { Fault } from './fault.ts';

type FaultStep = Extract<TimelineStep, { fault: string }>;
type StepOf<K extends FaultStep['fault']> = Extract<FaultStep, { fault: K }>;

/** Fault kinds by id: a new kind is one file and one line here (and its step in the schema). */
export const faultKinds: { [K in FaultStep['fault']]: (step: StepOf<K>) => Fault } = {
  'broker-outage': (step) => brokerOutage(step.duration),
  'cache-latency': cacheLatency,
  'cache-outage': cacheOutage,
  'cache-reset': cacheReset,
  'cache-restart': cacheRestart,
};

export function faultFor(step: FaultStep): Fault {
  return (faultKinds[step.fault] as (s: FaultStep) => Fault)(step);
}
