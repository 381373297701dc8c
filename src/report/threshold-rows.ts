import type { CheckResult } from '../oracle/verdict.ts';
import type { RunSummary } from './summary.ts';

/**
 * The checks, then one row per threshold (`threshold reconnect_seconds p(99)<30`), for every
 * report that lists them: a breached threshold reads as a failed row, measured value beside it.
 */
export function checkRows(s: Pick<RunSummary, 'checks' | 'thresholds'>): CheckResult[] {
  const thresholds = (s.thresholds ?? []).map((t): CheckResult => ({
    name: `threshold ${t.metric} ${t.expression}`,
    status: t.ok ? 'pass' : 'fail',
    detail: `measured ${t.measured}${t.ok ? '' : ' (breached)'}`,
  }));
  return [...s.checks, ...thresholds];
}
