import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runScenario } from '../src/runner/run-scenario.ts';
import { cpuAt, installProbes, resetStormProbe, stormProbe } from './probes.ts';
import { planFor, stormScenario, type StormKind } from './storm-scenario.ts';

export interface FullStormResult {
  /** Which herd (see StormKind): all cameras cut off and back, or the broker down and everyone back. */
  kind: StormKind;
  devices: number;
  viewers: number;
  accounts: number;
  /** Where aedes ran: `worker` = its own thread (the default on a real clock), `inline` = the run's thread. */
  brokerThread: 'inline' | 'worker' | 'external';
  verdict: string;
  reasons: string[];
  dropped: number;
  reconnected: number;
  reconnectShare: number;
  failedAttempts: number;
  /** Cameras reconnected per real second, from the first connection accepted after the restore to the last camera CONNACK. */
  connectsPerSecond: number;
  /** The run's own figure (StormTracker): from the restore instant, which includes the wait for the next retry tick. */
  trackerMeanPerSecond: number;
  trackerPeakPerSecond: number;
  /** Real ms from the restore to the first connection accepted (≤ 1 s retry tick: the herd arrives at once). */
  firstAcceptDelayMs: number;
  /** Real seconds from the first accept after restore to the last camera CONNACK. */
  stormSeconds: number;
  /** All connections the broker accepted after the restore (the cameras; in an outage also the viewers and the service). */
  acceptsAfterRestore: number;
  /** Process CPU (all threads) over wall time, restore → last camera reconnect: ≈1 means one core saturated. */
  stormCpuCores: number;
  /** Process CPU (all threads) from the restore to the last camera's CONNACK, per camera reconnected, µs. */
  cpuMicrosPerConnect: number;
  timeToReconnectMs: { p50: number; p99: number; max: number };
  wallSeconds: number;
  timeScale: number;
  plan: { assumedRate: number; outageAt: number; outageFor: number; duration: number };
  eventsPublished: number;
}

/**
 * The storm through the whole pipeline (auth, ACL, reference service, cache lookups, viewers,
 * oracle), run exactly as `crosswire run` runs a scenario, with bench probes on the side.
 */
export async function runFullStorm(devices: number, rate: number, kind: StormKind, log: (line: string) => void): Promise<FullStormResult> {
  installProbes();
  resetStormProbe();
  const plan = planFor(devices, rate);
  const scenario = await stormScenario(plan, kind);
  const started = performance.now();
  const historyFile = historyFileFor(kind, devices);
  if (historyFile !== undefined) log(`  [full ${kind} ${devices}] history: ${historyFile}`);
  const { summary } = await runScenario(scenario, {
    onProgress: (line) => log(`  [full ${kind} ${devices}] ${line}`),
    progressEveryMs: 5000,
    historyFile,
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const storm = summary.storms[0];
  if (storm === undefined) throw new Error(`full storm ${devices}: the run recorded no storm (verdict ${summary.verdict})`);
  if (stormProbe.restoredReal === undefined || stormProbe.firstAcceptReal === undefined) {
    throw new Error(`full storm ${devices}: the restore or the first connect after it was not observed`);
  }
  // StormTracker: lastReal = restoredReal + realSeconds; our window starts at the first accept
  const lastConnackReal = stormProbe.restoredReal + storm.realSeconds * 1000;
  const stormSeconds = (lastConnackReal - stormProbe.firstAcceptReal) / 1000;
  // CPU from the restore to the last camera's CONNACK (sampled on that very connect)
  const stormCpuMicros = (cpuAt(lastConnackReal) ?? Number.NaN) - stormProbe.cpuAtRestore;
  return {
    kind,
    devices: summary.fleet.devices,
    viewers: summary.fleet.viewers,
    accounts: summary.fleet.accounts,
    brokerThread: summary.fleet.brokerThread ?? 'inline',
    verdict: summary.verdict,
    reasons: summary.reasons,
    dropped: storm.dropped,
    reconnected: storm.reconnected,
    reconnectShare: storm.reconnectShare,
    failedAttempts: storm.failedAttempts,
    connectsPerSecond: stormSeconds > 0 ? storm.reconnected / stormSeconds : 0,
    trackerMeanPerSecond: storm.connectsPerSecondMean,
    trackerPeakPerSecond: storm.connectsPerSecondPeak,
    stormSeconds,
    firstAcceptDelayMs: stormProbe.firstAcceptReal - stormProbe.restoredReal,
    acceptsAfterRestore: stormProbe.acceptsAfterRestore,
    stormCpuCores: stormCpuMicros / 1000 / Math.max(1e-9, lastConnackReal - stormProbe.restoredReal),
    cpuMicrosPerConnect: stormCpuMicros / Math.max(1, storm.reconnected),
    timeToReconnectMs: { p50: storm.timeToReconnect.p50, p99: storm.timeToReconnect.p99, max: storm.timeToReconnect.max },
    wallSeconds,
    timeScale: scenario.timeScale,
    plan: { assumedRate: plan.assumedRate, outageAt: plan.outageAt, outageFor: plan.outageFor, duration: plan.duration },
    eventsPublished: summary.stats.eventsPublished,
  };
}

/**
 * BENCH_HISTORY_DIR=<dir>: each full storm writes its history there
 * (`<kind>-<devices>/history.ndjson`), so a verdict other than PASS can be read op by op and
 * re-judged with `crosswire check <dir>/<kind>-<devices>`.
 */
function historyFileFor(kind: StormKind, devices: number): string | undefined {
  const dir = process.env.BENCH_HISTORY_DIR;
  if (dir === undefined || dir === '') return undefined;
  const runDir = join(dir, `${kind}-${devices}`);
  mkdirSync(runDir, { recursive: true });
  return join(runDir, 'history.ndjson');
}
