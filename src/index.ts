/**
 * The programmatic API: run scenarios from code and plug in cache adapters.
 * `crosswire/testkit` holds the adapter conformance suite.
 */
export { defineCacheAdapter } from './cache/cache-adapter.ts';
export type { CacheAdapter, CacheAdapterContext, CacheAdapterDefinition, CacheOpRef, ConfessingAdapter, WrongValue } from './cache/cache-adapter.ts';
export { runScenario } from './runner/run-scenario.ts';
export type { RunOptions, RunResult } from './runner/run-scenario.ts';
export { loadScenarioFile, parseScenarioText, validateScenarioObject } from './scenario/load-scenario.ts';
export type { Scenario, ScenarioInput } from './scenario/schema.ts';
export type { RunSummary } from './report/summary.ts';
export { ExitCode } from './exit-codes.ts';
