import type { CacheStats } from '../cache/observed-cache.ts';
import { isConfessing } from '../cache/cache-adapter.ts';
import { ExitCode } from '../cli/exit-codes.ts';
import type { FaultWindow } from '../faults/fault.ts';
import type { FleetStats } from '../fleet/fleet-context.ts';
import type { TimeSeries } from '../metrics/time-series.ts';
import type { Accounting } from '../oracle/event-ledger.ts';
import type { RunFacts } from '../oracle/run-checks.ts';
import type { StormReport } from '../oracle/storm-tracker.ts';
import type { CheckResult, Verdict } from '../oracle/verdict.ts';
import type { Headline, Violation } from '../oracle/violation.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { TransferRecord } from '../runner/timeline-driver.ts';
import type { World } from '../runner/world.ts';
import type { BlockedSummary } from '../runner/service-log.ts';
import { versions } from './versions.ts';

/** Bumped whenever a field changes meaning or goes away. */
export const SUMMARY_SCHEMA_VERSION = 1;
const VIOLATIONS_IN_SUMMARY = 200;

export interface RunSummary {
  schemaVersion: number;
  verdict: Verdict;
  exitCode: number;
  reasons: string[];
  scenario: { name: string; file?: string; seed: number; timeScale: number; durationMs: number };
  repro?: string;
  versions: { crosswire: string; node: string; cacheLibrary?: { name: string; version: string } };
  startedAt: string;
  realSeconds: number;
  fleet: { devices: number; accounts: number; viewers: number; transport: string };
  cache: { adapter: string; verify: string; stats: CacheStats; resolverErrors: number; garbageValues: number; confessedWrongValues?: number };
  headline: Headline;
  checks: CheckResult[];
  violationCount: number;
  violations: Violation[];
  blocked: BlockedSummary;
  accounting: Accounting;
  storms: StormReport[];
  faults: FaultWindow[];
  transfers: TransferRecord[];
  stats: FleetStats & { serviceConnects: number; sourceOfTruthLookups: number; tapsServed: number; tapsRefusedByService: number };
  broker: World['broker']['stats'];
  /** The run over scenario time, per bucket, for the report's charts (absent in older summaries). */
  timeSeries?: TimeSeries;
}

export interface SummaryInput {
  scenario: Scenario;
  scenarioFile?: string;
  repro?: string;
  world: World;
  facts: RunFacts;
  checks: CheckResult[];
  verdict: Verdict;
  reasons: string[];
  transfers: TransferRecord[];
  timeSeries?: TimeSeries;
  startedAt: Date;
  realSeconds: number;
}

export function exitCodeFor(verdict: Verdict, interrupted: boolean): number {
  if (interrupted) return ExitCode.interrupted;
  return verdict === 'PASS' ? ExitCode.pass : verdict === 'FAIL' ? ExitCode.fail : ExitCode.inconclusive;
}

export function buildSummary(input: SummaryInput): RunSummary {
  const { scenario, world, facts } = input;
  const { adapter } = world;
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    verdict: input.verdict,
    exitCode: exitCodeFor(input.verdict, facts.interrupted),
    reasons: input.reasons,
    scenario: { name: scenario.name, file: input.scenarioFile, seed: scenario.seed, timeScale: scenario.timeScale, durationMs: scenario.duration },
    repro: input.repro,
    versions: { ...versions(), cacheLibrary: adapter.library?.() },
    startedAt: input.startedAt.toISOString(),
    realSeconds: Math.round(input.realSeconds * 1000) / 1000,
    fleet: {
      devices: world.registry.deviceCount,
      accounts: world.registry.accountCount,
      viewers: world.viewers.length,
      transport: scenario.fleet.transport,
    },
    cache: {
      adapter: adapter.id,
      verify: scenario.service.verify,
      stats: world.cache.stats(),
      resolverErrors: world.resolver.cacheErrors,
      garbageValues: world.resolver.garbageValues,
      confessedWrongValues: isConfessing(adapter) ? adapter.wrongValues.length : undefined,
    },
    headline: facts.headline,
    checks: input.checks,
    violationCount: facts.violationCount,
    violations: world.fleet.oracle.violations.slice(0, VIOLATIONS_IN_SUMMARY),
    blocked: { ...world.serviceLog.blockedSummary, examples: world.serviceLog.blockedSummary.examples.slice(0, 50) },
    accounting: facts.accounting,
    storms: facts.storms,
    faults: facts.faults,
    transfers: input.transfers,
    stats: {
      ...world.fleet.stats,
      serviceConnects: world.service.connects,
      sourceOfTruthLookups: world.source.lookups,
      tapsServed: world.tapServer.served,
      tapsRefusedByService: world.tapServer.denied,
    },
    broker: world.broker.stats,
    timeSeries: input.timeSeries,
  };
}
