import type { RunSnapshot, RunTotals } from '../metrics/run-snapshot.ts';
import { stageOf } from './run-snapshot.ts';

/**
 * The workers' live snapshots as one run's: fleet counts, rates, violations and totals added up;
 * scenario time the least advanced worker's (they share time zero); cache percentiles the
 * slowest worker's, as the merge reports them; the faults as the first worker has them (every
 * worker applies each fault at the same scenario instant). `elapsedRealMs`: the parent's own.
 */
export function combineSnapshots(snapshots: readonly RunSnapshot[], timing: { durationMs: number; drainAt: number; elapsedRealMs: number }): RunSnapshot {
  const { durationMs, drainAt, elapsedRealMs } = timing;
  const sum = (pick: (s: RunSnapshot) => number) => snapshots.reduce((n, s) => n + pick(s), 0);
  const max = (pick: (s: RunSnapshot) => number) => Math.max(0, ...snapshots.map(pick));
  const withTotals = snapshots.filter((s) => s.totals !== undefined);
  const totals: RunTotals | undefined =
    withTotals.length === 0
      ? undefined
      : {
          connectAttempts: sum((s) => s.totals?.connectAttempts ?? 0),
          eventsPublished: sum((s) => s.totals?.eventsPublished ?? 0),
          thumbnailsReceived: sum((s) => s.totals?.thumbnailsReceived ?? 0),
          cacheOps: sum((s) => s.totals?.cacheOps ?? 0),
          cacheErrors: sum((s) => s.totals?.cacheErrors ?? 0),
        };
  const combined: RunSnapshot = {
    stage: '',
    t: snapshots.length === 0 ? 0 : Math.min(...snapshots.map((s) => s.t)),
    durationMs: snapshots[0]?.durationMs ?? durationMs,
    elapsedRealMs,
    cameras: sum((s) => s.cameras),
    camerasConnected: sum((s) => s.camerasConnected),
    camerasInBackoff: sum((s) => s.camerasInBackoff),
    camerasGaveUp: sum((s) => s.camerasGaveUp),
    viewers: sum((s) => s.viewers),
    viewersOnline: sum((s) => s.viewersOnline),
    thumbnailsPerSecond: sum((s) => s.thumbnailsPerSecond),
    cacheP50Ms: max((s) => s.cacheP50Ms),
    cacheP99Ms: max((s) => s.cacheP99Ms),
    violations: sum((s) => s.violations),
    faults: snapshots[0]?.faults ?? [],
    ...(totals && { totals }),
  };
  // none yet: the workers are starting, building their fleets or meeting at the barrier
  combined.stage = snapshots.length === 0 ? 'starting workers' : stageOf(combined, drainAt);
  return combined;
}
