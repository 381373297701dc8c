import { describe, expect, it } from 'vitest';
import { StormTracker } from '../src/oracle/storm-tracker.ts';

/** One storm: `devices` cameras connected, an outage, then each back at the given real ms after restore. */
function storm(devices: number, backAt: (i: number) => number) {
  const tracker = new StormTracker(devices);
  for (let i = 0; i < devices; i++) tracker.onConnect(i, 0, 0);
  tracker.outageBegan('broker-outage', 1000);
  for (let i = 0; i < devices; i++) tracker.onDisconnect(i);
  tracker.outageEnded(2000, 2000);
  for (let i = 0; i < devices; i++) tracker.onConnect(i, 2000 + backAt(i), 2000 + backAt(i));
  tracker.finish();
  return tracker.storms[0];
}

describe('connects per second of a storm', () => {
  it('never shows a mean above the peak, however short the storm', () => {
    // all 300 back within 300 ms: one one-second bucket; the mean was once 300 / 0.3 s = 1000
    const s = storm(300, (i) => i);
    expect(s.connectsPerSecondPeak).toBe(300);
    expect(s.connectsPerSecondMean).toBe(300);
  });

  it('is the mean over the seconds from restore to the last reconnect', () => {
    // 100 in the first second, none in the second, 50 in the third
    const s = storm(150, (i) => (i < 100 ? 10 * i : 2000 + i));
    expect(s.connectsPerSecondPeak).toBe(100);
    expect(s.connectsPerSecondMean).toBe(50);
    for (const devices of [1, 7, 64, 999]) {
      const t = storm(devices, (i) => (i * 7919) % 4321);
      expect(t.connectsPerSecondMean, `${devices} cameras`).toBeLessThanOrEqual(t.connectsPerSecondPeak);
    }
  });
});
