import type { FaultWindow } from '../history/fault-window.ts';

/** What a live progress display shows: read at any moment, cheap (no scans of the fleet). */
export interface RunSnapshot {
  stage: string;
  /** Scenario ms now, and the run's length. */
  t: number;
  durationMs: number;
  elapsedRealMs: number;
  cameras: number;
  camerasConnected: number;
  camerasInBackoff: number;
  camerasGaveUp: number;
  viewers: number;
  viewersOnline: number;
  /** Per scenario second, over the latest complete bucket of the time series. */
  thumbnailsPerSecond: number;
  cacheP50Ms: number;
  cacheP99Ms: number;
  violations: number;
  /** The fault windows as they stand: injectedAt / healedAt appear when they happen. */
  faults: readonly FaultWindow[];
  /** Counts since the run began, for counters (a metrics endpoint); absent in a snapshot made by hand. */
  totals?: RunTotals;
}

export interface RunTotals {
  connectAttempts: number;
  eventsPublished: number;
  thumbnailsReceived: number;
  cacheOps: number;
  cacheErrors: number;
}
