import { describe, expect, it } from 'vitest';
import type { Accounting } from '../src/oracle/event-ledger.ts';
import { evaluateChecks, type RunFacts } from '../src/oracle/run-checks.ts';
import { combine } from '../src/oracle/verdict.ts';

const accounting = (over: Partial<Accounting> = {}): Accounting => ({
  published: 100,
  delivered: 100,
  dropped: { 'service-offline': 0, 'lookup-failed': 0, 'unknown-device': 0, 'bad-payload': 0, 'no-viewer-online': 0 },
  indeterminate: { 'camera-link-closed-in-flight': 0, 'service-link-closed-in-flight': 0, 'viewer-link-closed-in-flight': 0, 'unfinished-at-end': 0 },
  gap: 0,
  gapExamples: [],
  skippedOffline: 0,
  camerasWithGap: 0,
  ...over,
});

const storm = (reconnected: number) => ({
  fault: 'broker-outage', outageAt: 1, restoredAt: 2, dropped: 100, reconnected, reconnectShare: reconnected / 100,
  timeToReconnect: { count: reconnected, p50: 1, p90: 1, p99: 1, max: 1, mean: 1 },
  failedAttempts: 5, connectsPerSecondPeak: 1, connectsPerSecondMean: 1, realSeconds: 1,
});

const facts = (over: Partial<RunFacts> = {}): RunFacts => ({
  headline: { accountsWithForeignThumbnail: 0, accountsOpenedForeignVideo: 0, devicesExposed: 0, foreignDeliveries: 0, foreignReceipts: 0, foreignVideos: 0, corruptMedia: 0 },
  violationCount: 0,
  storms: [storm(100)],
  faults: [{ id: 'broker-outage', description: '', scheduledAt: 1, scheduledHealAt: 2, injectedAt: 1, healedAt: 2 }],
  accounting: accounting(),
  accountsWithoutDeliveries: [],
  accountCount: 10,
  checkerErrors: [],
  blame: {},
  breaches: { count: 0, examples: [] },
  interrupted: false,
  inFlightWindow: 2000,
  cacheAnsweredBetween: () => 10,
  ...over,
});

const checks = { minReconnectShare: 0.99, everyAccountDelivered: true, minTransfersTested: 0.5 };
const verdictOf = (f: RunFacts) => combine(evaluateChecks(f, checks));

describe('verdict', () => {
  it('passes a clean, exercised run', () => expect(verdictOf(facts())).toBe('PASS'));
  it('fails on any leak, whatever else', () =>
    expect(verdictOf(facts({ violationCount: 1, storms: [], accountsWithoutDeliveries: ['a'] }))).toBe('FAIL'));
  it('is inconclusive when the storm did not happen', () => expect(verdictOf(facts({ storms: [storm(50)] }))).toBe('INCONCLUSIVE'));
  it('is inconclusive when a scheduled outage produced no storm', () => expect(verdictOf(facts({ storms: [] }))).toBe('INCONCLUSIVE'));
  it('is inconclusive when a fault did not fire', () =>
    expect(verdictOf(facts({ faults: [{ id: 'broker-outage', description: '', scheduledAt: 1, scheduledHealAt: 2 }] }))).toBe('INCONCLUSIVE'));
  it('is inconclusive when an account got nothing', () =>
    expect(verdictOf(facts({ accountsWithoutDeliveries: ['acct-000001'] }))).toBe('INCONCLUSIVE'));
  it('is inconclusive on an accounting gap', () =>
    expect(verdictOf(facts({ accounting: accounting({ delivered: 99, gap: 1, camerasWithGap: 1 }) }))).toBe('INCONCLUSIVE'));
  it('is inconclusive when nothing was published', () =>
    expect(verdictOf(facts({ accounting: accounting({ published: 0, delivered: 0 }) }))).toBe('INCONCLUSIVE'));
  it('never passes when the checker threw', () => expect(verdictOf(facts({ checkerErrors: ['boom'] }))).toBe('INCONCLUSIVE'));
  it('never passes an interrupted run', () => expect(verdictOf(facts({ interrupted: true }))).toBe('INCONCLUSIVE'));
  it('never passes with no checks at all', () => expect(combine([])).toBe('INCONCLUSIVE'));
  it('is inconclusive when the cache answered nothing during the storm', () =>
    expect(verdictOf(facts({ cacheAnsweredBetween: () => 0 }))).toBe('INCONCLUSIVE'));
  it('counts lookups that trail the storm by their time in flight, and no later ones', () => {
    // the cache answered only at one instant, 2.5 s after the restore; the storm lasted 1 ms
    const answeredAt = (at: number) => (from: number, to: number) => (from <= at && at <= to ? 1 : 0);
    const restoredAt = storm(100).restoredAt;
    expect(verdictOf(facts({ cacheAnsweredBetween: answeredAt(restoredAt + 2500), inFlightWindow: 2000 }))).toBe('PASS');
    expect(verdictOf(facts({ cacheAnsweredBetween: answeredAt(restoredAt + 2500), inFlightWindow: 1000 }))).toBe('INCONCLUSIVE');
  });
});
