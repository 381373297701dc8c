import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { usageError } from '../errors.ts';
import type { CacheAdapterDefinition } from '../cache/cache-adapter.ts';
import type { FaultKinds } from '../faults/fault-kind.ts';
import { faultKinds as builtinKinds } from '../faults/fault-kinds.ts';
import type { RunSummary } from '../report/summary.ts';
import { runScenario } from '../runner/run-scenario.ts';
import { formatPath } from '../scenario/format-issues.ts';
import { clockModeOf, scenarioSchemaFor, type Scenario } from '../scenario/schema.ts';
import { resolveBounds, talksToServer, type ExploreBounds } from './explore-bounds.ts';
import { scenarioArbitrary } from './scenario-arbitrary.ts';
import { draftFromTemplate, shapeClass, shapeOf, type ScenarioDraft } from './scenario-draft.ts';
import { simplificationsOf } from './shrink-draft.ts';

/**
 * The search: draw scenarios from the bounds (fast-check, seeded), validate each with the scenario
 * schema, run it, stop at the first FAIL or when the budget is spent. Then the shrink: greedy delta
 * debugging over the failing draft (shrink-draft.ts), each candidate re-run — on a real clock
 * `attempts` times, every one of which must FAIL, so a flaky candidate is never kept as minimal.
 */

export interface ExploreOptions {
  /** The resolved template scenario (its `explore:` section holds the bounds). */
  template: Scenario;
  /** Names the template in messages (a file, or "the built-in default"). */
  origin: string;
  /** The template's cache adapter module, loaded: whether it declares a server decides the fault kinds drawn. */
  adapterModule?: Pick<CacheAdapterDefinition, 'server'>;
  budgetMs: number;
  shrinkBudgetMs: number;
  /** The most runs the shrink may take. */
  maxShrinkRuns?: number;
  seed: number;
  kinds?: FaultKinds;
  signal?: AbortSignal;
  onProgress?: (progress: ExploreProgress) => void;
  /** Runs one scenario (default: the programmatic runner, no run directory). */
  run?: (scenario: Scenario, signal: AbortSignal | undefined) => Promise<RunSummary>;
}

export interface ExploreProgress {
  phase: 'search' | 'shrink';
  runs: number;
  shrinkRuns: number;
  /** The draft running now. */
  shape: string;
  /** The smallest failing draft so far (shrink), or undefined. */
  best?: string;
  elapsedMs: number;
  budgetMs: number;
}

export interface ShrinkStep {
  what: string;
  shape: string;
}

export interface ExploreFound {
  first: ScenarioDraft;
  firstSummary: RunSummary;
  minimal: ScenarioDraft;
  minimalScenario: Scenario;
  minimalSummary: RunSummary;
  /** The simplifications kept, in order. */
  kept: ShrinkStep[];
  timeToFirstFailMs: number;
  shrinkMs: number;
  /** The shrink stopped at its budget before trying every simplification. */
  shrinkCutShort: boolean;
}

export interface ExploreOutcome {
  seed: number;
  bounds: ExploreBounds;
  clock: 'real' | 'virtual';
  attempts: number;
  searchRuns: number;
  shrinkRuns: number;
  /** Draws the scenario schema refused (never run). */
  discarded: number;
  shapes: string[];
  faultKindsTried: string[];
  elapsedMs: number;
  interrupted: boolean;
  found?: ExploreFound;
}

const BATCH = 32;
const MAX_DISCARDS_IN_A_ROW = 500;

export async function explore(options: ExploreOptions): Promise<ExploreOutcome> {
  const kinds = options.kinds ?? builtinKinds;
  const schema = scenarioSchemaFor(kinds);
  const server = talksToServer(options.template, options.adapterModule);
  const bounds = resolveBounds(options.template, kinds, options.origin, server);
  const base = draftFromTemplate(options.template, exploreName(options.template.cache.adapter));
  const clock = clockModeOf(options.template);
  const attempts = clock === 'virtual' ? 1 : bounds.attempts;
  const run = options.run ?? (async (scenario: Scenario, signal: AbortSignal | undefined) => (await runScenario(scenario, { signal, faultKinds: kinds })).summary);
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const outcome: ExploreOutcome = {
    seed: options.seed, bounds, clock, attempts, searchRuns: 0, shrinkRuns: 0, discarded: 0, shapes: [], faultKindsTried: [], elapsedMs: 0, interrupted: false,
  };
  const shapes = new Set<string>();
  const kindsTried = new Set<string>();
  const validate = (draft: ScenarioDraft) => schema.safeParse(draft);

  // the search: a deadline aborts the run in flight, so the budget holds to within a run's teardown
  const deadline = AbortSignal.any([AbortSignal.timeout(Math.max(1, options.budgetMs)), ...(options.signal ? [options.signal] : [])]);
  const arbitrary = scenarioArbitrary(base, bounds, kinds, server);
  let first: { draft: ScenarioDraft; summary: RunSummary } | undefined;
  let discardsInARow = 0;
  let lastIssue = '';
  search: for (let batch = 0; !deadline.aborted && elapsed() < options.budgetMs; batch++) {
    for (const draft of fc.sample(arbitrary, { seed: (options.seed + batch * 7919) | 0, numRuns: BATCH })) {
      // a turn of the event loop per draw, so the deadline's timer fires even when runs are instant
      await new Promise((resolve) => setImmediate(resolve));
      if (deadline.aborted || elapsed() >= options.budgetMs) break search;
      const parsed = validate(draft);
      if (!parsed.success) {
        outcome.discarded++;
        const issue = parsed.error.issues[0];
        lastIssue = `${formatPath(issue.path)}: ${issue.message}`;
        if (++discardsInARow >= MAX_DISCARDS_IN_A_ROW) {
          throw usageError('EXPLORE_BOUNDS_INVALID', `${options.origin}: explore: ${MAX_DISCARDS_IN_A_ROW} scenarios in a row drawn from these bounds were invalid; the last: ${lastIssue}`);
        }
        continue;
      }
      discardsInARow = 0;
      outcome.searchRuns++;
      shapes.add(shapeClass(draft));
      for (const step of draft.timeline) kindsTried.add(step.fault ?? 'transfer');
      options.onProgress?.({ phase: 'search', runs: outcome.searchRuns, shrinkRuns: 0, shape: shapeOf(draft), elapsedMs: elapsed(), budgetMs: options.budgetMs });
      const summary = await run(parsed.data, deadline);
      if (summary.verdict === 'FAIL') {
        first = { draft, summary };
        break search;
      }
    }
  }
  outcome.shapes = [...shapes];
  outcome.faultKindsTried = [...kindsTried];
  outcome.interrupted = options.signal?.aborted === true;
  if (first === undefined) {
    outcome.elapsedMs = elapsed();
    return outcome;
  }

  const timeToFirstFailMs = elapsed();
  const shrinkStarted = performance.now();
  const shrinkSignal = AbortSignal.any([AbortSignal.timeout(Math.max(1, options.shrinkBudgetMs)), ...(options.signal ? [options.signal] : [])]);
  const maxRuns = options.maxShrinkRuns ?? 400;
  let best = { draft: first.draft, scenario: validate(first.draft).data!, summary: first.summary };
  const kept: ShrinkStep[] = [];
  const tried = new Set<string>([JSON.stringify(best.draft)]);
  let cutShort = false;
  /** Runs a candidate up to `attempts` times; its last summary if every run FAILed. */
  const failsEveryTime = async (scenario: Scenario): Promise<RunSummary | undefined> => {
    let summary: RunSummary | undefined;
    for (let i = 0; i < attempts; i++) {
      if (shrinkSignal.aborted || outcome.shrinkRuns >= maxRuns) return undefined;
      outcome.shrinkRuns++;
      summary = await run(scenario, shrinkSignal);
      if (summary.verdict !== 'FAIL') return undefined;
    }
    return summary;
  };
  shrink: for (;;) {
    for (const candidate of simplificationsOf(best.draft)) {
      if (shrinkSignal.aborted || outcome.shrinkRuns >= maxRuns) {
        cutShort = true;
        break shrink;
      }
      const key = JSON.stringify(candidate.draft);
      if (tried.has(key)) continue;
      tried.add(key);
      const parsed = validate(candidate.draft);
      if (!parsed.success) continue;
      options.onProgress?.({ phase: 'shrink', runs: outcome.searchRuns, shrinkRuns: outcome.shrinkRuns, shape: shapeOf(candidate.draft), best: shapeOf(best.draft), elapsedMs: elapsed(), budgetMs: options.budgetMs });
      const summary = await failsEveryTime(parsed.data);
      if (summary !== undefined) {
        best = { draft: candidate.draft, scenario: parsed.data, summary };
        kept.push({ what: candidate.what, shape: shapeOf(candidate.draft) });
        continue shrink;
      }
    }
    break; // no simplification still FAILs: the draft is minimal
  }
  outcome.interrupted = options.signal?.aborted === true;
  outcome.elapsedMs = elapsed();
  outcome.found = {
    first: first.draft,
    firstSummary: first.summary,
    minimal: best.draft,
    minimalScenario: best.scenario,
    minimalSummary: best.summary,
    kept,
    timeToFirstFailMs,
    shrinkMs: performance.now() - shrinkStarted,
    shrinkCutShort: cutShort,
  };
  return outcome;
}

/** `explore-faulty-crossed-replies`: a scenario name (and run directory) from an adapter id. */
export function exploreName(adapter: string): string {
  const tail = adapter.replace(/^.*\//, '').replace(/\.(m?js|ts)$/, '');
  return `explore-${tail.replace(/[^a-z0-9._-]+/gi, '-').replace(/^-+|-+$/g, '')}`.slice(0, 128);
}
