import type { ThresholdResult } from '../oracle/run-metrics.ts';
import { ExitCode } from '../exit-codes.ts';
import type { GateRun } from './gate-run.ts';
import type { GateSide } from './gate-side.ts';
import { formatAmount, formatDelta, formatMetric, regressionMetrics, type Margin, type RegressionMetricName } from './regression-metrics.ts';

/** The same scenario and seed, run once per side. */
export interface SeedPair {
  scenario: string;
  seed: number;
  baseline: GateRun;
  candidate: GateRun;
  /** Thresholds the candidate breached where the baseline, same seed, held. */
  newBreaches: ThresholdResult[];
}

export interface MetricComparison {
  scenario: string;
  metric: RegressionMetricName;
  marginPercent: number;
  /** Medians of the per-seed values (INCONCLUSIVE runs left out). */
  baseline?: number;
  candidate?: number;
  /** How many per-seed values each median is over. */
  baselineRuns: number;
  candidateRuns: number;
  /** Candidate minus baseline, in the metric's unit (a share for a rate). */
  delta?: number;
  /** Relative change; absent when the baseline is 0 (no ratio on zero: the noise floor decides). */
  changePercent?: number;
  /** The metric's noise floor, in its unit: a change must be larger than this to count. */
  floor: number;
  status: 'ok' | 'regressed' | 'not-compared' | 'n/a';
  note: string;
}

/** A reason the gate does not pass, with the exit code it stands for. */
export interface GateFinding {
  exitCode: typeof ExitCode.fail | typeof ExitCode.thresholds | typeof ExitCode.inconclusive;
  scenario: string;
  seed?: number;
  message: string;
  repro?: string;
  runDir?: string;
}

/** INTERRUPTED: Ctrl-C; the document then covers the pairs finished before it. */
export type GateOutcome = 'PASS' | 'FAIL' | 'REGRESSED' | 'INCONCLUSIVE' | 'INTERRUPTED';

export interface GateResult {
  outcome: GateOutcome;
  exitCode: number;
  findings: GateFinding[];
  /** What is worth knowing but does not fail the gate (a baseline that leaks, a shared breach). */
  notes: string[];
  pairs: SeedPair[];
  comparisons: MetricComparison[];
  aggregation: string;
}

export const AGGREGATION = 'median of per-seed values; INCONCLUSIVE runs left out';

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The gate's judgement, a pure function of the runs. Exit codes, most severe first:
 * 1 the candidate leaks anywhere; 4 the gate cannot decide (a candidate run INCONCLUSIVE, or no
 * conclusive baseline run on a scenario to compare with); 3 a threshold only the candidate
 * breached, or a metric worse beyond its margin; 0 otherwise. A baseline that leaks does not
 * stop the gate: a candidate that fixes a leak is the upgrade one wants, and timings do not
 * depend on whose thumbnails arrived.
 */
export function compareGate(runs: ReadonlyArray<{ baseline: GateRun; candidate: GateRun }>, margins: readonly Margin[], sides: { baseline: GateSide; candidate: GateSide }): GateResult {
  const findings: GateFinding[] = [];
  const notes: string[] = [];
  const pairs: SeedPair[] = [];
  const c = sides.candidate.label;
  const b = sides.baseline.label;
  for (const { baseline, candidate } of runs) {
    const where = `${candidate.scenario} seed ${candidate.seed}`;
    const at = { scenario: candidate.scenario, seed: candidate.seed, repro: candidate.repro, runDir: candidate.runDir };
    if (candidate.verdict === 'FAIL') {
      findings.push({ exitCode: ExitCode.fail, message: `candidate ${c} FAILs on ${where}: ${candidate.reasons.join('; ')}`, ...at });
    } else if (candidate.verdict === 'INCONCLUSIVE') {
      findings.push({ exitCode: ExitCode.inconclusive, message: `candidate ${c} is INCONCLUSIVE on ${where}, so whether it leaks there is unknown: ${candidate.reasons.join('; ')}`, ...at });
    }
    if (baseline.verdict === 'FAIL') notes.push(`baseline ${b} FAILs on ${where} (${baseline.violations} violations): the candidate is judged on its own there; timings are still compared`);
    if (baseline.verdict === 'INCONCLUSIVE') notes.push(`baseline ${b} is INCONCLUSIVE on ${where}, left out of the baseline's medians: ${baseline.reasons.join('; ')}`);

    const newBreaches: ThresholdResult[] = [];
    for (const t of candidate.thresholds.filter((t) => !t.ok)) {
      const same = baseline.thresholds.find((x) => x.metric === t.metric && x.expression === t.expression);
      const name = `threshold ${t.metric} ${t.expression}`;
      if (same !== undefined && !same.ok) {
        notes.push(`${name} is breached on ${where} by both sides (baseline ${same.measured}, candidate ${t.measured}): not held against the candidate`);
        continue;
      }
      newBreaches.push(t);
      findings.push({ exitCode: ExitCode.thresholds, message: `${name} breached by candidate ${c} on ${where}: measured ${t.measured}${same ? `, baseline ${same.measured}` : ''}`, ...at });
    }
    pairs.push({ scenario: candidate.scenario, seed: candidate.seed, baseline, candidate, newBreaches });
  }

  const comparisons: MetricComparison[] = [];
  for (const scenario of [...new Set(pairs.map((p) => p.scenario))]) {
    const mine = pairs.filter((p) => p.scenario === scenario);
    const baseRuns = mine.map((p) => p.baseline).filter((r) => r.verdict !== 'INCONCLUSIVE');
    const candRuns = mine.map((p) => p.candidate).filter((r) => r.verdict !== 'INCONCLUSIVE');
    if (baseRuns.length === 0 && margins.length > 0) {
      findings.push({ exitCode: ExitCode.inconclusive, scenario, message: `no conclusive baseline run on ${scenario}: nothing to compare the candidate's ${margins.map((m) => m.metric).join(', ')} with` });
    }
    for (const m of margins) comparisons.push(compareMetric(scenario, m, baseRuns, candRuns, mine.length));
  }
  for (const cmp of comparisons.filter((x) => x.status === 'regressed')) {
    findings.push({ exitCode: ExitCode.thresholds, scenario: cmp.scenario, message: `${cmp.metric} regressed on ${cmp.scenario}: ${cmp.note}` });
  }

  const has = (code: number) => findings.some((f) => f.exitCode === code);
  const [outcome, exitCode]: [GateOutcome, number] = has(ExitCode.fail)
    ? ['FAIL', ExitCode.fail]
    : has(ExitCode.inconclusive)
      ? ['INCONCLUSIVE', ExitCode.inconclusive]
      : has(ExitCode.thresholds)
        ? ['REGRESSED', ExitCode.thresholds]
        : ['PASS', ExitCode.pass];
  return { outcome, exitCode, findings, notes, pairs, comparisons, aggregation: AGGREGATION };
}

function compareMetric(scenario: string, margin: Margin, baseRuns: GateRun[], candRuns: GateRun[], seeds: number): MetricComparison {
  const { metric, percent } = margin;
  const floor = regressionMetrics[metric].minDelta;
  const values = (runs: GateRun[]) => runs.map((r) => r.metrics[metric]).filter((v): v is number => v !== undefined);
  const bv = values(baseRuns);
  const cv = values(candRuns);
  const base: MetricComparison = { scenario, metric, marginPercent: percent, baseline: median(bv), candidate: median(cv), baselineRuns: bv.length, candidateRuns: cv.length, floor, status: 'n/a', note: '' };
  if (bv.length === 0 && cv.length === 0) {
    return { ...base, status: baseRuns.length === 0 || candRuns.length === 0 ? 'not-compared' : 'n/a', note: baseRuns.length === 0 || candRuns.length === 0 ? 'no conclusive run on one side' : 'not measured in this scenario' };
  }
  if (base.baseline === undefined || base.candidate === undefined) {
    return { ...base, status: 'not-compared', note: `measured on the ${bv.length === 0 ? 'candidate' : 'baseline'} side only` };
  }
  const delta = base.candidate - base.baseline;
  const over = bv.length === seeds && cv.length === seeds ? `${seeds} seed${seeds === 1 ? '' : 's'}` : `${bv.length}/${cv.length} of ${seeds} seeds`;
  const medians = `median ${formatMetric(metric, base.baseline)} → ${formatMetric(metric, base.candidate)}`;
  const beyondFloor = delta > floor;
  if (base.baseline <= 0) {
    // no ratio on zero: from a zero baseline the candidate regresses when it exceeds the floor itself
    const note = `${medians} (${formatDelta(metric, delta)} from a zero baseline, floor ${formatAmount(metric, floor)}) over ${over}`;
    return { ...base, delta: round(delta), status: beyondFloor ? 'regressed' : 'ok', note };
  }
  const change = (delta / base.baseline) * 100;
  const beyondMargin = change > percent;
  const withinFloor = beyondMargin && !beyondFloor ? `; ${formatDelta(metric, delta)} is within the ${formatAmount(metric, floor)} noise floor` : '';
  const note = `${medians} (${formatChange(change)}, margin ${percent}%${withinFloor}) over ${over}`;
  return { ...base, delta: round(delta), changePercent: Math.round(change * 10) / 10, status: beyondMargin && beyondFloor ? 'regressed' : 'ok', note };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** The change as the tables show it: `+25.0%`, or `+0.80 points` from a zero baseline. */
export function changeText(cmp: MetricComparison): string {
  if (cmp.changePercent !== undefined) return formatChange(cmp.changePercent);
  return cmp.delta === undefined ? '—' : formatDelta(cmp.metric, cmp.delta);
}

export function formatChange(change: number | undefined): string {
  if (change === undefined) return '—';
  return `${change >= 0 ? '+' : ''}${change.toFixed(1)}%`;
}
