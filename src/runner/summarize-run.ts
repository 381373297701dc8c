import { isConfessing, type CacheAdapter } from '../cache/cache-adapter.ts';
import type { TimeSeries } from '../metrics/time-series.ts';
import type { BlockedSummary, HistoryChecker } from '../oracle/history-checker.ts';
import type { Judgement } from '../oracle/judge.ts';
import { exitCodeFor, SUMMARY_SCHEMA_VERSION, type JudgedSummary, type RunSummary, type TransferRecord } from '../report/summary.ts';
import { versions } from '../report/versions.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { World } from './world.ts';
import type { ShardStart } from './shard-barrier.ts';

const VIOLATIONS_IN_SUMMARY = 200;

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
  shardStart?: ShardStart;
}

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
    violationPairs: checker.pairs.summary(),
    blame: facts.blame,
    contractBreaches: facts.breaches,
    blocked: { ...checker.blocked, examples: checker.blocked.examples.slice(0, 50) },
    accounting: facts.accounting,
    storms: facts.storms,
    thumbnailLatency: checker.metrics.thumbnailLatencyMs.summary(),
    faults: facts.faults,
    ...(facts.hostile && { hostile: facts.hostile }),
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
      transport: world.broker.clientTransport.id,
      brokerThread: world.broker.thread,
      ...(scenario.broker.url !== undefined && { brokerUrl: scenario.broker.url }),
      ...(scenario.fleet.cameraTransport === 'ws' && { cameraTransport: world.broker.wsTransport?.id ?? 'ws' }),
      ...(scenario.fleet.viewerTransport === 'ws' && { viewerTransport: world.broker.wsTransport?.id ?? 'ws' }),
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
    violationPairs: judged.violationPairs,
    blame: judged.blame,
    contractBreaches: judged.contractBreaches,
    warnings: input.warnings ?? [],
    blocked: judged.blocked,
    accounting: judged.accounting,
    storms: judged.storms,
    thumbnailLatency: judged.thumbnailLatency,
    faults: judged.faults,
    ...(judged.hostile && { hostile: judged.hostile }),
    transfers: input.transfers,
    stats: {
      ...world.fleet.stats,
      serviceConnects: world.service.connects,
      sourceOfTruthLookups: world.source.lookups,
      tapsServed: world.tapServer.served,
      tapsRefusedByService: world.tapServer.denied,
    },
    broker: { ...world.broker.stats },
    history: input.history,
    timeSeries: input.timeSeries,
    shards: shardsOf(input.shardStart),
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

function shardsOf(start: ShardStart | undefined): RunSummary['shards'] {
  if (start === undefined) return undefined;
  const [, count] = start.shard.split('/');
  return {
    count: Number(count),
    shard: start.shard,
    zeroAt: new Date(start.zeroAt).toISOString(),
    via: start.via,
    skewMs: start.skewMs,
    lateMs: start.lateMs,
    waitedMs: start.waitedMs,
  };
}
