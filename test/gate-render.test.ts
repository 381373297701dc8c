import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { compareGate } from '../src/gate/gate-compare.ts';
import { gateDocument } from '../src/gate/gate-document.ts';
import { renderGateJunit } from '../src/gate/gate-junit.ts';
import { renderGateMarkdown } from '../src/gate/gate-markdown.ts';
import type { GateRun } from '../src/gate/gate-run.ts';
import type { GateSide } from '../src/gate/gate-side.ts';
import { renderGateQuiet, renderGateTable } from '../src/gate/gate-table.ts';
import { DEFAULT_MARGINS, measureAll, regressionMetricNames } from '../src/gate/regression-metrics.ts';
import { parseXml } from './support/xml-parse.ts';
import { syntheticSummary } from './support/synthetic-summary.ts';

/** How the default comparisons read in the terminal, summary.md and junit.xml. */
const sides: { baseline: GateSide; candidate: GateSide } = {
  baseline: { role: 'baseline', adapter: 'ioredis', module: 'ioredis-baseline', label: 'ioredis (ioredis-baseline)' },
  candidate: { role: 'candidate', adapter: 'ioredis', module: 'ioredis-candidate', label: 'ioredis (ioredis-candidate)' },
};

function run(side: 'baseline' | 'candidate', metrics: Partial<GateRun['metrics']>): GateRun {
  return {
    side,
    scenario: 'cache-chaos-storm',
    file: 'scenarios/controls/cache-chaos-storm.yaml',
    seed: 1,
    verdict: 'PASS',
    exitCode: 0,
    reasons: [],
    violations: 0,
    runDir: `/out/gate/x/${side}/cache-chaos-storm/run-seed1`,
    repro: 'npm start -- scenarios/controls/cache-chaos-storm.yaml --cache ioredis --seed 1',
    realSeconds: 8,
    cacheAdapter: 'ioredis',
    cacheErrors: 0,
    thresholds: [],
    metrics: { ...Object.fromEntries(regressionMetricNames.map((m) => [m, undefined])), ...metrics } as GateRun['metrics'],
  };
}

// the error rate doubles, the cache p99 drops (a negative change) and no thumbnail was measured
const result = compareGate(
  [
    {
      baseline: run('baseline', { reconnect_p99: 4.5, cache_error_rate: 0.1879, cache_p99: 484 }),
      candidate: run('candidate', { reconnect_p99: 4.5, cache_error_rate: 0.3969, cache_p99: 240 }),
    },
  ],
  DEFAULT_MARGINS,
  sides,
);
const doc = gateDocument({ result, sides, scenarios: ['scenarios/controls/cache-chaos-storm.yaml'], seeds: [1], margins: [...DEFAULT_MARGINS], startedAt: new Date(0), realSeconds: 16, gateDir: '/out/gate/x' });

describe('the default comparisons, rendered', () => {
  it('the terminal table shows each metric with its change and margin, and ✗ on the regressed one', () => {
    const text = renderGateTable(new Chalk({ level: 0 }), result, sides, '/out/gate/x');
    expect(text).toContain('p99 reconnect b/c  cache errors b/c  cache p99 b/c');
    expect(text).toMatch(/cache-chaos-storm\s+1\s+PASS\s+PASS\s+0 \/ 0\s+4\.50s \/ 4\.50s\s+18\.79% \/ 39\.69%\s+484\.0ms \/ 240\.0ms\s+— \/ —/);
    expect(text).toContain('✓ cache-chaos-storm reconnect_p99: median 4.50s → 4.50s (+0.0%, margin 20%) over 1 seed');
    expect(text).toContain('✗ cache-chaos-storm cache_error_rate: median 18.79% → 39.69% (+111.2%, margin 50%) over 1 seed');
    expect(text).toContain('✓ cache-chaos-storm cache_p99: median 484.0ms → 240.0ms (-50.4%, margin 50%) over 1 seed');
    expect(text).toContain('· cache-chaos-storm thumbnail_p99 (margin 50%): n/a (not measured in this scenario)');
    expect(text).toContain('[exit 3] cache_error_rate regressed on cache-chaos-storm');
    expect(text).toContain('gate: REGRESSED (exit 3)');
  });

  it('summary.md has a row per comparison with its change, margin and noise floor', () => {
    const md = renderGateMarkdown(doc);
    expect(md).toContain('| | scenario | metric | baseline | candidate | change | margin | noise floor |');
    expect(md).toContain('| ❌ | cache-chaos-storm | cache_error_rate | 18.79% | 39.69% | +111.2% | 50% | 0.50 points |');
    expect(md).toContain('| ✅ | cache-chaos-storm | reconnect_p99 | 4.50s | 4.50s | +0.0% | 20% | 0.25s |');
    expect(md).toContain('| ➖ | cache-chaos-storm | thumbnail_p99 | — | — | — | 50% | 0.25s |');
  });

  it('junit.xml has a testcase per default margin: the regressed one a failure, the unmeasured one skipped', () => {
    const junit = parseXml(renderGateJunit(doc));
    const cases = junit.children[0].children.filter((c) => c.name === 'testcase');
    const byName = (name: string) => cases.find((c) => c.attributes.name === name)!;
    expect(byName('cache_error_rate at most 50% worse than baseline (median over seeds)').children.map((c) => c.name)).toEqual(['failure']);
    expect(byName('reconnect_p99 at most 20% worse than baseline (median over seeds)').children).toEqual([]);
    expect(byName('thumbnail_p99 at most 50% worse than baseline (median over seeds)').children.map((c) => c.name)).toEqual(['skipped']);
    const margins = junit.children[0].children.find((c) => c.name === 'properties')!.children.find((p) => p.attributes.name === 'margins');
    expect(margins?.attributes.value).toBe('reconnect_p99=20%,cache_error_rate=50%,cache_p99=50%,thumbnail_p99=50%');
  });
});

describe('gate --quiet', () => {
  it('the outcome line alone when the gate passes or only regresses (the gate directory holds the rest)', () => {
    expect(renderGateQuiet({ outcome: 'PASS', exitCode: 0, findings: [] }, '/out/gate/x')).toBe('gate: PASS (exit 0) /out/gate/x');
    expect(renderGateQuiet(result, '/out/gate/x')).toBe('gate: REGRESSED (exit 3) /out/gate/x');
  });

  it('on a FAIL or INCONCLUSIVE, each run behind a finding: its directory and repro line, once', () => {
    const at = (seed: number) => ({ scenario: 's', seed, runDir: `/out/gate/x/candidate/s/run-seed${seed}`, repro: `npm start -- s.yaml --cache x --seed ${seed}` });
    const findings = [
      { exitCode: 1 as const, message: 'candidate x FAILs on s seed 1', ...at(1) },
      { exitCode: 3 as const, message: 'threshold breached by candidate x on s seed 1', ...at(1) },
      { exitCode: 4 as const, message: 'candidate x is INCONCLUSIVE on s seed 2', ...at(2) },
      { exitCode: 3 as const, scenario: 's', message: 'cache_error_rate regressed on s' },
    ];
    expect(renderGateQuiet({ outcome: 'FAIL', exitCode: 1, findings }, '/out/gate/x').split('\n')).toEqual([
      'gate: FAIL (exit 1) /out/gate/x',
      'run directory: /out/gate/x/candidate/s/run-seed1',
      'reproduce: npm start -- s.yaml --cache x --seed 1',
      'run directory: /out/gate/x/candidate/s/run-seed2',
      'reproduce: npm start -- s.yaml --cache x --seed 2',
    ]);
  });
});

describe('what each run is measured on', () => {
  it('thumbnail latency from the summary; none in a summary written before it was recorded', () => {
    const summary = syntheticSummary();
    summary.thumbnailLatency = { count: 120, p50: 40, p90: 300, p99: 950, max: 1200, mean: 80 };
    summary.cache.stats = { ...summary.cache.stats, gets: 90, sets: 8, deletes: 2, errors: 5 };
    const m = measureAll(summary);
    expect(m.thumbnail_p99).toBe(0.95); // scenario seconds, like reconnect times
    expect(m.thumbnail_p50).toBe(0.04);
    expect(m.cache_error_rate).toBe(0.05);
    delete summary.thumbnailLatency;
    expect(measureAll(summary).thumbnail_p99).toBeUndefined();
  });
});
