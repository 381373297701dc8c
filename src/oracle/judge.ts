import type { Scenario } from '../scenario/schema.ts';
import type { HistoryChecker } from './history-checker.ts';
import type { ThresholdResult } from './run-metrics.ts';
import { evaluateChecks, type RunFacts } from './run-checks.ts';
import { combine, reasons, type CheckResult, type Verdict } from './verdict.ts';

export interface Judgement {
  facts: RunFacts;
  checks: CheckResult[];
  verdict: Verdict;
  reasons: string[];
  /** The scenario's thresholds, judged apart from the verdict: breached alone, the exit code is 3. */
  thresholds: ThresholdResult[];
}

/** The verdict, as a function of a checker that has seen a whole history. */
export function judge(checker: HistoryChecker, scenario: Pick<Scenario, 'checks' | 'thresholds'>): Judgement {
  const facts = checker.facts();
  const results = evaluateChecks(facts, scenario.checks);
  const thresholds = checker.metrics.evaluate(scenario.thresholds ?? {}, facts.accounting, facts.violationCount);
  return { facts, checks: results, verdict: combine(results), reasons: reasons(results), thresholds };
}
