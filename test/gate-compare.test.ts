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
    // the metrics compared by default, at about what the shipped control scenario measures
    metrics: { ...Object.fromEntries(regressionMetricNames.map((m) => [m, undefined])), reconnect_p99: 4, cache_error_rate: 0.19, cache_p99: 480, thumbnail_p99: 4.3, ...metrics } as GateRun['metrics'],
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
    expect(r.comparisons).toEqual([
      expect.objectContaining({ metric: 'reconnect_p99', marginPercent: 20, status: 'ok', baseline: 4, candidate: 4, baselineRuns: 2, changePercent: 0 }),
      expect.objectContaining({ metric: 'cache_error_rate', marginPercent: 50, status: 'ok', baseline: 0.19, candidate: 0.19 }),
      expect.objectContaining({ metric: 'cache_p99', marginPercent: 50, status: 'ok', baseline: 480 }),
      expect.objectContaining({ metric: 'thumbnail_p99', marginPercent: 50, status: 'ok', baseline: 4.3 }),
    ]);
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
    expect(compareGate(runs, parseMargins(['reconnect_p99=off']), sides).comparisons.map((c) => c.metric)).not.toContain('reconnect_p99');
  });

  it('ignores a change too small to matter, however large in percent', () => {
    // 4 ms → 9 ms of cache latency is +125% but within the 10 ms noise floor
    const r = compareGate([pair(1, {}, {}, { cache_p99: 4 }, { cache_p99: 9 })], parseMargins(['cache_p99=50']), sides);
    const cmp = r.comparisons.find((c) => c.metric === 'cache_p99');
    expect(cmp).toMatchObject({ status: 'ok', changePercent: 125, delta: 5, floor: 10 });
    expect(cmp?.note).toBe('median 4.0ms → 9.0ms (+125.0%, margin 50%; +5.0ms is within the 10.0ms noise floor) over 1 seed');
    expect(r.exitCode).toBe(0);
    // the same +125% beyond the floor regresses
    expect(compareGate([pair(1, {}, {}, { cache_p99: 40 }, { cache_p99: 90 })], DEFAULT_MARGINS, sides).exitCode).toBe(3);
  });

  it('marks a metric the scenario does not measure as n/a, not as a failure', () => {
    const r = compareGate([pair(1, {}, {}, { reconnect_p99: undefined }, { reconnect_p99: undefined })], DEFAULT_MARGINS, sides);
    expect(r.comparisons[0].status).toBe('n/a');
    expect(r.exitCode).toBe(0);
  });
});

describe('what the gate compares by default', () => {
  const seeds = (b: Partial<GateRun['metrics']>[], c: Partial<GateRun['metrics']>[]) => b.map((bm, i) => pair(i + 1, {}, {}, bm, c[i]));

  it('leaks, reconnect p99, cache error rate, cache p99 and thumbnail p99, each with its margin', () => {
    expect(DEFAULT_MARGINS).toEqual([
      { metric: 'reconnect_p99', percent: 20 },
      { metric: 'cache_error_rate', percent: 50 },
      { metric: 'cache_p99', percent: 50 },
      { metric: 'thumbnail_p99', percent: 50 },
    ]);
  });

  it('fails a candidate with twice the baseline cache error rate, though reconnects are as fast', () => {
    // the upgrade the gate once passed: the same p99 reconnect, 2× the cache errors
    const runs = seeds(
      [{ cache_error_rate: 0.19 }, { cache_error_rate: 0.18 }, { cache_error_rate: 0.2 }],
      [{ cache_error_rate: 0.39 }, { cache_error_rate: 0.38 }, { cache_error_rate: 0.4 }],
    );
    const r = compareGate(runs, DEFAULT_MARGINS, sides);
    expect(r.exitCode).toBe(3);
    expect(r.comparisons.find((c) => c.metric === 'reconnect_p99')?.status).toBe('ok');
    expect(r.findings.map((f) => f.message)).toEqual(['cache_error_rate regressed on s: median 19.00% → 39.00% (+105.3%, margin 50%) over 3 seeds']);
    // within its margin when that is loosened, and not compared when turned off
    expect(compareGate(runs, parseMargins(['cache_error_rate=150']), sides).exitCode).toBe(0);
    const off = compareGate(runs, parseMargins(['cache_error_rate=off']), sides);
    expect(off.exitCode).toBe(0);
    expect(off.comparisons.map((c) => c.metric)).toEqual(['reconnect_p99', 'cache_p99', 'thumbnail_p99']);
  });

  it('judges a rate from a zero baseline against an absolute floor (0.5 points), not a ratio on zero', () => {
    const judge = (candidate: number) => compareGate([pair(1, {}, {}, { cache_error_rate: 0 }, { cache_error_rate: candidate })], DEFAULT_MARGINS, sides).comparisons.find((c) => c.metric === 'cache_error_rate')!;
    expect(judge(0)).toMatchObject({ status: 'ok', delta: 0 });
    const few = judge(0.004); // 0.4% of operations failed: within the floor
    expect(few).toMatchObject({ status: 'ok', delta: 0.004, floor: 0.005 });
    expect(few).not.toHaveProperty('changePercent');
    expect(few.note).toBe('median 0.00% → 0.40% (+0.40 points from a zero baseline, floor 0.50 points) over 1 seed');
    const many = judge(0.008);
    expect(many.status).toBe('regressed');
    expect(many.note).toContain('+0.80 points from a zero baseline');
    // the margin in percent plays no part from zero: even 1000% does not excuse it
    expect(compareGate([pair(1, {}, {}, { cache_error_rate: 0 }, { cache_error_rate: 0.008 })], parseMargins(['cache_error_rate=1000']), sides).exitCode).toBe(3);
    // and JSON keeps every number finite (no Infinity turned into null)
    expect(JSON.stringify(many)).not.toContain('null');
  });

  it('fails a candidate whose thumbnails take much longer to arrive', () => {
    const runs = seeds([{ thumbnail_p99: 4.3 }, { thumbnail_p99: 4.2 }, { thumbnail_p99: 6.6 }], [{ thumbnail_p99: 20.3 }, { thumbnail_p99: 20.2 }, { thumbnail_p99: 21.2 }]);
    const r = compareGate(runs, DEFAULT_MARGINS, sides);
    expect(r.exitCode).toBe(3);
    expect(r.findings[0].message).toBe('thumbnail_p99 regressed on s: median 4.30s → 20.30s (+372.1%, margin 50%) over 3 seeds');
    // run-to-run noise of the same library stays inside the defaults
    const noise = seeds(
      [{ thumbnail_p99: 4.59, cache_p99: 488, cache_error_rate: 0.196 }, { thumbnail_p99: 4.26, cache_p99: 477, cache_error_rate: 0.187 }, { thumbnail_p99: 4.36, cache_p99: 501, cache_error_rate: 0.191 }],
      [{ thumbnail_p99: 4.42, cache_p99: 491, cache_error_rate: 0.224 }, { thumbnail_p99: 4.27, cache_p99: 476, cache_error_rate: 0.186 }, { thumbnail_p99: 6.67, cache_p99: 587, cache_error_rate: 0.19 }],
    );
    expect(compareGate(noise, DEFAULT_MARGINS, sides).exitCode).toBe(0);
  });
});

describe('gate options', () => {
  it('median is the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  it('--max-regression adds to the defaults, replaces a metric named again, drops one with =off, refuses unknown metrics', () => {
    expect(parseMargins()).toEqual(DEFAULT_MARGINS);
    expect(parseMargins(['cache_p99=75%', 'reconnect_p99=10', 'thumbnail_p99=off', 'cache_p50=30'])).toEqual([
      { metric: 'reconnect_p99', percent: 10 },
      { metric: 'cache_error_rate', percent: 50 },
      { metric: 'cache_p99', percent: 75 },
      { metric: 'cache_p50', percent: 30 },
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
    // the alias given where the adapter goes: the message shows both flags
    await expect(gateSide('candidate', 'ioredis-next', undefined)).rejects.toThrow('give the adapter over it and the package: --candidate <ioredis|node-redis|memjs> --candidate-module ioredis-next');
    await expect(gateSide('candidate', 'memory', 'ioredis-next')).rejects.toThrow('in-process adapter');
    await expect(gateSide('baseline', undefined, undefined)).rejects.toThrow('--baseline is required');
    await expect(gateSide('baseline', './nope.js', undefined)).rejects.toMatchObject({ exitCode: 2 });
  });
});
