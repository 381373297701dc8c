import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryOp } from '../src/history/history-op.ts';
import { runScenario, type RunResult } from '../src/runner/run-scenario.ts';
import { validateScenarioObject } from '../src/scenario/load-scenario.ts';

/**
 * Each timeline step kind has its effect in a real run: the broker, fleet, service and cache are
 * really cut, restarted, dropped or flushed, and the oracle's storm tracking follows. Runs use the
 * virtual clock (deterministic, immune to CPU contention) on a small fleet; what each step did
 * is read back from the run's own history.
 */

type Op<K extends HistoryOp['op']> = Extract<HistoryOp, { op: K }>;
interface Run extends RunResult {
  ops: HistoryOp[];
  of<K extends HistoryOp['op']>(op: K): Op<K>[];
}

const DEVICES = 300;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswire-faults-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(name: string, timeline: unknown[]): Promise<Run> {
  const scenario = validateScenarioObject(
    { name, clock: 'virtual', duration: '40s', drain: '4s', fleet: { devices: DEVICES, eventInterval: '2s' }, timeline },
    'test',
  );
  const historyFile = join(dir, `${name}.ndjson`);
  const result = await runScenario(scenario, { historyFile });
  const ops = (await readFile(historyFile, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as HistoryOp);
  return { ...result, ops, of: (op) => ops.filter((o) => o.op === op) as never };
}

/** Of the keys looked up after `t`, the share whose first lookup missed. */
function firstLookupMissShare(r: Run, from: number, to = Infinity): { share: number; keys: number } {
  const first = new Map<string, string>();
  for (const op of r.of('cache')) {
    if (op.kind === 'get' && op.t >= from && op.t < to && !first.has(op.key)) first.set(op.key, op.outcome);
  }
  const misses = [...first.values()].filter((o) => o === 'miss').length;
  return { share: first.size === 0 ? 0 : misses / first.size, keys: first.size };
}

function expectPass(r: RunResult): void {
  expect(r.summary.reasons).toEqual([]);
  expect(r.summary.verdict).toBe('PASS');
  expect(r.summary.violationCount).toBe(0);
}

describe('broker-restart, transfer to named accounts, wave, cache-flush', () => {
  let r: Run;
  beforeAll(async () => {
    r = await run('restart-wave-flush', [
      { at: '8s', fault: 'broker-restart', duration: '4s' },
      { at: '20s', transfer: { share: 0.2, to: ['acct-000001', 'acct-000002'] } },
      { at: '22s', fault: 'wave', devices: 40, duration: '4s' },
      { at: '30s', fault: 'cache-flush' },
    ]);
  });

  it('passes, every fault injected and healed', () => {
    expectPass(r);
    expect(r.summary.faults.map((f) => [f.id, f.injectedAt !== undefined, f.healedAt !== undefined])).toEqual([
      ['broker-restart', true, true],
      ['wave', true, true],
      ['cache-flush', true, true],
    ]);
  });

  it('broker-restart: a fresh broker; every client (service included) reconnects, and the storm is tracked and checked', () => {
    const [storm] = r.summary.storms;
    expect(r.summary.storms).toHaveLength(1);
    expect(storm.fault).toBe('broker-restart');
    expect(storm.dropped).toBe(DEVICES);
    expect(storm.reconnectShare).toBeGreaterThanOrEqual(0.99);
    expect(r.summary.checks.find((c) => c.name === 'storm')?.status).toBe('pass');
    expect(r.world.service.connects).toBe(2); // it had to connect and subscribe again
    expect(r.of('service-link-closed').some((o) => o.t >= 8000 && o.t < 12_000)).toBe(true);
  });

  it('transfer: every moved device went to one of the named accounts', () => {
    const [transfer] = r.of('transfer');
    expect(transfer.moves.length).toBeGreaterThan(DEVICES * 0.1);
    expect(new Set(transfer.moves.map(([, to]) => to))).toEqual(new Set([0, 1]));
    for (const [device] of transfer.moves) expect(['acct-000001', 'acct-000002']).toContain(r.world.registry.ownerAt(r.world.registry.deviceIds[device], 40_000));
  });

  it('wave: exactly the named number of cameras drop over the spread and come back, and it is no storm', () => {
    expect(r.summary.faults.find((f) => f.id === 'wave')?.effect).toBe('40 of 40 cameras dropped');
    const dropped = new Set(r.of('disconnect').filter((o) => o.t >= 22_000 && o.t <= 26_000).map((o) => o.dev));
    expect(dropped.size).toBe(40);
    const times = r.of('disconnect').filter((o) => dropped.has(o.dev) && o.t >= 22_000).map((o) => o.t);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(2000); // spread, not all at once
    const back = new Set(r.of('connect').filter((o) => dropped.has(o.dev) && o.t > 22_000).map((o) => o.dev));
    expect(back.size).toBe(40);
  });

  it('cache-flush: after it, every key misses once; before it, they hit', () => {
    const before = firstLookupMissShare(r, 26_000, 30_000);
    const after = firstLookupMissShare(r, 30_000);
    expect(before.keys).toBeGreaterThan(50);
    expect(before.share).toBeLessThan(0.2);
    expect(after.keys).toBeGreaterThan(50);
    expect(after.share).toBe(1);
  });
});

describe('partition (cameras and app sessions) and service-restart with a cold cache', () => {
  let r: Run;
  beforeAll(async () => {
    r = await run('partition-restart', [
      { at: '8s', fault: 'partition', share: 0.3, viewers: true, duration: '5s' },
      { at: '22s', fault: 'service-restart', heal: '25s' },
    ]);
  });

  it('passes', () => expectPass(r));

  it('partition: the cut-off share cannot connect or publish until heal, the rest carries on, and its reconnect is a tracked storm', () => {
    const began = r.of('outage-began').find((o) => o.fault === 'partition')!;
    const cut = new Set(began.devices);
    expect(cut.size).toBeGreaterThan(DEVICES * 0.2);
    expect(cut.size).toBeLessThan(DEVICES * 0.4);
    const during = (o: { t: number }) => o.t > 8000 && o.t < 13_000;
    expect(r.of('connect').filter((o) => during(o) && cut.has(o.dev))).toEqual([]);
    expect(r.of('connect-failed').filter((o) => during(o) && cut.has(o.dev)).length).toBeGreaterThan(0);
    expect(r.of('publish').filter((o) => during(o) && o.sent && cut.has(o.dev)).length).toBeLessThan(cut.size * 0.05); // in flight at the cut at most
    expect(r.of('publish').filter((o) => during(o) && o.sent && !cut.has(o.dev)).length).toBeGreaterThan(200);
    const [storm] = r.summary.storms;
    expect(storm).toMatchObject({ fault: 'partition', dropped: cut.size, reconnected: cut.size });
    expect(r.of('viewer-down').filter((o) => o.t >= 8000 && o.t < 8100).length).toBeGreaterThan(0);
    expect(r.summary.faults[0].effect).toMatch(/^\d+ cameras and \d+ app sessions cut off/);
  });

  it('service-restart: events meanwhile are dropped as service-offline, the service resubscribes, and the cache is cold', () => {
    expect(r.world.service.connects).toBe(2);
    const away = r.of('publish').filter((o) => o.t > 22_100 && o.t < 24_900 && o.sent);
    expect(away.length).toBeGreaterThan(100);
    expect(away.every((o) => !o.serviceReady)).toBe(true);
    expect(r.of('route').filter((o) => o.t > 22_100 && o.t < 24_900)).toEqual([]);
    expect(r.of('route').filter((o) => o.t > 25_000).length).toBeGreaterThan(100);
    expect(firstLookupMissShare(r, 25_000).share).toBe(1);
    expect(firstLookupMissShare(r, 15_000, 22_000).share).toBeLessThan(0.2);
  });
});

describe('storm: everyone wakes at T', () => {
  let r: Run;
  beforeAll(async () => {
    r = await run('storm', [{ at: '10s', fault: 'storm', heal: '13s' }]);
  });

  it('passes, with the storm tracked and checked', () => {
    expectPass(r);
    expect(r.summary.checks.find((c) => c.name === 'storm')?.status).toBe('pass');
  });

  it('every camera drops at T, none gets back while dark, all come back after; viewers are untouched', () => {
    const [storm] = r.summary.storms;
    expect(storm).toMatchObject({ fault: 'storm', dropped: DEVICES, restoredAt: 13_000 });
    expect(storm.reconnectShare).toBeGreaterThanOrEqual(0.99);
    expect(storm.failedAttempts).toBeGreaterThan(0);
    expect(r.of('connect').filter((o) => o.t > 10_000 && o.t < 13_000)).toEqual([]);
    expect(r.of('viewer-down').filter((o) => o.t < 40_000)).toEqual([]); // (all go down when the run stops)
  });
});
