import { BinnedDistribution, type Bins } from '../metrics/binned-distribution.ts';
import { LatencyHistogram, type LatencySummary } from '../metrics/latency-histogram.ts';

/** The measured shape of one reconnect storm: the outage it followed and how the fleet came back. */
export interface StormReport {
  fault: string;
  outageAt: number;
  restoredAt: number;
  /** Cameras connected when the outage began (the ones that must come back). */
  dropped: number;
  reconnected: number;
  reconnectShare: number;
  /** Scenario milliseconds from restore to each camera's CONNACK. */
  timeToReconnect: LatencySummary;
  /** The same times as a histogram, for the report's distribution chart. */
  timeToReconnectBins?: Bins;
  /** Failed connection attempts between outage start and the last reconnect. */
  failedAttempts: number;
  /**
   * Real (wall-clock; scenario time under a virtual clock) connects per second: the peak one-second
   * bucket, and the mean over the one-second buckets from restore to the last reconnect (≤ the peak).
   */
  connectsPerSecondPeak: number;
  connectsPerSecondMean: number;
  /** Wall-clock seconds from restore to the last reconnect. */
  realSeconds: number;
}

interface OpenStorm {
  fault: string;
  outageAt: number;
  restoredAt: number | undefined;
  restoredReal: number;
  awaiting: Uint8Array;
  dropped: number;
  reconnected: number;
  histogram: LatencyHistogram;
  distribution: BinnedDistribution;
  failedAttempts: number;
  buckets: number[];
  lastReal: number;
}

/**
 * Watches camera connects around each outage. O(1) per connect; one fleet-sized bitmap per storm.
 * `real` is wall-clock ms as recorded in the history (absent under a virtual clock: then scenario ms).
 */
export class StormTracker {
  private readonly deviceCount: number;
  private current: OpenStorm | undefined;
  readonly storms: StormReport[] = [];
  connected: Uint8Array;

  /** Sees every camera's time to reconnect (scenario ms), across storms: the run's thresholds. */
  private readonly onReconnect: ((ms: number) => void) | undefined;

  constructor(deviceCount: number, onReconnect?: (ms: number) => void) {
    this.onReconnect = onReconnect;
    this.deviceCount = deviceCount;
    this.connected = new Uint8Array(deviceCount);
  }

  onConnect(device: number, now: number, real: number): void {
    this.connected[device] = 1;
    const storm = this.current;
    if (storm === undefined || storm.restoredAt === undefined || storm.awaiting[device] === 0) return;
    storm.awaiting[device] = 0;
    storm.reconnected++;
    storm.histogram.record(now - storm.restoredAt);
    this.onReconnect?.(now - storm.restoredAt);
    storm.distribution.record(now - storm.restoredAt);
    const bucket = Math.max(0, Math.floor((real - storm.restoredReal) / 1000));
    storm.buckets[bucket] = (storm.buckets[bucket] ?? 0) + 1;
    storm.lastReal = real;
  }

  onDisconnect(device: number): void {
    this.connected[device] = 0;
  }

  onFailedAttempt(): void {
    if (this.current) this.current.failedAttempts++;
  }

  /** `devices`: only these were cut off (a partition), so only they must come back; all when absent. */
  outageBegan(fault: string, now: number, devices?: readonly number[]): void {
    this.finish();
    let awaiting = new Uint8Array(this.connected);
    if (devices !== undefined) {
      const cut = new Uint8Array(this.deviceCount);
      for (const d of devices) cut[d] = awaiting[d];
      awaiting = cut;
    }
    let dropped = 0;
    for (let i = 0; i < this.deviceCount; i++) dropped += awaiting[i];
    this.current = {
      fault,
      outageAt: now,
      restoredAt: undefined,
      restoredReal: 0,
      awaiting,
      dropped,
      reconnected: 0,
      histogram: new LatencyHistogram(),
      distribution: new BinnedDistribution(),
      failedAttempts: 0,
      buckets: [],
      lastReal: 0,
    };
  }

  outageEnded(now: number, real: number): void {
    if (this.current === undefined) return;
    this.current.restoredAt = now;
    this.current.restoredReal = real;
    this.current.lastReal = this.current.restoredReal;
  }

  /** Closes the open storm; call before reading `storms` at the end. */
  finish(): void {
    const s = this.current;
    this.current = undefined;
    if (s === undefined || s.restoredAt === undefined) return;
    const realSeconds = (s.lastReal - s.restoredReal) / 1000;
    const buckets = Array.from(s.buckets, (n) => n ?? 0);
    this.storms.push({
      fault: s.fault,
      outageAt: Math.round(s.outageAt),
      restoredAt: Math.round(s.restoredAt),
      dropped: s.dropped,
      reconnected: s.reconnected,
      reconnectShare: s.dropped === 0 ? 0 : s.reconnected / s.dropped,
      timeToReconnect: s.histogram.summary(),
      timeToReconnectBins: s.distribution.bins(),
      failedAttempts: s.failedAttempts,
      connectsPerSecondPeak: buckets.length === 0 ? 0 : Math.max(...buckets),
      // over the whole seconds the peak is taken from: a storm over in 0.3 s has a mean of its
      // count, not count / 0.3, so the mean can never read above the peak
      connectsPerSecondMean: buckets.length === 0 ? 0 : Math.round(s.reconnected / buckets.length),
      realSeconds: Math.round(realSeconds * 1000) / 1000,
    });
  }
}
