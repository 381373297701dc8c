import { performance } from 'node:perf_hooks';
import { clockOffset } from '../fields/duration.ts';
import type { Clock } from '../clock/clock.ts';
import { ScaledClock } from '../clock/scaled-clock.ts';
import { TimeSeriesSampler } from '../metrics/time-series.ts';
import { settle as settleVirtual, VirtualClock } from '../clock/virtual-clock.ts';
import { HISTORY_FORMAT } from '../history/history-op.ts';
import { HistoryRecorder } from '../history/history-recorder.ts';
import type { FaultKinds } from '../faults/fault-kind.ts';
import { HistoryChecker } from '../oracle/history-checker.ts';
import { judge } from '../oracle/judge.ts';
import type { ViolationListener } from '../oracle/violation.ts';
import { clockModeOf, type Scenario } from '../scenario/schema.ts';
import type { RunSummary } from '../report/summary.ts';
import { buildSummary } from './summarize-run.ts';
import { historyCapReason, stallReason, timersPerInstantCap } from './run-limits.ts';
import type { WorldHooks } from './run-hooks.ts';
import type { RunSnapshot } from '../metrics/run-snapshot.ts';
import { takeSnapshot } from './run-snapshot.ts';
import { catchStrayErrors } from './stray-errors.ts';
import { checkFaultKinds, TimelineDriver } from './timeline-driver.ts';
import { buildWorld, startWorld, stopWorld, type World } from './world.ts';
import { agreeTimeZero, untilZero, type ShardStartOptions } from './shard-start.ts';
import type { ShardStart } from './shard-barrier.ts';

export interface RunOptions {
  /** How to re-run this exact run, printed on failure. */
  repro?: string;
  scenarioFile?: string;
  hooks?: WorldHooks;
  /** Aborting stops the run early (interrupted): faults heal, the partial result is judged and returned. */
  signal?: AbortSignal;
  /** Called every `progressEveryMs` of real time with a one-line status. */
  onProgress?: (line: string) => void;
  progressEveryMs?: number;
  /** Where to write history.ndjson as the run goes (none: the history is only hashed and judged). */
  historyFile?: string;
  /** When the run started (names the run directory); now, if not given. */
  startedAt?: Date;
  /** Called once the world is built, with a getter a live display may call at any time. */
  onLive?: (snapshot: () => RunSnapshot) => void;
  /** Sees every violation as it is found (blame comes later: `world.checker.blameOf`); the run directory's violations.ndjson. */
  onViolation?: ViolationListener;
  /** The fault kinds the scenario was validated against (scenarioSchemaFor); the built-in ones if not given. */
  faultKinds?: FaultKinds;
  /** A shard (scenario.shard): how it agrees on time zero with the others. */
  shardStart?: ShardStartOptions;
}

export interface RunResult {
  /** How a shard agreed on time zero with the others (also in the history and the summary). */
  shardStart?: ShardStart;
  summary: RunSummary;
  world: World;
  interrupted: boolean;
}

/** Real milliseconds to wait after the last scenario tick for taps and routing to settle. */
const SETTLE_MAX_REAL_MS = 3000;

/**
 * The run's lifecycle: build world → start fleet → run the timeline on the clock → heal →
 * drain → stop → judge. The verdict is a function of what was observed, nothing else.
 */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  checkFaultKinds(scenario, options.faultKinds);
  const startedReal = performance.now();
  const startedAt = options.startedAt ?? new Date();
  const virtual = clockModeOf(scenario) === 'virtual';
  const clock = virtual ? new VirtualClock({ maxTimersPerInstant: timersPerInstantCap(scenario) }) : new ScaledClock(scenario.timeScale);
  // real: at least a second of wall clock, as under CPU contention a message can sit that long
  // in a queue; virtual: nothing waits on a wall clock, so only what the scenario itself delays
  const inFlightWindow = virtual ? 2000 : Math.max(2000, 1000 * clock.timeScale);
  const checker = new HistoryChecker(scenario, inFlightWindow, { onViolation: options.onViolation });
  // the run's own limits stop it the way Ctrl-C does (faults heal, a partial report), but the
  // run is judged INCONCLUSIVE with the reason rather than reported as interrupted
  const limit = new AbortController();
  let stopped: string | undefined;
  const stop = (reason: string) => {
    stopped ??= reason;
    limit.abort();
  };
  const signal = options.signal ? AbortSignal.any([options.signal, limit.signal]) : limit.signal;
  const history = new HistoryRecorder(checker, {
    file: options.historyFile,
    wallClock: !virtual,
    maxBytes: scenario.limits.historyBytes,
    onOverflow: (bytes) => stop(historyCapReason(scenario.limits.historyBytes, bytes, clock.now())),
    eventIds: { offset: checker.ledger.offset, stride: checker.ledger.stride },
  });
  history.record({ op: 'run', format: HISTORY_FORMAT, scenario, clock: virtual ? 'virtual' : 'real', inFlightWindow });
  let driver: TimelineDriver | undefined;
  let world: World | undefined;
  const markers: string[] = [];
  let ended = false;
  const warnings: string[] = [];
  const adapterId = () => world?.adapter.id ?? scenario.cache.adapter;
  const releaseStrays = catchStrayErrors(markers, (stray) => {
    const what = `${stray.kind} outside any cache operation: ${stray.message}`;
    if (ended) warnings.push(`after the run: ${what}`);
    else if (stray.source === 'adapter') history.record({ op: 'contract-breach', t: Math.round(clock.now()), adapter: adapterId(), call: 'adapter code', detail: what });
    else history.record({ op: 'harness-error', t: Math.round(clock.now()), message: `${what} (not traceable to the cache adapter)` });
  });
  try {
    world = await buildWorld(scenario, clock, { history, checker, virtual }, options.hooks ?? {});
  } catch (error) {
    releaseStrays();
    history.close();
    throw error;
  }
  let shardStart: ShardStart | undefined;
  if (world.shard !== undefined) {
    try {
      shardStart = await agreeTimeZero(world, options.shardStart, signal);
    } catch (error) {
      await stopWorld(world, scenario.cache.closeTimeout);
      releaseStrays();
      history.close();
      throw error;
    }
    const rtZero = history.realTime() === undefined ? undefined : Math.round((performance.now() + shardStart.zeroAt - Date.now()) * 10) / 10;
    history.record({ op: 'shard-start', t: 0, ...shardStart, rtZero });
  }
  markers.push(...world.adapterCodeMarkers);
  driver = new TimelineDriver(clock, world, options.faultKinds);
  const timeline = driver;
  const series = new TimeSeriesSampler(
    { clock, fleet: world.fleet.stats, cache: world.cache, violations: () => checker.oracle.violationCount },
    scenario.duration,
  );
  options.onLive?.(() => takeSnapshot({ world, clock, scenario, series: series.series, faults: () => timeline.windows, violations: () => checker.oracle.violationCount, startedReal }));
  let interrupted = false;
  let aborted = false;
  const progress = startProgress(world, clock, scenario, options);
  try {
    if (shardStart !== undefined) await untilZero(shardStart);
    if (clock instanceof ScaledClock) clock.startNow();
    if (shardStart !== undefined) shardStart.lateMs = Date.now() - shardStart.zeroAt;
    series.start();
    startWorld(world, scenario.duration);
    driver.schedule(scenario);
    aborted = clock instanceof VirtualClock ? await clock.runUntil(scenario.duration, signal) : await waitOrAbort(clock, scenario.duration, signal);
    if (clock instanceof VirtualClock && clock.stall) stop(stallReason(clock.stall));
    interrupted = aborted && stopped === undefined;
  } finally {
    clearInterval(progress);
    series.finish();
    await driver.healAll();
    if (virtual) await settleVirtual();
    else if (!aborted) await settle(world);
    warnings.push(...(await stopWorld(world, scenario.cache.closeTimeout)));
    const t = Math.round(clock.now());
    clock.stop();
    for (const message of driver.errors) history.record({ op: 'harness-error', t, message });
    if (world.broker.failure !== undefined) history.record({ op: 'harness-error', t, message: world.broker.failure });
    history.record({ op: 'end', t, interrupted, stopped });
    ended = true;
    history.close();
    series.settle();
  }

  const judgement = judge(checker, scenario);
  const summary = buildSummary({
    scenario,
    scenarioFile: options.scenarioFile,
    repro: options.repro,
    world,
    judgement,
    checker,
    history: { ops: history.ops, bytes: history.bytes, sha256: history.close(), clock: virtual ? 'virtual' : 'real', file: options.historyFile },
    transfers: driver.transfers,
    timeSeries: series.series,
    startedAt,
    realSeconds: (performance.now() - startedReal) / 1000,
    warnings,
    shardStart,
  });
  // errors nobody handles from here on are the caller's to report (the CLI warns and exits)
  releaseStrays();
  return { summary, world, interrupted, shardStart };
}

function waitOrAbort(clock: Clock, duration: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => resolve(true);
    signal?.addEventListener('abort', onAbort, { once: true });
    void clock.sleep(duration - clock.now()).then(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(false);
    });
  });
}

/** Lets in-flight taps and service lookups finish (bounded), so they are judged, not lost. */
async function settle(world: World): Promise<void> {
  const deadline = performance.now() + SETTLE_MAX_REAL_MS;
  const s = world.fleet.stats;
  while (performance.now() < deadline && s.tapsSent > s.tapsOpened + s.tapsDenied + s.tapsFailed) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
}

function startProgress(world: World, clock: Clock, scenario: Scenario, options: RunOptions): NodeJS.Timeout | undefined {
  if (!options.onProgress) return undefined;
  const report = options.onProgress;
  return setInterval(() => {
    const s = world.fleet.stats;
    const now = Math.min(clock.now(), scenario.duration);
    // a long run (an incident replay) in scenario time as its timeline is written
    const t = scenario.duration >= 600_000 ? clockOffset(now) : `${(now / 1000).toFixed(1)}s`;
    report(
      `t=${t} cameras up ${s.camerasConnected}/${world.cameras.length} backoff ${s.camerasInBackoff} ` +
        `viewers ${s.viewersOnline}/${world.viewers.length} events ${s.eventsPublished} received ${s.thumbnailsReceived} ` +
        `violations ${world.checker.oracle.violationCount}`,
    );
  }, options.progressEveryMs ?? 2000).unref();
}
