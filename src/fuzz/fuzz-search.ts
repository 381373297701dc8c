import fc from 'fast-check';
import { caseArbitrary } from './case-arbitrary.ts';
import type { FuzzCast } from './fuzz-cast.ts';
import { packetCount, planCase, type CaseDraft, type RunnableCase } from './fuzz-case.ts';
import { findingKinds, type Finding, type FindingKind } from './fuzz-finding.ts';
import type { FuzzTarget } from './fuzz-target.ts';
import { defaultBounds, runCase, type CaseBounds } from './run-case.ts';

export interface FuzzOptions {
  target: FuzzTarget;
  cast: FuzzCast;
  /** Seed of the search (fast-check's), so a run repeats. */
  seed: number;
  budgetMs: number;
  /** The most time the shrink of a finding may take. */
  shrinkBudgetMs: number;
  /** Stop after this many cases even if budget remains. */
  maxCases?: number;
  bounds?: CaseBounds;
  onProgress?: (progress: FuzzProgress) => void;
  signal?: AbortSignal;
}

export type FindingCounts = Record<FindingKind, number>;

export interface FuzzProgress {
  cases: number;
  packets: number;
  elapsedMs: number;
  counts: FindingCounts;
  /** Shrink runs so far, once a finding is being shrunk. */
  shrinkRuns: number;
}

export interface FuzzFound {
  firstFindings: Finding[];
  /** Cases run until the first finding, it included. */
  firstCase: number;
  minimal: RunnableCase;
  minimalDraft: CaseDraft;
  minimalFindings: Finding[];
  shrinkRuns: number;
  shrinkMs: number;
  shrinkCutShort: boolean;
}

export interface FuzzOutcome extends FuzzProgress {
  casesPerSecond: number;
  interrupted: boolean;
  found: FuzzFound | undefined;
}

/** Cases per fast-check run: each run uses seed + its index, so the search repeats from --seed. */
const CHUNK = 64;

/**
 * Draws cases with fast-check and runs each against the target until the budget is spent or a
 * case finds something; then fast-check shrinks that case (within the shrink budget) to the
 * smallest draft that still finds something. An uncaught exception or unhandled rejection in this
 * process while a case runs (the embedded broker runs here) is a crash finding of that case.
 */
export async function fuzz(options: FuzzOptions): Promise<FuzzOutcome> {
  const { target, cast, seed } = options;
  const bounds = options.bounds ?? defaultBounds;
  const started = Date.now();
  const searchDeadline = started + options.budgetMs;
  const maxCases = options.maxCases ?? Number.POSITIVE_INFINITY;
  const counts = Object.fromEntries(findingKinds.map((k) => [k, 0])) as FindingCounts;
  const stray: unknown[] = [];
  const onStray = (error: unknown) => void stray.push(error);
  process.on('uncaughtException', onStray);
  process.on('unhandledRejection', onStray);
  let cases = 0;
  let packets = 0;
  let caseNo = 0;
  let shrinkRuns = 0;
  let first: { findings: Finding[]; at: number; startedShrink: number } | undefined;
  let last: { draft: CaseDraft; runnable: RunnableCase; findings: Finding[] } | undefined;
  const progress = (): FuzzProgress => ({ cases, packets, elapsedMs: Date.now() - started, counts: { ...counts }, shrinkRuns });
  const searching = () => first === undefined && Date.now() < searchDeadline && cases < maxCases && !options.signal?.aborted;

  const property = fc.asyncProperty(caseArbitrary, async (draft) => {
    // past the budget the rest of a chunk passes at once; past the shrink budget so do shrink candidates
    if (first === undefined && !searching()) return true;
    if (first !== undefined && (Date.now() > first.startedShrink + options.shrinkBudgetMs || options.signal?.aborted)) return true;
    const runnable = planCase(cast, draft, caseNo++);
    const strayBefore = stray.length;
    const findings = await runCase(target, cast, runnable, caseNo, bounds);
    const failure = target.failure();
    if (failure !== undefined) findings.unshift({ kind: 'crash', what: `the broker stopped: ${failure}` });
    for (const error of stray.slice(strayBefore)) findings.unshift({ kind: 'crash', what: `uncaught in the broker's process: ${(error as Error)?.stack?.split('\n').slice(0, 3).join(' | ') ?? String(error)}` });
    if (first === undefined) {
      cases++;
      packets += packetCount(runnable);
      for (const kind of new Set(findings.map((f) => f.kind))) counts[kind]++;
    } else shrinkRuns++;
    options.onProgress?.(progress());
    // the shrink keeps the kind of what was found: a smaller case that only hangs is not the same bypass
    const relevant = first === undefined ? findings : findings.filter((f) => first!.findings.some((g) => g.kind === f.kind));
    if (relevant.length === 0) return true;
    first ??= { findings, at: cases, startedShrink: Date.now() };
    last = { draft, runnable, findings };
    return false;
  });

  try {
    for (let chunk = 0; searching(); chunk++) await fc.check(property, { seed: seed + chunk, numRuns: CHUNK, endOnFailure: false });
  } finally {
    process.off('uncaughtException', onStray);
    process.off('unhandledRejection', onStray);
  }
  const elapsedMs = Date.now() - started;
  const found: FuzzFound | undefined =
    first === undefined || last === undefined
      ? undefined
      : {
          firstFindings: first.findings,
          firstCase: first.at,
          minimal: last.runnable,
          minimalDraft: last.draft,
          minimalFindings: last.findings,
          shrinkRuns,
          shrinkMs: Date.now() - first.startedShrink,
          shrinkCutShort: Date.now() > first.startedShrink + options.shrinkBudgetMs,
        };
  const searchMs = found === undefined ? elapsedMs : elapsedMs - found.shrinkMs;
  return { ...progress(), elapsedMs, casesPerSecond: cases / Math.max(searchMs / 1000, 0.001), interrupted: options.signal?.aborted === true, found };
}
