import type { Clock } from '../clock/clock.ts';
import type { TimerEntry, TimerTarget } from '../clock/timer-queue.ts';
import type { LatencySummary } from './latency-histogram.ts';

/** The fleet counters the series reads (the fleet's live stats object satisfies it). */
export interface FleetGauges {
  readonly camerasConnected: number;
  readonly camerasInBackoff: number;
  readonly camerasGaveUp: number;
  readonly viewersOnline: number;
  readonly thumbnailsReceived: number;
  readonly eventsPublished: number;
  readonly connectAttempts: number;
}

/** The cache counters the series reads (the observed cache's stats satisfy it). */
export interface CacheCounts {
  gets: number;
  hits: number;
  misses: number;
  errors: number;
}

/**
 * The run over scenario time, one entry per bucket, stored as columns (compact in summary.json,
 * and what a chart wants). Gauges are read at the end of the bucket; counts are what happened in it.
 */
export interface TimeSeries {
  bucketMs: number;
  /** Scenario ms at the end of each bucket (the last one may be shorter). */
  t: number[];
  camerasConnected: number[];
  camerasInBackoff: number[];
  camerasGaveUp: number[];
  viewersOnline: number[];
  /** Thumbnails viewers received in the bucket. */
  thumbnails: number[];
  /** Events cameras published in the bucket. */
  events: number[];
  /** Camera connection attempts begun in the bucket: the storm itself (absent in older summaries). */
  connectAttempts?: number[];
  cacheGets: number[];
  cacheHits: number[];
  cacheMisses: number[];
  cacheErrors: number[];
  /** Latency of the cache operations completed in the bucket (0 when there were none). */
  cacheP50Ms: number[];
  cacheP99Ms: number[];
  /** Violations seen so far (cumulative). */
  violations: number[];
}

export interface TimeSeriesSources {
  clock: Clock;
  /** The fleet's live counters (read, never written). */
  fleet: FleetGauges;
  cache: { stats(): CacheCounts; takeWindowLatency(): LatencySummary };
  violations(): number;
}

/** At most this many buckets, so a two-hour incident replay stays a readable chart and a small file. */
export const MAX_BUCKETS = 600;

/** One second, or whole seconds coarser so that the run has at most MAX_BUCKETS buckets. */
export function bucketMsFor(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs / MAX_BUCKETS / 1000)) * 1000;
}

export function emptyTimeSeries(bucketMs: number): TimeSeries {
  return {
    bucketMs,
    t: [],
    camerasConnected: [],
    camerasInBackoff: [],
    camerasGaveUp: [],
    viewersOnline: [],
    thumbnails: [],
    events: [],
    connectAttempts: [],
    cacheGets: [],
    cacheHits: [],
    cacheMisses: [],
    cacheErrors: [],
    cacheP50Ms: [],
    cacheP99Ms: [],
    violations: [],
  };
}

/** Samples the world once per bucket of scenario time, driven by the run's own clock. */
export class TimeSeriesSampler implements TimerTarget {
  readonly series: TimeSeries;
  private readonly s: TimeSeriesSources;
  private timer: TimerEntry | undefined;
  private lastT = 0;
  private stopped = false;
  private readonly durationMs: number;
  private prev = { thumbnails: 0, events: 0, attempts: 0, gets: 0, hits: 0, misses: 0, errors: 0 };

  constructor(sources: TimeSeriesSources, durationMs: number) {
    this.s = sources;
    this.durationMs = durationMs;
    this.series = emptyTimeSeries(bucketMsFor(durationMs));
  }

  start(): void {
    this.lastT = this.s.clock.now();
    this.s.cache.takeWindowLatency(); // nothing before the start belongs to the first bucket
    this.schedule();
  }

  onTimer(): void {
    if (this.stopped) return;
    const b = this.series.bucketMs;
    this.sample((Math.floor(this.lastT / b) + 1) * b);
    this.schedule();
  }

  /** Records the last, partial bucket (an interrupted run's too) and stops sampling. */
  finish(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.s.clock.cancel(this.timer);
    // the run's end is a bucket boundary already sampled unless the run stopped early
    const end = Math.min(this.s.clock.now(), this.durationMs);
    if (end - this.lastT >= 1) this.sample(end);
  }

  /**
   * After the world has stopped: what happened after the last sample (in-flight deliveries and
   * cache operations landing while faults heal and the run drains) joins the last bucket, so the
   * series adds up to the run's totals and ends at the run's violation count. Gauges stay as sampled.
   */
  settle(): void {
    const x = this.series;
    const last = x.t.length - 1;
    if (last < 0) return;
    const { fleet } = this.s;
    const c = this.s.cache.stats();
    x.thumbnails[last] += fleet.thumbnailsReceived - this.prev.thumbnails;
    x.events[last] += fleet.eventsPublished - this.prev.events;
    x.connectAttempts![last] += fleet.connectAttempts - this.prev.attempts;
    x.cacheGets[last] += c.gets - this.prev.gets;
    x.cacheHits[last] += c.hits - this.prev.hits;
    x.cacheMisses[last] += c.misses - this.prev.misses;
    x.cacheErrors[last] += c.errors - this.prev.errors;
    x.violations[last] = this.s.violations();
    this.prev = { thumbnails: fleet.thumbnailsReceived, events: fleet.eventsPublished, attempts: fleet.connectAttempts, gets: c.gets, hits: c.hits, misses: c.misses, errors: c.errors };
  }

  /** The most recent complete bucket's index, or -1. */
  get latest(): number {
    return this.series.t.length - 1;
  }

  private schedule(): void {
    // on whole multiples of the bucket (the world starts a little after time 0), at absolute
    // times, so a late timer does not shift every later bucket
    const b = this.series.bucketMs;
    this.timer = this.s.clock.at((Math.floor(this.lastT / b) + 1) * b, this, 0);
  }

  private sample(at: number): void {
    const { fleet } = this.s;
    const c = this.s.cache.stats();
    const latency = this.s.cache.takeWindowLatency();
    const x = this.series;
    x.t.push(Math.round(at));
    x.camerasConnected.push(fleet.camerasConnected);
    x.camerasInBackoff.push(fleet.camerasInBackoff);
    x.camerasGaveUp.push(fleet.camerasGaveUp);
    x.viewersOnline.push(fleet.viewersOnline);
    x.thumbnails.push(fleet.thumbnailsReceived - this.prev.thumbnails);
    x.events.push(fleet.eventsPublished - this.prev.events);
    x.connectAttempts!.push(fleet.connectAttempts - this.prev.attempts);
    x.cacheGets.push(c.gets - this.prev.gets);
    x.cacheHits.push(c.hits - this.prev.hits);
    x.cacheMisses.push(c.misses - this.prev.misses);
    x.cacheErrors.push(c.errors - this.prev.errors);
    x.cacheP50Ms.push(latency.p50);
    x.cacheP99Ms.push(latency.p99);
    x.violations.push(this.s.violations());
    this.prev = { thumbnails: fleet.thumbnailsReceived, events: fleet.eventsPublished, attempts: fleet.connectAttempts, gets: c.gets, hits: c.hits, misses: c.misses, errors: c.errors };
    this.lastT = at;
  }
}
