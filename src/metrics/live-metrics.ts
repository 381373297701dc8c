import { Counter, Gauge, Registry } from 'prom-client';
import type { RunSnapshot } from './run-snapshot.ts';

/** Labels of `crosswire_run_info`: which run the other series describe right now. */
export interface RunLabels {
  scenario: string;
  seed: number;
  cache: string;
  /** `baseline` / `candidate` under `crosswire gate`; `run` otherwise. */
  side?: string;
}

/**
 * A Prometheus registry read from the live run snapshot at scrape time: nothing is pushed from
 * the run's hot paths, and a scrape costs one snapshot. Counters follow the snapshot's totals;
 * a new run (the next one of a gate) resets them, which Prometheus reads as a counter reset.
 */
export class LiveMetrics {
  readonly registry = new Registry();
  private snapshot: (() => RunSnapshot) | undefined;
  private labels: RunLabels | undefined;
  private readonly counters: Array<{ counter: Counter; last: number }> = [];

  constructor() {
    const read = () => this.snapshot?.();
    const registers = [this.registry];
    const gauge = (name: string, help: string, value: (s: RunSnapshot) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const s = read();
          if (s) this.set(value(s));
        },
      });
    const metrics = this;
    const counter = (name: string, help: string, value: (s: RunSnapshot) => number | undefined) => {
      const entry = { counter: undefined as unknown as Counter, last: 0 };
      entry.counter = new Counter({
        name,
        help,
        registers,
        collect() {
          const s = read();
          const now = s === undefined ? undefined : value(s);
          if (now === undefined) return;
          if (now > entry.last) this.inc(now - entry.last);
          entry.last = Math.max(entry.last, now);
        },
      });
      metrics.counters.push(entry);
    };

    new Gauge({
      name: 'crosswire_run_info',
      help: 'The run the other series describe (1 while one is attached)',
      labelNames: ['scenario', 'seed', 'cache', 'side'] as const,
      registers,
      collect() {
        this.reset();
        const l = metrics.labels;
        if (l) this.set({ scenario: l.scenario, seed: String(l.seed), cache: l.cache, side: l.side ?? 'run' }, 1);
      },
    });
    gauge('crosswire_scenario_time_seconds', 'Scenario time reached so far', (s) => s.t / 1000);
    gauge('crosswire_scenario_duration_seconds', "The scenario's length in scenario time", (s) => s.durationMs / 1000);
    gauge('crosswire_elapsed_real_seconds', 'Wall-clock seconds since the run started', (s) => s.elapsedRealMs / 1000);
    gauge('crosswire_cameras', 'Cameras in the fleet', (s) => s.cameras);
    gauge('crosswire_cameras_connected', 'Cameras connected to the broker now', (s) => s.camerasConnected);
    gauge('crosswire_cameras_in_backoff', 'Cameras waiting to retry a connection now', (s) => s.camerasInBackoff);
    gauge('crosswire_cameras_gave_up', 'Cameras that spent their retry budget', (s) => s.camerasGaveUp);
    gauge('crosswire_viewers', 'Viewers (one per account session)', (s) => s.viewers);
    gauge('crosswire_viewers_online', 'Viewers connected now', (s) => s.viewersOnline);
    gauge('crosswire_thumbnails_per_second', 'Thumbnails received per scenario second, latest bucket', (s) => s.thumbnailsPerSecond);
    gauge('crosswire_faults_active', 'Faults injected and not yet healed', (s) => s.faults.filter((f) => f.injectedAt !== undefined && f.healedAt === undefined).length);
    new Gauge({
      name: 'crosswire_cache_latency_seconds',
      help: 'Cache operation latency over the latest bucket of scenario time',
      labelNames: ['quantile'] as const,
      registers,
      collect() {
        const s = read();
        if (!s) return;
        this.set({ quantile: '0.5' }, s.cacheP50Ms / 1000);
        this.set({ quantile: '0.99' }, s.cacheP99Ms / 1000);
      },
    });
    counter('crosswire_violations_total', 'Isolation violations seen so far (none on a correct system)', (s) => s.violations);
    counter('crosswire_connect_attempts_total', 'Camera connection attempts', (s) => s.totals?.connectAttempts);
    counter('crosswire_events_published_total', 'Events cameras published', (s) => s.totals?.eventsPublished);
    counter('crosswire_thumbnails_received_total', 'Thumbnails viewers received', (s) => s.totals?.thumbnailsReceived);
    counter('crosswire_cache_operations_total', 'Cache gets, sets and deletes', (s) => s.totals?.cacheOps);
    counter('crosswire_cache_errors_total', 'Cache operations that failed', (s) => s.totals?.cacheErrors);
  }

  /** The run to read from now on (each run of a gate attaches its own). */
  attach(snapshot: () => RunSnapshot, labels: RunLabels): void {
    this.snapshot = snapshot;
    this.labels = labels;
    for (const entry of this.counters) {
      entry.counter.reset();
      entry.last = 0;
    }
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
