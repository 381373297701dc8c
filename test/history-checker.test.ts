import { describe, expect, it } from 'vitest';
import type { HistoryOp } from '../src/history/history-op.ts';
import { HistoryChecker } from '../src/oracle/history-checker.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';

// The checker's accounting of a camera's last event around a link drop, fed op by op.

const WINDOW = 2000;

async function account(ops: HistoryOp[]) {
  const { scenario } = await loadScenarioFile('scenarios/reconnect-storm.yaml');
  const checker = new HistoryChecker(scenario, WINDOW);
  for (const op of ops) checker.apply(op);
  checker.apply({ op: 'end', t: 60_000, interrupted: false });
  return checker.facts().accounting;
}

/** Camera 0 publishes event 0 at 10 s; the service never receives it; the camera hears of its drop at 15 s. */
const lostEvent: HistoryOp[] = [
  { op: 'connect', t: 1000, dev: 0 },
  { op: 'publish', t: 10_000, ev: 0, dev: 0, sent: true, serviceReady: true },
];
const heardLate: HistoryOp = { op: 'disconnect', t: 15_000, dev: 0 };
const cut: HistoryOp[] = [
  { op: 'fault-scheduled', t: 0, window: 0, id: 'storm', description: 'every camera drops', scheduledAt: 10_100, scheduledHealAt: 20_000 },
  { op: 'fault-injected', t: 10_100, window: 0 },
];

describe('an event lost with its camera link', () => {
  it('is in flight when a fault cut the link just after it, however late the camera heard of the drop', async () => {
    const a = await account([...lostEvent, ...cut, heardLate]);
    expect(a.gap).toBe(0);
    expect(a.indeterminate['camera-link-closed-in-flight']).toBe(1);
  });

  it('is an accounting gap when nothing cut the link near it (the drop came long after)', async () => {
    const a = await account([...lostEvent, heardLate]);
    expect(a.gap).toBe(1);
    expect(a.indeterminate['camera-link-closed-in-flight']).toBe(0);
  });

  it('is an accounting gap when the fault came long after it', async () => {
    const late: HistoryOp[] = [
      { op: 'fault-scheduled', t: 0, window: 0, id: 'storm', description: 'every camera drops', scheduledAt: 14_000, scheduledHealAt: 20_000 },
      { op: 'fault-injected', t: 14_000, window: 0 },
    ];
    const a = await account([...lostEvent, ...late, heardLate]);
    expect(a.gap).toBe(1);
  });
});
