import { describe, expect, it } from 'vitest';
import type { CacheOp, HistoryOp } from '../src/history/history-op.ts';
import { HistoryChecker } from '../src/oracle/history-checker.ts';
import { evaluateChecks } from '../src/oracle/run-checks.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';
import { runScenario } from '../src/runner/run-scenario.ts';
import { set } from './support/scenario-files.ts';

/**
 * A PASS must have exercised what it claims: a transfer is tested only when the moved camera's
 * owner is looked up through the cache, and answered, after it. Otherwise a cache that kept the
 * previous owner could not have shown it, and the run says so (INCONCLUSIVE).
 */

async function checkOf(ops: HistoryOp[]) {
  const { scenario } = await loadScenarioFile('scenarios/reconnect-storm.yaml');
  const checker = new HistoryChecker(scenario, 2000);
  for (const op of ops) checker.apply(op);
  checker.apply({ op: 'end', t: 60_000, interrupted: false });
  return evaluateChecks(checker.facts(), scenario.checks).find((c) => c.name === 'transfers-tested');
}

const device = (i: number) => `cam-${String(i + 1).padStart(7, '0')}`;
const get = (id: number, dev: number, t: number, outcome: CacheOp['outcome']): CacheOp => ({
  op: 'cache', t, startedAt: t, doneAfter: id, id, kind: 'get', key: `owner:${device(dev)}`, value: undefined, outcome, latencyMs: 0, adapter: 'memory',
});
const transfer: HistoryOp = { op: 'transfer', t: 10_000, moves: [[0, 1], [1, 2], [2, 3]] };

describe('transfers tested', () => {
  it('passes when every moved camera was looked up, and answered, after its transfer', async () => {
    const check = await checkOf([transfer, get(1, 0, 11_000, 'miss'), get(2, 1, 12_000, 'hit'), get(3, 2, 12_500, 'hit')]);
    expect(check).toMatchObject({ status: 'pass' });
    expect(check?.detail).toContain('3 of 3 transferred cameras');
  });

  it('is inconclusive when every lookup after the transfer failed (a cache outage over it)', async () => {
    const check = await checkOf([transfer, get(1, 0, 11_000, 'error'), get(2, 1, 12_000, 'error'), get(3, 2, 12_500, 'error')]);
    expect(check).toMatchObject({ status: 'inconclusive' });
    expect(check?.detail).toContain('no camera of the transfer at 10000ms was looked up');
  });

  it('does not count lookups begun before the transfer', async () => {
    const check = await checkOf([get(1, 0, 9_000, 'hit'), get(2, 2, 9_500, 'hit'), transfer, get(3, 1, 12_000, 'hit')]);
    expect(check).toMatchObject({ status: 'inconclusive' });
    expect(check?.detail).toContain('only 1 of 3');
  });

  it('a run whose transfer comes just before the events stop is INCONCLUSIVE: most moved cameras never published again', async () => {
    const { scenario } = await loadScenarioFile('test/fixtures/gate-small.yaml', [
      set('timeline', [{ at: '17500ms', transfer: { share: 0.2 } }]),
      set('checks.minTransfersTested', 0.95),
      set('thresholds', {}),
    ]);
    const { summary } = await runScenario(scenario);
    expect(summary.verdict).toBe('INCONCLUSIVE');
    expect(summary.reasons.join('\n')).toMatch(/transfers-tested: only \d+ of \d+ transferred cameras \(\d+\.\d+%\) were looked up through the cache after their transfer: needed 95\.00%/);
  });
});
