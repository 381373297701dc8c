import { readHistory, type HistoryReading } from '../history/read-history.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { JudgedSummary } from '../report/summary.ts';
import { judgedSummary } from './summarize-run.ts';
import { usageError } from '../errors.ts';
import { HistoryChecker, type CheckerOptions } from '../oracle/history-checker.ts';
import { judge, type Judgement } from '../oracle/judge.ts';

export interface HistoryCheck {
  scenario: Scenario;
  reading: HistoryReading;
  judgement: Judgement;
  judged: JudgedSummary;
  /** The checker that judged it (blame for violations beyond those kept: `blameOf`). */
  checker: HistoryChecker;
}

/** Re-judges a stored history: the same checker the run used, fed from the file. */
export async function checkHistory(file: string, options: CheckerOptions = {}): Promise<HistoryCheck> {
  let checker: HistoryChecker | undefined;
  let scenario: Scenario | undefined;
  const reading = await readHistory(file, (header) => {
    scenario = header.scenario as Scenario;
    if (typeof scenario !== 'object' || scenario === null || typeof scenario.seed !== 'number' || typeof scenario.fleet !== 'object') {
      throw usageError('HISTORY_MALFORMED', `${file}:1: the run header carries no scenario (seed, fleet)`);
    }
    const c = new HistoryChecker(scenario, header.inFlightWindow, options);
    checker = c;
    return (op) => c.apply(op);
  });
  const judgement = judge(checker!, scenario!);
  return { scenario: scenario!, reading, judgement, judged: judgedSummary(judgement, checker!), checker: checker! };
}
