import { describe, expect, it } from 'vitest';
import { parseSeeds } from '../src/cli/commands/gate-command.ts';
import { CrosswireError } from '../src/errors.ts';
import { compareGate, median } from '../src/gate/gate-compare.ts';
import type { GateRun } from '../src/gate/gate-run.ts';
import type { GateSide } from '../src/gate/gate-side.ts';
import { gateSide } from '../src/gate/gate-side.ts';
import { DEFAULT_MARGINS, parseMargins, regressionMetricNames } from '../src/gate/regression-metrics.ts';

const sides: { baseline: GateSide; candidate: GateSide } = {
  baseline: { role: 'baseline', adapter: 'redis@2.3.0', label: 'redis@2.3.0' },
  candidate: { role: 'candidate', adapter: 'redis@2.2.5', label: 'redis@2.2.5' },
};

function run(side: 'baseline' | 'candidate', seed: number, over: Partial<GateRun> = {}, metrics: Partial<GateRun['metrics']> = {}): GateRun {
  return {
    side,
    scenario: 's',
    file: 's.yaml',
    seed,
    verdict: 'PASS',
    exitCode: 0,
    reasons: [],
    violations: 0,
    runDir: `/out/${side}/${seed}`,
    repro: `npm start -- s.yaml --cache x --seed ${seed}`,
    realSeconds: 1,
    cacheAdapter: side,
    cacheErrors: 0,
    thresholds: [],
    ...over,
    metrics: { ...Object.fromEntries(regressionMetricNames.map((m) => [m, undefined])), reconnect_p99: 4, cache_p99: 1, ...metrics } as GateRun['metrics'],
  };
}

const pair = (seed: number, b: Partial<GateRun> = {}, c: Partial<GateRun> = {}, bm: Partial<GateRun['metrics']> = {}, cm: Partial<GateRun['metrics']> = {}) => ({
  baseline: run('baseline', seed, b, bm),
  candidate: run('candidate', seed, c, cm),
});

describe('the gate comparison', () => {
  it('passes when both sides pass with the same timings', () => {
    const r = compareGate([pair(1), pair(2)], DEFAULT_MARGINS, sides);
    expect(r.exitCode).toBe(0);
    expect(r.outcome).toBe('PASS');
    expect(r.comparisons).toEqual([expect.objectContaining({ metric: 'reconnect_p99', status: 'ok', baseline: 4, candidate: 4, baselineRuns: 2 })]);
  });

  it('exits 1 when the candidate leaks, naming the scenario, seed and repro command', () => {
    const r = compareGate([pair(1), pair(2, {}, { verdict: 'FAIL', violations: 9, reasons: ['isolation: 9 foreign thumbnail deliveries'] })], DEFAULT_MARGINS, sides);
    expect(r.exitCode).toBe(1);
    expect(r.findings[0]).toMatchObject({ exitCode: 1, scenario: 's', seed: 2, repro: 'npm start -- s.yaml --cache x --seed 2', runDir: '/out/candidate/2' });
    expect(r.findings[0].message).toContain('candidate redis@2.2.5 FAILs on s seed 2: isolation: 9 foreign');
  });

  it('a leak outranks an INCONCLUSIVE run and a regression', () => {
    const r = compareGate([pair(1, {}, { verdict: 'INCONCLUSIVE' }), pair(2, {}, { verdict: 'FAIL' }, {}, { reconnect_p99: 40 })], DEFAULT_MARGINS, sides);
    expect(r.exitCode).toBe(1);
    expect(r.findings.map((f) => f.exitCode).sort()).toEqual([1, 3, 4]);
  });

  it('exits 4 when a candidate run is INCONCLUSIVE: whether it leaks there is unknown', () => {
    const r = compareGate([pair(1, {}, { verdict: 'INCONCLUSIVE', reasons: ['storm: 80% reconnected'] })], DEFAULT_MARGINS, sides);
    expect(r.exitCode).toBe(4);
    expect(r.findings[0].message).toContain('INCONCLUSIVE on s seed 1, so whether it leaks there is unknown: storm: 80% reconnected');
  });

  it('does not fail on a baseline that leaks (the candidate may be the fix), and says so', () => {
    const r = compareGate([pair(1, { verdict: 'FAIL', violations: 1200 })], DEFAULT_MARGINS, sides);
    expect(r.exitCode).toBe(0);
    expect(r.notes[0]).toContain('baseline redis@2.3.0 FAILs on s seed 1 (1200 violations)');
    expect(r.comparisons[0].status).toBe('ok');
  });

  it('leaves INCONCLUSIVE baseline runs out of the medians, and exits 4 when none is left to compare with', () => {
    const some = compareGate([pair(1, { verdict: 'INCONCLUSIVE' }, {}, { reconnect_p99: 100 }), pair(2)], DEFAULT_MARGINS, sides);
    expect(some.exitCode).toBe(0);
    expect(some.comparisons[0]).toMatchObject({ baseline: 4, baselineRuns: 1, candidateRuns: 2 });
    const none = compareGate([pair(1, { verdict: 'INCONCLUSIVE' })], DEFAULT_MARGINS, sides);
    expect(none.exitCode).toBe(4);
    expect(none.findings[0].message).toContain('no conclusive baseline run on s');
    expect(none.comparisons[0].status).toBe('not-compared');
  });

  it('exits 3 for a threshold only the candidate breached, not for one both breached', () => {
    const held = { metric: 'cache_latency_ms', expression: 'p(99)<25', measured: 2, ok: true };
    const breached = { ...held, measured: 67, ok: false };
    const only = compareGate([pair(1, { thresholds: [held] }, { thresholds: [breached] })], DEFAULT_MARGINS, sides);
    expect(only.exitCode).toBe(3);
    expect(only.outcome).toBe('REGRESSED');
    expect(only.findings[0].message).toBe('threshold cache_latency_ms p(99)<25 breached by candidate redis@2.2.5 on s seed 1: measured 67, baseline 2');
    expect(only.pairs[0].newBreaches).toHaveLength(1);
    const both = compareGate([pair(1, { thresholds: [{ ...breached, measured: 50 }] }, { thresholds: [breached] })], DEFAULT_MARGINS, sides);
    expect(both.exitCode).toBe(0);
    expect(both.notes[0]).toContain('breached on s seed 1 by both sides');
  });

  it('exits 3 when the median is worse beyond the margin, comparing medians of per-seed values', () => {
    // baseline 4, 4, 4; candidate 4, 5, 5.5: median 5 is +25% (> 20%), though one seed is equal
    const runs = [pair(1, {}, {}, {}, { reconnect_p99: 4 }), pair(2, {}, {}, {}, { reconnect_p99: 5 }), pair(3, {}, {}, {}, { reconnect_p99: 5.5 })];
    const r = compareGate(runs, DEFAULT_MARGINS, sides);
    expect(r.exitCode).toBe(3);
    expect(r.comparisons[0]).toMatchObject({ status: 'regressed', baseline: 4, candidate: 5, changePercent: 25 });
    expect(r.findings[0].message).toBe('reconnect_p99 regressed on s: median 4.00s → 5.00s (+25.0%, margin 20%) over 3 seeds');
    expect(compareGate(runs, parseMargins(['reconnect_p99=30']), sides).exitCode).toBe(0);
    expect(compareGate(runs, parseMargins(['reconnect_p99=off']), sides).comparisons).toEqual([]);
  });

  it('ignores a change too small to matter, however large in percent', () => {
    // 1 ms → 2 ms of cache latency is +100% but within the 2 ms noise floor
    const r = compareGate([pair(1, {}, {}, { cache_p99: 1 }, { cache_p99: 2 })], parseMargins(['cache_p99=50']), sides);
    expect(r.comparisons.find((c) => c.metric === 'cache_p99')).toMatchObject({ status: 'ok', changePercent: 100 });
    expect(r.exitCode).toBe(0);
  });

  it('marks a metric the scenario does not measure as n/a, not as a failure', () => {
    const r = compareGate([pair(1, {}, {}, { reconnect_p99: undefined }, { reconnect_p99: undefined })], DEFAULT_MARGINS, sides);
    expect(r.comparisons[0].status).toBe('n/a');
    expect(r.exitCode).toBe(0);
  });
});

describe('gate options', () => {
  it('median is the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  it('--max-regression adds to the default, replaces a metric named again, refuses unknown metrics', () => {
    expect(parseMargins()).toEqual([{ metric: 'reconnect_p99', percent: 20 }]);
    expect(parseMargins(['cache_p99=50%', 'reconnect_p99=10'])).toEqual([
      { metric: 'reconnect_p99', percent: 10 },
      { metric: 'cache_p99', percent: 50 },
    ]);
    for (const bad of ['p99=20', 'reconnect_p99', 'reconnect_p99=-5', 'reconnect_p99=lots']) {
      expect(() => parseMargins([bad]), bad).toThrow(CrosswireError);
    }
  });

  it('--seeds N is seeds 1..N; --seed-list is exactly those; both at once is refused', () => {
    expect(parseSeeds({})).toEqual([1]);
    expect(parseSeeds({ seeds: 3 })).toEqual([1, 2, 3]);
    expect(parseSeeds({ seedList: '7, 42,7' })).toEqual([7, 42]);
    expect(() => parseSeeds({ seeds: 2, seedList: '1' })).toThrow('give one');
    expect(() => parseSeeds({ seedList: '1,x' })).toThrow('--seed-list');
  });

  it('a side is an adapter id, a module path, or an adapter plus the package its library loads from', async () => {
    expect(await gateSide('candidate', 'ioredis', 'ioredis-next')).toEqual({ role: 'candidate', adapter: 'ioredis', module: 'ioredis-next', label: 'ioredis (ioredis-next)' });
    expect((await gateSide('baseline', './examples/user-adapter.js', undefined)).label).toBe('./examples/user-adapter.js');
    await expect(gateSide('candidate', 'redis@9.9.9', undefined)).rejects.toThrow('--candidate: unknown cache adapter "redis@9.9.9"');
    await expect(gateSide('candidate', 'memory', 'ioredis-next')).rejects.toThrow('in-process adapter');
    await expect(gateSide('baseline', undefined, undefined)).rejects.toThrow('--baseline is required');
    await expect(gateSide('baseline', './nope.js', undefined)).rejects.toMatchObject({ exitCode: 2 });
  });
});
