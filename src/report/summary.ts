import type { CacheStats } from '../cache/observed-cache.ts';
import { isConfessing, type CacheAdapter } from '../cache/cache-adapter.ts';
import { ExitCode } from '../exit-codes.ts';
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
import type { BlockedSummary, HistoryChecker } from '../oracle/history-checker.ts';
import type { Judgement } from '../oracle/judge.ts';
import type { ThresholdResult } from '../oracle/run-metrics.ts';
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
  /** brokerThread: where aedes ran (`worker`: its own thread); absent in older summaries. */
  fleet: { devices: number; accounts: number; viewers: number; transport: string; brokerThread?: 'inline' | 'worker' };
  cache: {
    adapter: string;
    verify: string;
    stats: CacheStats;
    resolverErrors: number;
    garbageValues: number;
    /** Reads the service set aside: its own write-backs it could not order before an invalidation. */
    distrustedValues?: number;
    confessedWrongValues?: number;
  };
  headline: Headline;
  checks: CheckResult[];
  /** The scenario's k6-style thresholds with what was measured (absent in older summaries). */
  thresholds: ThresholdResult[];
  violationCount: number;
  violations: Violation[];
  /** How many of the violations kept each class of blame explains (absent in older summaries). */
  blame?: RunFacts['blame'];
  /** Breaches of the cache adapter contract (absent in older summaries). */
  contractBreaches?: RunFacts['breaches'];
  /** What went wrong after the verdict was reached (an adapter's close() that threw, …): reported, never fatal. */
  warnings?: string[];
  blocked: BlockedSummary;
  accounting: Accounting;
  storms: StormReport[];
  faults: FaultWindow[];
  transfers: TransferRecord[];
  stats: FleetStats & { serviceConnects: number; sourceOfTruthLookups: number; tapsServed: number; tapsRefusedByService: number };
  broker: World['broker']['stats'];
  /** The op log the verdict is a function of: sha256 over history.ndjson's exact bytes. */
  history?: { ops: number; bytes: number; sha256: string; clock: 'real' | 'virtual'; file?: string };
  /** The run over scenario time, per bucket, for the report's charts (absent in older summaries). */
  timeSeries?: TimeSeries;
}

export interface SummaryInput {
  scenario: Scenario;
  scenarioFile?: string;
  repro?: string;
  world: World;
  judgement: Judgement;
  checker: HistoryChecker;
  history: NonNullable<RunSummary['history']>;
  transfers: TransferRecord[];
  timeSeries?: TimeSeries;
  startedAt: Date;
  realSeconds: number;
  warnings?: string[];
}

/** A leak or an unproven run outranks thresholds: breached thresholds alone exit 3. */
export function exitCodeFor(verdict: Verdict, interrupted: boolean, thresholdsBreached = false): number {
  if (interrupted) return ExitCode.interrupted;
  if (verdict === 'PASS') return thresholdsBreached ? ExitCode.thresholds : ExitCode.pass;
  return verdict === 'FAIL' ? ExitCode.fail : ExitCode.inconclusive;
}

/** The parts of a summary that are a function of the history alone: what `check` re-derives. */
export type JudgedSummary = Pick<
  RunSummary,
  'verdict' | 'reasons' | 'headline' | 'checks' | 'thresholds' | 'violationCount' | 'violations' | 'blame' | 'contractBreaches' | 'blocked' | 'accounting' | 'storms' | 'faults'
>;

export function judgedSummary(judgement: Judgement, checker: HistoryChecker): JudgedSummary {
  const { facts } = judgement;
  return {
    verdict: judgement.verdict,
    reasons: judgement.reasons,
    headline: facts.headline,
    checks: judgement.checks,
    thresholds: judgement.thresholds,
    violationCount: facts.violationCount,
    violations: checker.oracle.violations.slice(0, VIOLATIONS_IN_SUMMARY),
    blame: facts.blame,
    contractBreaches: facts.breaches,
    blocked: { ...checker.blocked, examples: checker.blocked.examples.slice(0, 50) },
    accounting: facts.accounting,
    storms: facts.storms,
    faults: facts.faults,
  };
}

export function buildSummary(input: SummaryInput): RunSummary {
  const { scenario, world } = input;
  const judged = judgedSummary(input.judgement, input.checker);
  const { adapter } = world;
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    verdict: judged.verdict,
    exitCode: exitCodeFor(judged.verdict, input.judgement.facts.interrupted, judged.thresholds.some((t) => !t.ok)),
    reasons: judged.reasons,
    scenario: { name: scenario.name, file: input.scenarioFile, seed: scenario.seed, timeScale: scenario.timeScale, durationMs: scenario.duration },
    repro: input.repro,
    versions: { ...versions(), cacheLibrary: libraryOf(adapter) },
    startedAt: input.startedAt.toISOString(),
    realSeconds: Math.round(input.realSeconds * 1000) / 1000,
    fleet: {
      devices: world.registry.deviceCount,
      accounts: world.registry.accountCount,
      viewers: world.viewers.length,
      transport: scenario.fleet.transport,
      brokerThread: world.broker.thread,
    },
    cache: {
      adapter: adapter.id,
      verify: scenario.service.verify,
      stats: world.cache.stats(),
      resolverErrors: world.resolver.cacheErrors,
      garbageValues: world.resolver.garbageValues,
      distrustedValues: world.resolver.distrustedValues,
      confessedWrongValues: confessedOf(adapter),
    },
    headline: judged.headline,
    checks: judged.checks,
    thresholds: judged.thresholds,
    violationCount: judged.violationCount,
    violations: judged.violations,
    blame: judged.blame,
    contractBreaches: judged.contractBreaches,
    warnings: input.warnings ?? [],
    blocked: judged.blocked,
    accounting: judged.accounting,
    storms: judged.storms,
    faults: judged.faults,
    transfers: input.transfers,
    stats: {
      ...world.fleet.stats,
      serviceConnects: world.service.connects,
      sourceOfTruthLookups: world.source.lookups,
      tapsServed: world.tapServer.served,
      tapsRefusedByService: world.tapServer.denied,
    },
    broker: world.broker.stats,
    history: input.history,
    timeSeries: input.timeSeries,
  };
}

/** The adapter's own account of its library; adapter code, so guarded. */
function libraryOf(adapter: CacheAdapter): { name: string; version: string } | undefined {
  try {
    const lib = adapter.library?.();
    return typeof lib?.name === 'string' && typeof lib.version === 'string' ? { name: lib.name, version: lib.version } : undefined;
  } catch {
    return undefined;
  }
}

function confessedOf(adapter: CacheAdapter): number | undefined {
  try {
    return isConfessing(adapter) ? adapter.wrongValues.length : undefined;
  } catch {
    return undefined;
  }
}
