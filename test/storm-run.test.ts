import { beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type RunResult } from '../src/runner/run-scenario.ts';
import { defaultScenario } from './support/default-scenario.ts';

/** The foundation's promise, on the shipped default scenario with the correct in-memory cache. */
describe('the default reconnect storm with the memory cache', () => {
  let run: RunResult;
  beforeAll(async () => {
    run = await runScenario(await defaultScenario());
  });

  it('passes with no violation', () => {
    expect(run.summary.violationCount).toBe(0);
    expect(run.summary.reasons).toEqual([]);
    expect(run.summary.verdict).toBe('PASS');
    expect(run.summary.exitCode).toBe(0);
  });

  it('really stormed: at least 99% of the fleet reconnected after the outage', () => {
    const [storm] = run.summary.storms;
    expect(run.summary.storms).toHaveLength(1);
    expect(storm.dropped).toBe(run.summary.fleet.devices);
    expect(storm.reconnectShare).toBeGreaterThanOrEqual(0.99);
    expect(storm.failedAttempts).toBeGreaterThan(0); // they hammered a refusing broker
    expect(run.summary.faults.every((f) => f.injectedAt !== undefined && f.healedAt !== undefined)).toBe(true);
  });

  it('delivered to every account', () => {
    expect(run.world.checker.oracle.accountsWithoutDeliveries()).toEqual([]);
  });

  it('accounts for every published event', () => {
    const a = run.summary.accounting;
    const dropped = Object.values(a.dropped).reduce((x, y) => x + y, 0);
    const indeterminate = Object.values(a.indeterminate).reduce((x, y) => x + y, 0);
    expect(a.published).toBeGreaterThan(1000);
    expect(a.gap).toBe(0);
    expect(a.camerasWithGap).toBe(0);
    expect(a.delivered + dropped + indeterminate).toBe(a.published);
    // the identity is not satisfied by labelling everything indeterminate
    expect(indeterminate).toBeLessThan(a.published * 0.02);
  });

  it('exercised the ownership transfer and the tap path', () => {
    expect(run.summary.transfers[0].devices).toBeGreaterThan(0);
    expect(run.summary.stats.tapsOpened).toBeGreaterThan(100);
    expect(run.summary.cache.stats.deletes).toBe(run.summary.transfers[0].devices);
  });
});
