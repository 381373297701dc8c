import { ExitCode } from '../exit-codes.ts';
import { versions } from '../report/versions.ts';
import type { GateFinding, GateOutcome, MetricComparison, SeedPair, GateResult } from './gate-compare.ts';
import type { GateSide } from './gate-side.ts';
import type { Margin } from './regression-metrics.ts';

export const GATE_SCHEMA_VERSION = 1;

/** gate.json: the whole gate in one document, and what junit.xml and summary.md are rendered from. */
export interface GateDocument {
  schemaVersion: number;
  outcome: GateOutcome;
  exitCode: number;
  startedAt: string;
  realSeconds: number;
  crosswire: string;
  node: string;
  baseline: GateSide & { library?: string };
  candidate: GateSide & { library?: string };
  /** Scenario files as given. */
  scenarios: string[];
  seeds: number[];
  margins: Margin[];
  aggregation: string;
  findings: GateFinding[];
  notes: string[];
  comparisons: MetricComparison[];
  runs: SeedPair[];
  gateDirectory: string;
}

export function gateDocument(input: {
  result: GateResult;
  sides: { baseline: GateSide; candidate: GateSide };
  scenarios: string[];
  seeds: number[];
  margins: Margin[];
  startedAt: Date;
  realSeconds: number;
  gateDir: string;
  interrupted?: boolean;
}): GateDocument {
  const { result, sides } = input;
  const library = (side: 'baseline' | 'candidate') => result.pairs.map((p) => p[side].cacheLibrary).find((l) => l !== undefined);
  const v = versions();
  return {
    schemaVersion: GATE_SCHEMA_VERSION,
    outcome: input.interrupted ? 'INTERRUPTED' : result.outcome,
    exitCode: input.interrupted ? ExitCode.interrupted : result.exitCode,
    startedAt: input.startedAt.toISOString(),
    realSeconds: Math.round(input.realSeconds * 1000) / 1000,
    crosswire: v.crosswire,
    node: v.node,
    baseline: { ...sides.baseline, library: library('baseline') },
    candidate: { ...sides.candidate, library: library('candidate') },
    scenarios: input.scenarios,
    seeds: input.seeds,
    margins: input.margins,
    aggregation: result.aggregation,
    findings: result.findings,
    notes: result.notes,
    comparisons: result.comparisons,
    runs: result.pairs,
    gateDirectory: input.gateDir,
  };
}
