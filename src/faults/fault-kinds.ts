import type { FaultKind, FaultKinds, FaultStepOf } from './fault-kind.ts';
import { brokerOutage } from './kinds/broker-outage.ts';
import { brokerRestart } from './kinds/broker-restart.ts';
import { cacheFlush } from './kinds/cache-flush.ts';
import { cacheLatency } from './kinds/cache-latency.ts';
import { cacheOutage } from './kinds/cache-outage.ts';
import { cacheReset } from './kinds/cache-reset.ts';
import { cacheRestart } from './kinds/cache-restart.ts';
import { cacheSlice } from './kinds/cache-slice.ts';
import { partition } from './kinds/partition.ts';
import { serviceRestart } from './kinds/service-restart.ts';
import { storm } from './kinds/storm.ts';
import { wave } from './kinds/wave.ts';

/**
 * The built-in fault kinds, in the order they are listed: a new kind is one file in kinds/ and
 * one line here. The scenario's steps, their checks, the JSON Schema and `crosswire list
 * faults` all follow from this list.
 */
const builtin = [
  brokerOutage,
  brokerRestart,
  cacheLatency,
  cacheOutage,
  cacheReset,
  cacheRestart,
  cacheSlice,
  cacheFlush,
  partition,
  serviceRestart,
  wave,
  storm,
] as const;

export type BuiltinFaultKind = (typeof builtin)[number];
/** A step of a built-in kind, as the runner gets it. */
export type BuiltinFaultStep = FaultStepOf<BuiltinFaultKind>;

/** Kinds by id, in the order given; an id given twice is a mistake. */
export function faultKindsOf(kinds: readonly FaultKind[]): FaultKinds {
  const map = new Map<string, FaultKind>();
  for (const kind of kinds) {
    if (map.has(kind.id)) throw new Error(`fault kind ${kind.id} is defined twice`);
    map.set(kind.id, kind);
  }
  return map;
}

export const faultKinds: FaultKinds = faultKindsOf(builtin);

/** Built-in kinds the fleet storms back after: the oracle expects one tracked storm for each. */
export const stormFaults: ReadonlySet<string> = new Set(builtin.filter((k) => k.storms).map((k) => k.id));
