import { performance } from 'node:perf_hooks';
import type { Clock } from '../clock/clock.ts';
import type { FaultWindow } from '../history/fault-window.ts';
import type { RunSnapshot } from '../metrics/run-snapshot.ts';
import type { TimeSeries } from '../metrics/time-series.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { World } from './world.ts';


export interface SnapshotSources {
  world: World;
  clock: Clock;
  scenario: Scenario;
  series: TimeSeries;
  faults(): readonly FaultWindow[];
  /** Violations the oracle has seen so far. */
  violations(): number;
  startedReal: number;
}

/** Share of the fleet that must be up for the run to count as settled (matches the storm check's default). */
const SETTLED_SHARE = 0.99;

export function takeSnapshot(src: SnapshotSources): RunSnapshot {
  const { world, scenario, series } = src;
  const s = world.fleet.stats;
  const t = Math.min(src.clock.now(), scenario.duration);
  const last = series.t.length - 1;
  const faults = src.faults();
  const cache = world.cache.stats();
  const snapshot: RunSnapshot = {
    stage: '',
    t,
    durationMs: scenario.duration,
    elapsedRealMs: performance.now() - src.startedReal,
    cameras: world.cameras.length,
    camerasConnected: s.camerasConnected,
    camerasInBackoff: s.camerasInBackoff,
    camerasGaveUp: s.camerasGaveUp,
    viewers: world.viewers.length,
    viewersOnline: s.viewersOnline,
    thumbnailsPerSecond: last < 0 ? 0 : Math.round((series.thumbnails[last] * 1000) / (series.t[last] - (series.t[last - 1] ?? 0) || 1)),
    cacheP50Ms: last < 0 ? 0 : series.cacheP50Ms[last],
    cacheP99Ms: last < 0 ? 0 : series.cacheP99Ms[last],
    violations: src.violations(),
    faults,
    totals: {
      connectAttempts: s.connectAttempts,
      eventsPublished: s.eventsPublished,
      thumbnailsReceived: s.thumbnailsReceived,
      cacheOps: cache.gets + cache.sets + cache.deletes,
      cacheErrors: cache.errors,
    },
  };
  snapshot.stage = stageOf(snapshot, scenario.duration - scenario.drain);
  return snapshot;
}

/** A one-word account of where the run is, from what is observable now. */
export function stageOf(s: RunSnapshot, drainAt: number): string {
  if (s.t >= s.durationMs) return 'finishing';
  const active = s.faults.filter((f) => f.injectedAt !== undefined && f.healedAt === undefined);
  if (active.length > 0) return `fault ${active.map((f) => f.id).join('+')}`;
  if (s.t >= drainAt) return 'drain';
  const settled = s.camerasConnected + s.camerasGaveUp >= s.cameras * SETTLED_SHARE;
  if (settled) return 'steady';
  return s.faults.some((f) => f.healedAt !== undefined) ? 'storm' : 'ramp-up';
}
