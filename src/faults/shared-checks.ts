import type { FaultCheckContext, StepProblem } from './fault-kind.ts';

/**
 * Checks several fault kinds share: what the cache must be for a fault to act on it, and a share
 * of the fleet that would pick no one. Each names the fault as the step wrote it.
 */

/** A fault on the cache's connections or server needs a cache that has them. */
export function inProcessCacheProblem(fault: string, s: FaultCheckContext): StepProblem | undefined {
  if (s.cache.runs !== 'in-process') return undefined;
  return { path: ['fault'], message: `${fault} needs a network cache adapter; ${s.cache.adapter} runs in-process` };
}

/** Latency, outages and resets act through the chaos proxy in front of the cache server. */
export function proxiedCacheProblems(fault: string, s: FaultCheckContext): StepProblem[] {
  const problem = inProcessCacheProblem(fault, s) ?? (s.cache.proxy ? undefined : { path: ['fault'], message: `${fault} acts through the chaos proxy, which cache.proxy: false turns off` });
  return problem ? [problem] : [];
}

/** cache.url with a network adapter: the server is the user's, and crosswire may not flush or restart it. */
export function namesUserServer(s: FaultCheckContext): boolean {
  return s.cache.url !== undefined && s.cache.runs === 'server';
}

/** A share of 0 picks no device: the fault would do nothing. */
export function emptyShareProblems(fault: string, share: number | undefined): StepProblem[] {
  return share === 0 ? [{ path: ['share'], message: `expected a share > 0, found 0: a ${fault} of no device does nothing` }] : [];
}
