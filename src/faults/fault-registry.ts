import type { TimelineStep } from '../scenario/schema.ts';
import { brokerOutage } from './broker-outage.ts';
import type { Fault } from './fault.ts';

type FaultStep = Extract<TimelineStep, { fault: string }>;

/** Fault kinds by id: a new kind is one file and one line here. */
export const faultKinds: Record<FaultStep['fault'], (step: FaultStep) => Fault> = {
  'broker-outage': (step) => brokerOutage(step.duration),
};

export function faultFor(step: FaultStep): Fault {
  return faultKinds[step.fault](step);
}
