import type { CacheStats } from '../cache/observed-cache.ts';
import { ExitCode } from '../exit-codes.ts';
import type { FaultWindow } from '../history/fault-window.ts';
import type { FleetStats } from '../fleet/fleet-context.ts';
import type { LatencySummary } from '../metrics/latency-histogram.ts';
import type { TimeSeries } from '../metrics/time-series.ts';
import type { Accounting } from '../oracle/event-ledger.ts';
import type { RunFacts } from '../oracle/run-checks.ts';
import type { StormReport } from '../oracle/storm-tracker.ts';
import type { CheckResult, Verdict } from '../oracle/verdict.ts';
import type { Headline, Violation } from '../oracle/violation.ts';
import type { ViolationPairsSummary } from '../oracle/violation-pairs.ts';
import type { BlockedSummary } from '../oracle/history-checker.ts';
import type { ThresholdResult } from '../oracle/run-metrics.ts';

/** An ownership transfer step as it happened: when, and how many devices changed hands. */
export interface TransferRecord {
  at: number;
  devices: number;
}

/** Bumped whenever a field changes meaning or goes away. */
export const SUMMARY_SCHEMA_VERSION = 1;

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
  /**
   * brokerThread: where aedes ran (`worker`: its own thread; `external`: a broker crosswire does
   * not own, at brokerUrl); absent in older summaries. cameraTransport / viewerTransport: `ws`
   * when that half of the fleet used MQTT over WebSocket instead of `transport`.
   */
  fleet: {
    devices: number;
    accounts: number;
    viewers: number;
    transport: string;
    brokerThread?: 'inline' | 'worker' | 'external';
    brokerUrl?: string;
    cameraTransport?: string;
    viewerTransport?: string;
  };
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
  /** The violation set as who received whose media (absent in older summaries): what a merged sharded run and one process agree on. */
  violationPairs?: ViolationPairsSummary;
  /** How many of the violations kept each class of blame explains (absent in older summaries). */
  blame?: RunFacts['blame'];
  /** Breaches of the cache adapter contract (absent in older summaries). */
  contractBreaches?: RunFacts['breaches'];
  /** What went wrong after the verdict was reached (an adapter's close() that threw, …): reported, never fatal. */
  warnings?: string[];
  blocked: BlockedSummary;
  accounting: Accounting;
  storms: StormReport[];
  /** Scenario ms from a camera's publish to a viewer's receipt, every thumbnail received (absent in older summaries). */
  thumbnailLatency?: LatencySummary;
  faults: FaultWindow[];
  /** The hostile tenants' attempts (`hostile:`): tried, refused, accepted-harmless, leaked, in all and per kind. Absent without them. */
  hostile?: RunFacts['hostile'];
  transfers: TransferRecord[];
  stats: FleetStats & { serviceConnects: number; sourceOfTruthLookups: number; tapsServed: number; tapsRefusedByService: number };
  broker: Record<string, number>;
  /** The op log the verdict is a function of: sha256 and bytes of its ndjson (history.ndjson.gz inflated, or an older run's history.ndjson). */
  history?: { ops: number; bytes: number; sha256: string; clock: 'real' | 'virtual'; file?: string };
  /** The run over scenario time, per bucket, for the report's charts (absent in older summaries). */
  timeSeries?: TimeSeries;
  /** A sharded run: one shard's own summary (`shard` set), or the merge of all of them (`merged` set). Absent otherwise. */
  shards?: ShardsSummary;
}

/** How the shards of a run lined up: time zero, how it was agreed, the skew measured. */
export interface ShardsSummary {
  count: number;
  /** This summary's shard ("i/N"), for a shard's own summary. */
  shard?: string;
  zeroAt: string;
  via: 'barrier' | 'start-at';
  /** Largest gap seen at the barrier between a ready message's send instant and its arrival (clock offset plus latency), ms. */
  skewMs?: number;
  /** How late the shard's clock started after time zero, ms (the merge: the latest shard's). */
  lateMs?: number;
  waitedMs?: number;
  /** The shard histories a merge judged as one run. */
  merged?: { shard: string; runDir: string; ops: number; sha256: string; skewMs?: number; lateMs?: number }[];
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
  'verdict' | 'reasons' | 'headline' | 'checks' | 'thresholds' | 'violationCount' | 'violations' | 'violationPairs' | 'blame' | 'contractBreaches' | 'blocked' | 'accounting' | 'storms' | 'thumbnailLatency' | 'faults' | 'hostile'
>;


/** The incident's two figures; older summaries without them fall back to the counts they imply. */
export function exposureOf(s: Pick<RunSummary, 'headline'>): { accountsExposed: number; accountsTapped: number } {
  const h = s.headline;
  return { accountsExposed: h.accountsExposed ?? h.accountsWithForeignThumbnail, accountsTapped: h.accountsTapped ?? h.accountsOpenedForeignVideo };
}

/** How the run's clock read: a time scale means something only on a real clock. */
export function clockOf(s: Pick<RunSummary, 'scenario' | 'history'>): string {
  return s.history?.clock === 'virtual' ? 'virtual clock' : `time scale ${s.scenario.timeScale}×`;
}

/** `120 gets (100 hits, 15 misses, 5 failed)`; the failed gets are absent in older summaries. */
export function cacheGetsText(stats: RunSummary['cache']['stats'], n: (v: number) => string = String): string {
  const failed = stats.getErrors === undefined ? '' : `, ${n(stats.getErrors)} failed`;
  return `${n(stats.gets)} gets (${n(stats.hits)} hits, ${n(stats.misses)} misses${failed})`;
}

/**
 * `2428: 2427 foreign thumbnails, 1 foreign video`: the violation count with the headline counts it
 * is the sum of, so two numbers that differ are never read as one quantity.
 */
export function violationsText(s: Pick<RunSummary, 'headline' | 'violationCount'>, n: (v: number) => string = String): string {
  const h = s.headline;
  const parts = [
    [h.foreignDeliveries, 'foreign thumbnail', 'foreign thumbnails'],
    [h.foreignVideos, 'foreign video', 'foreign videos'],
    [h.corruptMedia, 'broken watermark', 'broken watermarks'],
  ] as const;
  const named = parts.filter(([v]) => v > 0).map(([v, one, many]) => `${n(v)} ${v === 1 ? one : many}`);
  return named.length > 1 ? `${n(s.violationCount)}: ${named.join(', ')}` : n(s.violationCount);
}
