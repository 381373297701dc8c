import { tallyLine } from '../oracle/hostile-tracker.ts';
import type { CheckResult } from '../oracle/verdict.ts';
import type { RunSummary } from './summary.ts';

/**
 * The checks, then one row per hostile attempt kind (`hostile subscribe-all`: its tally), then
 * one row per threshold (`threshold reconnect_seconds p(99)<30`), for every report that lists
 * them: a kind that leaked or a breached threshold reads as a failed row.
 */
export function checkRows(s: Pick<RunSummary, 'checks' | 'thresholds' | 'hostile'>): CheckResult[] {
  const kinds = Object.entries(s.hostile?.byKind ?? {}).map(([kind, t]): CheckResult => ({
    name: `hostile ${kind}`,
    status: t.leaked > 0 ? 'fail' : 'pass',
    detail: tallyLine(t),
  }));
  const thresholds = (s.thresholds ?? []).map((t): CheckResult => ({
    name: `threshold ${t.metric} ${t.expression}`,
    status: t.ok ? 'pass' : 'fail',
    detail: `measured ${t.measured}${t.ok ? '' : ' (breached)'}`,
  }));
  return [...s.checks, ...kinds, ...thresholds];
}
