import { performance } from 'node:perf_hooks';
import { ObservedCache } from '../src/cache/observed-cache.ts';
import type { CacheOpRecord } from '../src/history/evidence.ts';
import type { ChaosProxyStats } from '../src/chaos/chaos-proxy.ts';
import { runScenario } from '../src/runner/run-scenario.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { installProbes, resetStormProbe, stormProbe } from './probes.ts';
import { scenarioFromDefault } from './storm-scenario.ts';
import { busiestSecond, inWindow, percentiles, perSecond, sampleLoopLag, type Percentiles, type SecondRow, type TimedSamples } from './timed-samples.ts';

/**
 * One cache adapter under a reconnect storm (child side; see cache-adapters.bench.ts). The
 * default scenario at 10,000 cameras on the memory transport with its normal event traffic
 * (a motion event every 5 s per camera, 20 % taps), a 2 s cache TTL so lookups keep missing and
 * writing back, one broker outage the whole fleet drops on, a fixed 1 s backoff without jitter
 * (a true thundering herd), an ownership transfer (cache deletes), and no cache faults. Every
 * camera uploads a snapshot within 1 s of each (re)connect, so the herd is also a cache herd:
 * with the TTL shorter than the outage, every one of those lookups misses, loads and sets.
 */
export interface CacheStormPlan {
  devices: number;
  eventInterval: number;
  ttl: number;
  outageAt: number;
  outageFor: number;
  transferAt: number;
  duration: number;
  drain: number;
}

export const CACHE_PLAN: CacheStormPlan = {
  devices: 10_000,
  eventInterval: 5000,
  ttl: 2000,
  outageAt: 14_000,
  outageFor: 3000,
  transferAt: 22_000,
  duration: 36_000,
  drain: 5000,
};

/** src/fleet/camera.ts SNAPSHOT_SPREAD: a camera's post-connect snapshot comes within this long. */
const SNAPSHOT_SPREAD_MS = 1000;
/**
 * The steady-state window: this long, ending 1 s before events stop, i.e. after the storm and the
 * transfer have settled. (Not before the outage: the first connect is a herd too, and with a slow
 * adapter its backlog still drains 8 s in.)
 */
const STEADY_MS = 6000;
const LAG_TICK_MS = 10;

export function cacheStormScenario(plan: CacheStormPlan, adapter: string, proxy: boolean): Promise<Scenario> {
  return scenarioFromDefault(`bench cache ${adapter} proxy=${proxy}`, (s) => {
    s.name = `bench-cache-${adapter}-${proxy ? 'proxy' : 'direct'}`;
    s.timeScale = 1;
    s.duration = plan.duration;
    s.drain = plan.drain;
    s.fleet.devices = plan.devices;
    s.fleet.transport = 'memory';
    s.fleet.eventInterval = plan.eventInterval;
    s.fleet.backoff = { kind: 'fixed', jitter: 'none', base: 1000, cap: 1000, maxAttempts: 0 };
    s.cache.adapter = adapter;
    s.cache.proxy = proxy;
    s.cache.ttl = plan.ttl;
    s.timeline = [
      { at: plan.outageAt, fault: 'broker-outage', duration: plan.outageFor },
      { at: plan.transferAt, transfer: { share: 0.05 } },
    ];
  });
}

/** Bench probe on ObservedCache: when every get finished and its latency (real ms); when any op failed, and why. */
const gets: TimedSamples = { at: [], ms: [] };
const errors = { at: [] as number[], kinds: new Map<string, number>() };
let cacheProbeInstalled = false;

function installCacheProbe(): void {
  if (cacheProbeInstalled) return;
  cacheProbeInstalled = true;
  // `keep` (private in TS only) runs once per finished operation, success or error
  const proto = ObservedCache.prototype as unknown as { keep: (this: ObservedCache, ...args: unknown[]) => CacheOpRecord };
  const keep = proto.keep;
  proto.keep = function (this: ObservedCache, ...args: unknown[]): CacheOpRecord {
    const now = performance.now();
    if (args[1] === 'get') {
      gets.at.push(now);
      gets.ms.push(now - (args[5] as number));
    }
    if (args[4] === 'error') {
      errors.at.push(now);
      // keyed by operation and message, with the key itself taken out
      const message = args[6] instanceof Error ? args[6].message : String(args[6]);
      const kind = `${String(args[1])}: ${message.replaceAll(String(args[2]), '<key>')}`;
      errors.kinds.set(kind, (errors.kinds.get(kind) ?? 0) + 1);
    }
    return keep.apply(this, args);
  };
}

export interface CacheStormResult {
  label: string;
  adapter: string;
  proxy: boolean;
  library: string;
  verdict: string;
  reasons: string[];
  devices: number;
  dropped: number;
  reconnected: number;
  /** summary.realSeconds: build (private server, proxy) → run → drain → teardown. */
  wallSeconds: number;
  /** summary.cache.stats: counts, and latency over every operation (get, set, delete), ms. */
  stats: { gets: number; hits: number; misses: number; sets: number; deletes: number; errors: number };
  allOpsLatency: { p50: number; p90: number; p99: number; max: number; mean: number };
  resolverErrors: number;
  garbageValues: number;
  /** (gets + sets + deletes) / wallSeconds. */
  opsPerSecond: number;
  /** Gets finished per real second in the steady window, and that window (real s from the restore). */
  steadyGetsPerSecond: number;
  steadyWindowSeconds: [number, number];
  /** Gets finished per real second from the restore to the last camera CONNACK + the 1 s snapshot spread. */
  stormGetsPerSecond: number;
  stormWindowSeconds: number;
  /** The most gets finished in any 1 s (sliding) of the run, and when that second ended (real s from the restore). */
  peakGetsPerSecond: number;
  peakAtSeconds: number;
  /** Get-only latency (bench probe), ms: the whole run, the steady window and the storm window. */
  getLatency: Percentiles;
  steadyGetLatency: Percentiles;
  stormGetLatency: Percentiles;
  /** Through the proxy: connections it opened and bytes it carried (proves the path). */
  proxyConnections?: number;
  proxyBytes?: number;
  /** Event-loop lag (a 10 ms timer's overshoot, bench probe), ms: the whole run and the storm window. */
  loopLag: Percentiles;
  stormLoopLag: Percentiles;
  /** Per real second, from the restore (t = 0; negative before): gets finished, their p50/p99 ms, loop lag p99 ms. */
  perSecond: SecondRow[];
  /** Failed operations by operation and message (bench probe), and when they happened (real s from the restore). */
  errorKinds: Record<string, number>;
  errorsBetweenSeconds?: [number, number];
  eventsPublished: number;
  plan: CacheStormPlan;
}

export async function runCacheStorm(label: string, adapter: string, proxy: boolean, log: (line: string) => void): Promise<CacheStormResult> {
  installProbes();
  installCacheProbe();
  resetStormProbe();
  gets.at.length = 0;
  gets.ms.length = 0;
  errors.at.length = 0;
  errors.kinds.clear();
  const plan = CACHE_PLAN;
  const scenario = await cacheStormScenario(plan, adapter, proxy);
  const lag = sampleLoopLag(LAG_TICK_MS);
  let run;
  try {
    run = await runScenario(scenario, { onProgress: (line) => log(`  [${label}] ${line}`), progressEveryMs: 5000 });
  } finally {
    lag.stop();
  }
  const { summary, world } = run;
  const storm = summary.storms[0];
  const restored = stormProbe.restoredReal;
  if (storm === undefined || restored === undefined) {
    throw new Error(`${label}: the run recorded no storm (verdict ${summary.verdict}: ${summary.reasons.join(' | ')})`);
  }
  const stormEnd = restored + storm.realSeconds * 1000 + SNAPSHOT_SPREAD_MS;
  const stormWindowSeconds = (stormEnd - restored) / 1000;
  // scenario ms = real ms at timeScale 1, counted from the restore (scenario outageAt + outageFor)
  const steadyEnd = restored + (plan.duration - plan.drain - plan.outageAt - plan.outageFor) - 1000;
  const stormMs = inWindow(gets, restored, stormEnd);
  const steadyMs = inWindow(gets, steadyEnd - STEADY_MS, steadyEnd);
  const peak = busiestSecond(gets.at);
  const c = summary.cache.stats;
  const proxyStats = world.cacheNetwork?.proxy?.stats as ChaosProxyStats | undefined;
  const library = summary.versions.cacheLibrary;
  return {
    label,
    adapter,
    proxy: proxyStats !== undefined,
    library: library ? `${library.name} ${library.version}` : '?',
    verdict: summary.verdict,
    reasons: summary.reasons,
    devices: summary.fleet.devices,
    dropped: storm.dropped,
    reconnected: storm.reconnected,
    wallSeconds: summary.realSeconds,
    stats: { gets: c.gets, hits: c.hits, misses: c.misses, sets: c.sets, deletes: c.deletes, errors: c.errors },
    allOpsLatency: { p50: c.latency.p50, p90: c.latency.p90, p99: c.latency.p99, max: c.latency.max, mean: c.latency.mean },
    resolverErrors: summary.cache.resolverErrors,
    garbageValues: summary.cache.garbageValues,
    opsPerSecond: (c.gets + c.sets + c.deletes) / summary.realSeconds,
    steadyGetsPerSecond: steadyMs.length / (STEADY_MS / 1000),
    steadyWindowSeconds: [(steadyEnd - STEADY_MS - restored) / 1000, (steadyEnd - restored) / 1000],
    stormGetsPerSecond: stormMs.length / stormWindowSeconds,
    stormWindowSeconds,
    peakGetsPerSecond: peak.count,
    peakAtSeconds: (peak.endedAt - restored) / 1000,
    getLatency: percentiles(gets.ms),
    steadyGetLatency: percentiles(steadyMs),
    stormGetLatency: percentiles(stormMs),
    proxyConnections: proxyStats?.connectionsOpened,
    proxyBytes: proxyStats === undefined ? undefined : proxyStats.bytesUpstream + proxyStats.bytesDownstream,
    loopLag: percentiles(lag.ms),
    stormLoopLag: percentiles(inWindow(lag, restored, stormEnd)),
    perSecond: perSecond(restored, gets, lag, errors.at),
    errorKinds: Object.fromEntries(errors.kinds),
    errorsBetweenSeconds: errors.at.length === 0 ? undefined : [(errors.at[0] - restored) / 1000, (errors.at[errors.at.length - 1] - restored) / 1000],
    eventsPublished: summary.stats.eventsPublished,
    plan,
  };
}
