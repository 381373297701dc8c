/**
 * The programmatic API: run scenarios from code, plug in cache adapters and fault kinds.
 * `crosswire/testkit` holds the adapter conformance suite.
 */
export { defineCacheAdapter } from './cache/cache-adapter.ts';
export type { CacheAdapter, CacheAdapterContext, CacheAdapterDefinition, CacheOpRef, ConfessingAdapter, WrongValue } from './cache/cache-adapter.ts';
export { defineFaultKind } from './faults/fault-kind.ts';
export type { FaultKind, FaultKinds, Lasting } from './faults/fault-kind.ts';
export type { Fault, FaultTargets } from './faults/fault.ts';
export { faultKinds, faultKindsOf } from './faults/fault-kinds.ts';
export { runScenario } from './runner/run-scenario.ts';
export type { RunOptions, RunResult } from './runner/run-scenario.ts';
export { loadScenarioFile, parseScenarioText, validateScenarioObject } from './scenario/load-scenario.ts';
export type { Scenario, ScenarioInput } from './scenario/schema.ts';
export type { RunSummary } from './report/summary.ts';
export { ExitCode } from './exit-codes.ts';
