import { usageError } from '../errors.ts';
import type { RunSummary } from '../report/summary.ts';

/**
 * What `--max-regression <metric>=<percent>` may name. Every one is lower-is-better. A change
 * counts only when it is beyond the margin in percent AND larger than `minDelta` in the metric's
 * unit (its noise floor): on a real clock two runs of the same library differ by a little, and
 * 0.2 ms → 0.4 ms of cache latency is +100% but no regression anyone would gate on. From a zero
 * baseline there is no ratio: the candidate regresses when it exceeds the noise floor itself.
 */
export interface RegressionMetric {
  description: string;
  unit: 's' | 'ms' | 'share' | 'count';
  minDelta: number;
  /** Compared by default with this margin (percent); docs/gate.md says why each is what it is. */
  defaultMargin?: number;
  /** Undefined when the run has nothing to measure (no storm, no cache operation, no thumbnail). */
  measure(s: RunSummary): number | undefined;
}

const worstStorm = (s: RunSummary, pick: (t: RunSummary['storms'][number]['timeToReconnect']) => number): number | undefined =>
  s.storms.length === 0 ? undefined : Math.max(...s.storms.map((st) => pick(st.timeToReconnect))) / 1000;

const cacheOps = (s: RunSummary) => s.cache.stats.gets + s.cache.stats.sets + s.cache.stats.deletes;

// summaries written before thumbnail latency was recorded have none: not measured, rather than 0
const thumbnail = (s: RunSummary, pick: 'p50' | 'p99'): number | undefined =>
  s.thumbnailLatency === undefined || s.thumbnailLatency.count === 0 ? undefined : s.thumbnailLatency[pick] / 1000;

export const regressionMetrics = {
  reconnect_p99: { description: 'p99 time to reconnect after an outage, worst storm, scenario seconds', unit: 's', minDelta: 0.25, defaultMargin: 20, measure: (s) => worstStorm(s, (t) => t.p99) },
  reconnect_p50: { description: 'median time to reconnect after an outage, worst storm, scenario seconds', unit: 's', minDelta: 0.25, measure: (s) => worstStorm(s, (t) => t.p50) },
  reconnect_max: { description: 'slowest reconnect after an outage, scenario seconds', unit: 's', minDelta: 0.25, measure: (s) => worstStorm(s, (t) => t.max) },
  cache_error_rate: { description: 'share of cache operations that failed (errors / operations)', unit: 'share', minDelta: 0.005, defaultMargin: 50, measure: (s) => (cacheOps(s) === 0 ? undefined : s.cache.stats.errors / cacheOps(s)) },
  cache_p99: { description: 'p99 cache operation latency over the run, ms', unit: 'ms', minDelta: 10, defaultMargin: 50, measure: (s) => (s.cache.stats.latency.count === 0 ? undefined : s.cache.stats.latency.p99) },
  cache_p50: { description: 'median cache operation latency over the run, ms', unit: 'ms', minDelta: 2, measure: (s) => (s.cache.stats.latency.count === 0 ? undefined : s.cache.stats.latency.p50) },
  thumbnail_p99: { description: "p99 thumbnail latency, a camera's publish to a viewer's receipt, scenario seconds", unit: 's', minDelta: 0.25, defaultMargin: 50, measure: (s) => thumbnail(s, 'p99') },
  thumbnail_p50: { description: "median thumbnail latency, a camera's publish to a viewer's receipt, scenario seconds", unit: 's', minDelta: 0.1, measure: (s) => thumbnail(s, 'p50') },
  failed_connects: { description: 'failed connection attempts during storms', unit: 'count', minDelta: 10, measure: (s) => s.storms.reduce((sum, st) => sum + st.failedAttempts, 0) },
} satisfies Record<string, RegressionMetric>;

export type RegressionMetricName = keyof typeof regressionMetrics;
export const regressionMetricNames = Object.keys(regressionMetrics) as RegressionMetricName[];

export interface Margin {
  metric: RegressionMetricName;
  /** The candidate may be this many percent worse than the baseline. */
  percent: number;
}

/** What the gate compares when no `--max-regression` says otherwise. */
export const DEFAULT_MARGINS: readonly Margin[] = regressionMetricNames.flatMap((metric) => {
  const percent: number | undefined = (regressionMetrics[metric] as RegressionMetric).defaultMargin;
  return percent === undefined ? [] : [{ metric, percent }];
});

/** `reconnect_p99=20, cache_error_rate=50, …`: the defaults as `--max-regression` would write them. */
export const defaultMarginsText = (): string => DEFAULT_MARGINS.map((m) => `${m.metric}=${m.percent}`).join(', ');

/**
 * `reconnect_p99=20`, `cache_p99=50%`, `reconnect_p99=off`: given margins add to the defaults,
 * naming a metric again replaces its margin, `off` drops it.
 */
export function parseMargins(edits: readonly string[] = []): Margin[] {
  const margins = new Map<RegressionMetricName, number>(DEFAULT_MARGINS.map((m) => [m.metric, m.percent]));
  for (const edit of edits) {
    const match = /^([a-z0-9_]+)=(off|\d+(?:\.\d+)?%?)$/.exec(edit.trim());
    const metric = match?.[1] as RegressionMetricName | undefined;
    if (!match || metric === undefined || !(metric in regressionMetrics)) {
      throw usageError(
        'BAD_MAX_REGRESSION',
        `--max-regression ${JSON.stringify(edit)}: expected <metric>=<percent> (or =off) with a metric among ${regressionMetricNames.join(', ')}; e.g. reconnect_p99=20`,
      );
    }
    if (match[2] === 'off') margins.delete(metric);
    else margins.set(metric, Number(match[2].replace('%', '')));
  }
  return [...margins].map(([metric, percent]) => ({ metric, percent }));
}

export function formatMetric(metric: RegressionMetricName, value: number | undefined): string {
  if (value === undefined) return '—';
  switch (regressionMetrics[metric].unit) {
    case 's':
      return `${value.toFixed(2)}s`;
    case 'ms':
      return `${value.toFixed(1)}ms`;
    case 'share':
      return `${(value * 100).toFixed(2)}%`;
    case 'count':
      return String(Math.round(value));
  }
}

/** A difference in the metric's unit: `0.25s`, `2.0ms`, `0.50 points` (of a share), `10`. */
export function formatAmount(metric: RegressionMetricName, size: number): string {
  return regressionMetrics[metric].unit === 'share' ? `${(size * 100).toFixed(2)} points` : formatMetric(metric, size);
}

/** A signed change in the metric's unit: `+0.30s`, `-2.0ms`, `+0.80 points`. */
export function formatDelta(metric: RegressionMetricName, delta: number): string {
  return `${delta >= 0 ? '+' : '-'}${formatAmount(metric, Math.abs(delta))}`;
}

/** Every metric of one run, so a gate's record holds what any margin could be judged on. */
export function measureAll(s: RunSummary): Record<RegressionMetricName, number | undefined> {
  return Object.fromEntries(regressionMetricNames.map((name) => [name, regressionMetrics[name].measure(s)])) as Record<RegressionMetricName, number | undefined>;
}
