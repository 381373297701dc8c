import { LatencyHistogram } from '../metrics/latency-histogram.ts';
import { compare, parseThreshold, thresholdMetrics, type ThresholdMetric } from '../scenario/threshold-expression.ts';
import type { Accounting } from './event-ledger.ts';

export interface ThresholdResult {
  metric: string;
  expression: string;
  /** The aggregated value the expression was judged on (in the metric's unit). */
  measured: number;
  ok: boolean;
}

/** What the thresholds are judged on, gathered by the checker from the history. */
export class RunMetrics {
  readonly reconnectMs = new LatencyHistogram();
  readonly thumbnailLatencyMs = new LatencyHistogram();
  readonly cacheLatencyMs = new LatencyHistogram();
  cacheOps = 0;
  cacheErrors = 0;
  failedConnects = 0;

  /** Every threshold of the scenario, judged. Metrics with no samples measure 0. */
  evaluate(spec: Partial<Record<ThresholdMetric, string[]>>, accounting: Accounting, violations: number): ThresholdResult[] {
    const out: ThresholdResult[] = [];
    for (const [metric, expressions] of Object.entries(spec) as [ThresholdMetric, string[]][]) {
      for (const text of expressions) {
        const expression = parseThreshold(text, thresholdMetrics[metric]);
        if (typeof expression === 'string') throw new Error(`thresholds.${metric}: ${expression}`); // the schema let it through: a bug
        const measured = round(this.measure(metric, expression.aggregation, expression.percentile, accounting, violations));
        out.push({ metric, expression: text, measured, ok: compare(measured, expression.op, expression.value) });
      }
    }
    return out;
  }

  private measure(metric: ThresholdMetric, aggregation: string, percentile: number | undefined, a: Accounting, violations: number): number {
    switch (metric) {
      case 'reconnect_seconds':
        return trend(this.reconnectMs, aggregation, percentile) / 1000;
      case 'thumbnail_latency_ms':
        return trend(this.thumbnailLatencyMs, aggregation, percentile);
      case 'cache_latency_ms':
        return trend(this.cacheLatencyMs, aggregation, percentile);
      case 'cache_errors':
        return this.cacheOps === 0 ? 0 : this.cacheErrors / this.cacheOps;
      case 'events_dropped': {
        const dropped = Object.values(a.dropped).reduce((x, y) => x + y, 0);
        return a.published === 0 ? 0 : dropped / a.published;
      }
      case 'violations':
        return violations;
      case 'failed_connects':
        return this.failedConnects;
    }
  }
}

function trend(h: LatencyHistogram, aggregation: string, percentile: number | undefined): number {
  if (h.count === 0) return 0;
  const s = h.summary();
  if (percentile !== undefined) return h.percentile(percentile);
  return aggregation === 'avg' ? s.mean : aggregation === 'max' ? s.max : aggregation === 'min' ? h.percentile(0) : s.p50;
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
