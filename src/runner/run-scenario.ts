import { performance } from 'node:perf_hooks';
import type { Clock } from '../clock/clock.ts';
import { ScaledClock } from '../clock/scaled-clock.ts';
import { TimeSeriesSampler } from '../metrics/time-series.ts';
import { evaluateChecks, type RunFacts } from '../oracle/run-checks.ts';
import { combine, reasons } from '../oracle/verdict.ts';
import type { Scenario } from '../scenario/schema.ts';
import { buildSummary, type RunSummary } from '../report/summary.ts';
import type { WorldHooks } from './run-hooks.ts';
import { takeSnapshot, type RunSnapshot } from './run-snapshot.ts';
import { TimelineDriver } from './timeline-driver.ts';
import { buildWorld, startWorld, stopWorld, type World } from './world.ts';

export interface RunOptions {
  /** How to re-run this exact run, printed on failure. */
  repro?: string;
  scenarioFile?: string;
  hooks?: WorldHooks;
  /** Aborting stops the run early: faults heal, the partial result is judged and returned. */
  signal?: AbortSignal;
  /** Called every `progressEveryMs` of real time with a one-line status. */
  onProgress?: (line: string) => void;
  progressEveryMs?: number;
  /** Called once the world is built, with a getter a live display may call at any time. */
  onLive?: (snapshot: () => RunSnapshot) => void;
}

export interface RunResult {
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
  const startedReal = performance.now();
  const startedAt = new Date();
  const clock = new ScaledClock(scenario.timeScale);
  let driver: TimelineDriver | undefined;
  const world = await buildWorld(scenario, clock, () => driver?.activeFaults() ?? [], options.hooks ?? {});
  driver = new TimelineDriver(clock, world);
  const timeline = driver;
  const series = new TimeSeriesSampler(
    { clock, fleet: world.fleet.stats, cache: world.cache, violations: () => world.fleet.oracle.violationCount },
    scenario.duration,
  );
  options.onLive?.(() => takeSnapshot({ world, clock, scenario, series: series.series, faults: () => timeline.windows, violations: () => world.fleet.oracle.violationCount, startedReal }));
  let interrupted = false;
  const progress = startProgress(world, clock, scenario, options);
  try {
    series.start();
    startWorld(world, scenario.duration);
    driver.schedule(scenario);
    interrupted = await waitOrAbort(clock, scenario.duration, options.signal);
  } finally {
    clearInterval(progress);
    series.finish();
    await driver.healAll();
    if (!interrupted) await settle(world);
    await stopWorld(world);
    clock.stop();
  }
  world.fleet.storm.finish();

  const facts: RunFacts = {
    headline: world.fleet.oracle.headline(),
    violationCount: world.fleet.oracle.violationCount,
    storms: world.fleet.storm.storms,
    faults: driver.windows,
    accounting: world.fleet.ledger.account(world.registry.deviceCount, (account, routedAt) =>
      (world.fleet.viewerDrops.get(account) ?? []).some((t) => t >= routedAt - world.fleet.inFlightWindow && t <= routedAt + world.fleet.inFlightWindow),
    ),
    accountsWithoutDeliveries: world.fleet.oracle.accountsWithoutDeliveries(),
    accountCount: world.registry.accountCount,
    checkerErrors: [...world.checkerErrors, ...driver.errors],
    interrupted,
    cacheAnsweredBetween: (from, to) => world.cache.answeredBetween(from, to),
  };
  const checks = evaluateChecks(facts, scenario.checks);
  const summary = buildSummary({
    scenario,
    scenarioFile: options.scenarioFile,
    repro: options.repro,
    world,
    facts,
    checks,
    verdict: combine(checks),
    reasons: reasons(checks),
    transfers: driver.transfers,
    timeSeries: series.series,
    startedAt,
    realSeconds: (performance.now() - startedReal) / 1000,
  });
  return { summary, world, interrupted };
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
    const t = Math.min(clock.now(), scenario.duration) / 1000;
    report(
      `t=${t.toFixed(1)}s cameras up ${s.camerasConnected}/${world.cameras.length} backoff ${s.camerasInBackoff} ` +
        `viewers ${s.viewersOnline}/${world.viewers.length} events ${s.eventsPublished} received ${s.thumbnailsReceived} ` +
        `violations ${world.fleet.oracle.violationCount}`,
    );
  }, options.progressEveryMs ?? 2000).unref();
}
