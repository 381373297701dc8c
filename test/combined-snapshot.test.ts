import { describe, expect, it } from 'vitest';
import type { RunSnapshot } from '../src/metrics/run-snapshot.ts';
import { combineSnapshots } from '../src/runner/combined-snapshot.ts';

const worker = (over: Partial<RunSnapshot>): RunSnapshot => ({
  stage: 'steady', t: 5_000, durationMs: 20_000, elapsedRealMs: 1_000, cameras: 100, camerasConnected: 100, camerasInBackoff: 0, camerasGaveUp: 0,
  viewers: 40, viewersOnline: 40, thumbnailsPerSecond: 10, cacheP50Ms: 1, cacheP99Ms: 5, violations: 0, faults: [],
  totals: { connectAttempts: 100, eventsPublished: 50, thumbnailsReceived: 60, cacheOps: 70, cacheErrors: 1 },
  ...over,
});
const timing = { durationMs: 20_000, drainAt: 16_000, elapsedRealMs: 2_500 };

describe('the workers\' live snapshots as one run\'s', () => {
  it('adds counts and counters, takes the least advanced time and the slowest cache', () => {
    const s = combineSnapshots([worker({ t: 5_200, cacheP99Ms: 9, violations: 2 }), worker({ t: 5_000, cameras: 111, camerasConnected: 90, camerasInBackoff: 21 })], timing);
    expect(s).toMatchObject({ t: 5_000, cameras: 211, camerasConnected: 190, camerasInBackoff: 21, viewers: 80, thumbnailsPerSecond: 20, cacheP99Ms: 9, violations: 2, elapsedRealMs: 2_500 });
    expect(s.totals).toEqual({ connectAttempts: 200, eventsPublished: 100, thumbnailsReceived: 120, cacheOps: 140, cacheErrors: 2 });
    // 190 of 211 up: not settled yet
    expect(s.stage).toBe('ramp-up');
  });

  it('the stage is the run\'s: a fault the workers apply shows, and none reported yet is "starting workers"', () => {
    const faults = [{ window: 0, id: 'broker-outage', kind: 'broker-outage', at: 4_000, until: 7_000, injectedAt: 4_000 }] as unknown as RunSnapshot['faults'];
    expect(combineSnapshots([worker({ faults }), worker({ faults })], timing).stage).toBe('fault broker-outage');
    expect(combineSnapshots([], timing)).toMatchObject({ stage: 'starting workers', t: 0, cameras: 0, durationMs: 20_000 });
  });
});
