import { HistoryRecorder } from '../history/history-recorder.ts';
import { bucketMsFor, type TimeSeries } from '../metrics/time-series.ts';
import type { LatencySummary } from '../metrics/latency-histogram.ts';
import { HistoryChecker, type CheckerOptions } from '../oracle/history-checker.ts';
import { judge } from '../oracle/judge.ts';
import { exitCodeFor, SUMMARY_SCHEMA_VERSION, type RunSummary } from '../report/summary.ts';
import { versions } from '../report/versions.ts';
import type { Scenario } from '../scenario/schema.ts';
import { HistoryMerge } from './merge-histories.ts';
import { ShardCursor } from './shard-cursor.ts';
import { judgedSummary } from './summarize-run.ts';

export interface ShardRun {
  dir: string;
  historyFile: string;
  /** Its summary.json, when the shard got that far (counters come from it). */
  summary: RunSummary | undefined;
}

export interface MergeResult {
  summary: RunSummary;
  scenario: Scenario;
  /** The checker that judged the merged history (for each violation's blame). */
  checker: HistoryChecker;
}

/**
 * The shards of one run judged as one: their histories merged (mergeHistories), written to
 * `historyFile` and fed op by op to the same checker a single-process run uses, then summarised.
 * The verdict, checks and violations are the checker's; fleet, cache and broker counters are the
 * shards' own, added up.
 */
export async function mergeRun(shards: ShardRun[], historyFile: string, options: CheckerOptions = {}): Promise<MergeResult> {
  const started = performance.now();
  // each shard's history is read as the merge reaches it: memory holds a chunk of each, not N files
  const cursors = await Promise.all(shards.map((s) => ShardCursor.open(s.historyFile)));
  const merged = await HistoryMerge.open(cursors);
  const scenario = merged.header.scenario as Scenario;
  const checker = new HistoryChecker(scenario, merged.header.inFlightWindow, options);
  const history = new HistoryRecorder(checker, { file: historyFile, wallClock: merged.header.clock === 'real' });
  history.record(merged.header);
  const bucketMs = bucketMsFor(scenario.duration);
  const violationsByBucket: number[] = [];
  await merged.run((op) => {
    history.record(op);
    const b = Math.max(0, Math.floor(op.t / bucketMs));
    violationsByBucket[b] = checker.oracle.violationCount;
  });
  const sha256 = history.close();
  const judgement = judge(checker, scenario);
  const judged = judgedSummary(judgement, checker);
  const byShard = merged.starts.map((start) => {
    const i = Number(start.shard.split('/')[0]);
    const run = shards[cursors.findIndex((c) => shardOfRun(c) === i)];
    return { start, run, cursor: merged.cursors[i] };
  });
  const summaries = byShard.map((b) => b.run.summary).filter((s) => s !== undefined);
  const base = summaries[0];
  const sum = (pick: (s: RunSummary) => number | undefined) => summaries.reduce((n, s) => n + (pick(s) ?? 0), 0);
  const count = merged.starts.length;
  const summary: RunSummary = {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    exitCode: exitCodeFor(judged.verdict, judgement.facts.interrupted, judged.thresholds.some((t) => !t.ok)),
    scenario: { name: scenario.name, file: base?.scenario.file, seed: scenario.seed, timeScale: scenario.timeScale, durationMs: scenario.duration },
    repro: base?.repro?.replace(/ --shard \S+/, ''),
    versions: { ...versions(), cacheLibrary: base?.versions.cacheLibrary },
    startedAt: new Date(Math.min(...merged.starts.map((s) => s.zeroAt))).toISOString(),
    realSeconds: Math.round((Math.max(0, ...summaries.map((s) => s.realSeconds)) + (performance.now() - started) / 1000) * 1000) / 1000,
    fleet: {
      devices: checker.registry.deviceCount,
      accounts: checker.registry.accountCount,
      viewers: sum((s) => s.fleet.viewers),
      transport: scenario.fleet.transport,
      brokerThread: base?.fleet.brokerThread,
      ...(base?.fleet.cameraTransport !== undefined && { cameraTransport: base.fleet.cameraTransport }),
      ...(base?.fleet.viewerTransport !== undefined && { viewerTransport: base.fleet.viewerTransport }),
    },
    cache: {
      adapter: scenario.cache.adapter,
      verify: scenario.service.verify,
      stats: {
        gets: sum((s) => s.cache.stats.gets),
        hits: sum((s) => s.cache.stats.hits),
        misses: sum((s) => s.cache.stats.misses),
        sets: sum((s) => s.cache.stats.sets),
        deletes: sum((s) => s.cache.stats.deletes),
        getErrors: sum((s) => s.cache.stats.getErrors ?? 0),
        errors: sum((s) => s.cache.stats.errors),
        // percentiles do not add up: the slowest shard's stand for the run
        latency: base === undefined ? { count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 } : worstLatency(summaries.map((s) => s.cache.stats.latency)),
      },
      resolverErrors: sum((s) => s.cache.resolverErrors),
      garbageValues: sum((s) => s.cache.garbageValues),
      distrustedValues: sum((s) => s.cache.distrustedValues),
      confessedWrongValues: summaries.some((s) => s.cache.confessedWrongValues !== undefined) ? sum((s) => s.cache.confessedWrongValues) : undefined,
    },
    ...judged,
    warnings: summaries.flatMap((s, i) => (s.warnings ?? []).map((w) => `shard ${i}/${count}: ${w}`)),
    transfers: base?.transfers ?? [],
    stats: addCounters(summaries.map((s) => s.stats)) as unknown as RunSummary['stats'],
    broker: addCounters(summaries.map((s) => s.broker)),
    history: { ops: history.ops, bytes: history.bytes, sha256, clock: merged.header.clock, file: historyFile },
    timeSeries: mergeSeries(summaries.map((s) => s.timeSeries).filter((t) => t !== undefined), violationsByBucket),
    shards: {
      count,
      zeroAt: new Date(Math.min(...merged.starts.map((s) => s.zeroAt))).toISOString(),
      via: merged.starts[0].via,
      skewMs: Math.max(0, ...merged.starts.map((s) => s.skewMs ?? 0)),
      lateMs: Math.max(...byShard.map((b) => b.run.summary?.shards?.lateMs ?? 0)),
      merged: byShard.map(({ start, run, cursor }) => ({
        shard: start.shard,
        runDir: run.dir,
        ops: cursor.taken + 1,
        sha256: run.summary?.history?.sha256 ?? '',
        skewMs: start.skewMs,
        lateMs: run.summary?.shards?.lateMs,
      })),
    },
  };
  return { summary, scenario, checker };
}

function shardOfRun(h: ShardCursor): number {
  const text = String((h.header.scenario as { shard?: unknown }).shard ?? '');
  return Number(text.split('/')[0]);
}

function worstLatency(all: LatencySummary[]): LatencySummary {
  const worst = (k: keyof LatencySummary) => Math.max(...all.map((l) => l[k]));
  const count = all.reduce((n, l) => n + l.count, 0);
  const mean = count === 0 ? 0 : all.reduce((n, l) => n + l.mean * l.count, 0) / count;
  return { count, p50: worst('p50'), p90: worst('p90'), p99: worst('p99'), max: worst('max'), mean: Math.round(mean * 100) / 100 };
}

function addCounters(all: object[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of all) for (const [k, v] of Object.entries(c)) if (typeof v === 'number') out[k] = (out[k] ?? 0) + v;
  return out;
}

/** The shards' time series added up bucket by bucket (latency: the slowest shard's); violations from the merged judgement. */
function mergeSeries(all: TimeSeries[], violationsByBucket: number[]): TimeSeries | undefined {
  if (all.length === 0) return undefined;
  const first = all[0];
  const out = structuredClone(first);
  const added = ['camerasConnected', 'camerasInBackoff', 'camerasGaveUp', 'viewersOnline', 'thumbnails', 'events', 'cacheGets', 'cacheHits', 'cacheMisses', 'cacheErrors'] as const;
  for (const key of added) out[key] = first.t.map((_, b) => all.reduce((n, s) => n + (s[key][b] ?? 0), 0));
  // older shards' series have no connection attempts
  if (all.every((s) => s.connectAttempts !== undefined)) out.connectAttempts = first.t.map((_, b) => all.reduce((n, s) => n + (s.connectAttempts?.[b] ?? 0), 0));
  for (const key of ['cacheP50Ms', 'cacheP99Ms'] as const) out[key] = first.t.map((_, b) => Math.max(...all.map((s) => s[key][b] ?? 0)));
  let seen = 0;
  out.violations = first.t.map((_, b) => (seen = Math.max(seen, violationsByBucket[b] ?? seen)));
  return out;
}
