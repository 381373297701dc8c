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

describe('an event lost with its camera link', () => {
  it('is in flight when an outage began just after it (recorded before the drops are heard)', async () => {
    const a = await account([...lostEvent, { op: 'outage-began', t: 10_050, fault: 'storm' }, heardLate]);
    expect(a.gap).toBe(0);
    expect(a.indeterminate['camera-link-closed-in-flight']).toBe(1);
  });

  it('is in flight when written after the cut began but before the camera heard of it', async () => {
    const early: HistoryOp = { op: 'outage-began', t: 9_500, fault: 'storm' };
    const a = await account([lostEvent[0], early, lostEvent[1], heardLate]);
    expect(a.gap).toBe(0);
    expect(a.indeterminate['camera-link-closed-in-flight']).toBe(1);
  });

  it('is an accounting gap when the only cut came before the camera connected again', async () => {
    const before: HistoryOp[] = [{ op: 'outage-began', t: 500, fault: 'storm' }, ...lostEvent, heardLate];
    const a = await account(before);
    expect(a.gap).toBe(1);
  });

  it('is an accounting gap when nothing cut the link near it (the drop came long after)', async () => {
    const a = await account([...lostEvent, heardLate]);
    expect(a.gap).toBe(1);
    expect(a.indeterminate['camera-link-closed-in-flight']).toBe(0);
  });

  it('is an accounting gap when the outage began long after it', async () => {
    const a = await account([...lostEvent, { op: 'outage-began', t: 14_000, fault: 'storm' }, heardLate]);
    expect(a.gap).toBe(1);
  });

  it('is in flight when a partition that cut its camera began just after it; not for a camera the partition spared', async () => {
    const partition: HistoryOp = { op: 'outage-began', t: 10_050, fault: 'partition', devices: [0] };
    expect((await account([...lostEvent, partition, heardLate])).gap).toBe(0);
    const spared: HistoryOp = { op: 'outage-began', t: 10_050, fault: 'partition', devices: [1] };
    expect((await account([...lostEvent, spared, heardLate])).gap).toBe(1);
  });
});

// A routed event whose viewer's link a broker outage cut: the viewer hears of it seconds later.

/** Account `owner` has a viewer from 1 s; camera 0's event 0 is routed to it at 10.02 s and never arrives. */
async function routedAndLost(cut: HistoryOp[], viewerUpAt = 1000) {
  const { scenario } = await loadScenarioFile('scenarios/reconnect-storm.yaml');
  const owner = new HistoryChecker(scenario, WINDOW).registry.ownerIndexAt(0, 10_000);
  const ops: HistoryOp[] = [
    { op: 'viewer-up', t: viewerUpAt, acct: owner },
    { op: 'connect', t: 1000, dev: 0 },
    { op: 'publish', t: 10_000, ev: 0, dev: 0, sent: true, serviceReady: true },
    { op: 'service-received', t: 10_010, ev: 0 },
    { op: 'route', t: 10_020, ev: 0, acct: owner, src: 'cache', cacheOps: [] },
    ...cut,
    { op: 'viewer-down', t: 15_000, acct: owner },
  ];
  return account(ops);
}

describe('a routed event lost with its viewer link', () => {
  it('is in flight when a broker outage began just after it, however late the viewer heard of the drop', async () => {
    const a = await routedAndLost([{ op: 'outage-began', t: 10_100, fault: 'broker-outage' }]);
    expect(a.gap).toBe(0);
    expect(a.indeterminate['viewer-link-closed-in-flight']).toBe(1);
  });

  it('is in flight when routed after the outage began, into the dead link, before the viewer heard', async () => {
    const a = await routedAndLost([{ op: 'outage-began', t: 9_000, fault: 'broker-restart' }]);
    expect(a.gap).toBe(0);
    expect(a.indeterminate['viewer-link-closed-in-flight']).toBe(1);
  });

  it('is an accounting gap when the fault cut only cameras (the storm leaves viewers connected)', async () => {
    const a = await routedAndLost([{ op: 'outage-began', t: 10_100, fault: 'storm' }]);
    expect(a.gap).toBe(1);
  });

  it('is an accounting gap when the outage began before the viewer came up', async () => {
    const a = await routedAndLost([{ op: 'outage-began', t: 500, fault: 'broker-outage' }]);
    expect(a.gap).toBe(1);
  });

  it('is an accounting gap when the outage began long after it', async () => {
    const a = await routedAndLost([{ op: 'outage-began', t: 13_000, fault: 'broker-outage' }]);
    expect(a.gap).toBe(1);
  });
});
