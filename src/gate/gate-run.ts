import type { Verdict } from '../oracle/verdict.ts';
import type { ThresholdResult } from '../oracle/run-metrics.ts';
import type { RunSummary } from '../report/summary.ts';
import type { SideRole } from './gate-side.ts';
import { measureAll, type RegressionMetricName } from './regression-metrics.ts';

/** What the gate keeps of one run: enough to compare, to report, and to point at its run directory. */
export interface GateRun {
  side: SideRole;
  scenario: string;
  /** The scenario file as given. */
  file: string;
  seed: number;
  verdict: Verdict;
  exitCode: number;
  reasons: string[];
  violations: number;
  runDir: string;
  repro: string;
  realSeconds: number;
  cacheAdapter: string;
  /** `redis@2.2.5` as really loaded (an npm alias reports the package it installs). */
  cacheLibrary?: string;
  cacheErrors: number;
  metrics: Record<RegressionMetricName, number | undefined>;
  thresholds: ThresholdResult[];
}

export function gateRunOf(side: SideRole, file: string, summary: RunSummary, runDir: string): GateRun {
  const lib = summary.versions.cacheLibrary;
  return {
    side,
    scenario: summary.scenario.name,
    file,
    seed: summary.scenario.seed,
    verdict: summary.verdict,
    exitCode: summary.exitCode,
    reasons: summary.reasons,
    violations: summary.violationCount,
    runDir,
    repro: summary.repro ?? '',
    realSeconds: summary.realSeconds,
    cacheAdapter: summary.cache.adapter,
    cacheLibrary: lib ? `${lib.name}@${lib.version}` : undefined,
    cacheErrors: summary.cache.stats.errors,
    metrics: measureAll(summary),
    thresholds: summary.thresholds ?? [],
  };
}
