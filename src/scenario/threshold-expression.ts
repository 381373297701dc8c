/**
 * k6-style thresholds (`reconnect_seconds: ["p(99)<30"]`): an aggregation of a metric, a
 * comparison, a number. Parsed here for the schema (errors name the field) and the checker.
 */
export const thresholdMetrics = {
  /** Scenario seconds from a broker's restore to each camera's reconnect (every storm). */
  reconnect_seconds: 'trend',
  /** Scenario ms from a camera's publish to a viewer's receipt of the thumbnail. */
  thumbnail_latency_ms: 'trend',
  /** Wall-clock ms of each cache operation (0 on a virtual clock). */
  cache_latency_ms: 'trend',
  /** Share of cache operations that failed. */
  cache_errors: 'rate',
  /** Share of published events dropped (for a stated reason). */
  events_dropped: 'rate',
  /** Leaks the oracle saw. */
  violations: 'counter',
  /** Camera connection attempts that failed (refused, or the broker was away). */
  failed_connects: 'counter',
} as const;

export type ThresholdMetric = keyof typeof thresholdMetrics;
export type MetricKind = (typeof thresholdMetrics)[ThresholdMetric];

const aggregations: Record<MetricKind, string[]> = {
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
  rate: ['rate'],
  counter: ['count'],
};

export interface ThresholdExpression {
  aggregation: string;
  /** For p(N): the percentile. */
  percentile?: number;
  op: '<' | '<=' | '>' | '>=' | '==' | '!=';
  value: number;
}

const EXPRESSION = /^\s*(avg|min|max|med|rate|count|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i;

/** The parsed expression, or a message saying what was expected for this kind of metric. */
export function parseThreshold(text: string, kind: MetricKind): ThresholdExpression | string {
  const m = EXPRESSION.exec(text);
  const expected = `expected ${aggregations[kind].join(' | ')} then < <= > >= == != and a number, e.g. ${example(kind)}`;
  if (!m) return `${JSON.stringify(text)}: ${expected}`;
  const aggregation = m[2] !== undefined ? 'p(N)' : m[1].toLowerCase();
  if (!aggregations[kind].includes(aggregation)) return `${JSON.stringify(text)}: a ${kind} metric takes ${aggregations[kind].join(' | ')}, e.g. ${example(kind)}`;
  const percentile = m[2] !== undefined ? Number(m[2]) : undefined;
  if (percentile !== undefined && (percentile <= 0 || percentile > 100)) return `${JSON.stringify(text)}: a percentile is in (0, 100]`;
  return { aggregation: m[1].toLowerCase().replace(/\s+/g, ''), percentile, op: m[3] as ThresholdExpression['op'], value: Number(m[4]) };
}

function example(kind: MetricKind): string {
  return kind === 'trend' ? '"p(99)<30"' : kind === 'rate' ? '"rate<0.01"' : '"count==0"';
}

export function compare(measured: number, op: ThresholdExpression['op'], value: number): boolean {
  switch (op) {
    case '<': return measured < value;
    case '<=': return measured <= value;
    case '>': return measured > value;
    case '>=': return measured >= value;
    case '==': return measured === value;
    case '!=': return measured !== value;
  }
}
