import { required } from '../fault.ts';
import { defineFaultKind } from '../fault-kind.ts';
import { inProcessCacheProblem } from '../shared-checks.ts';
import { spokenDuration } from '../../fields/duration.ts';

/** The private cache server itself stopped, and started empty on the same port at heal (no proxy involved). */
export const cacheRestart = defineFaultKind({
  id: 'cache-restart',
  description: 'The private cache server stopped, started empty on the same port at heal.',
  lasting: 'window',
  storms: false,
  fields: {},
  check(step, s) {
    const problem =
      inProcessCacheProblem(step.fault, s) ??
      (s.cache.url !== undefined ? { path: ['fault'], message: `${step.fault} restarts the private server crosswire starts, and cache.url names a server it did not start` } : undefined);
    return problem ? [problem] : [];
  },
  create: (step) => ({
    id: 'cache-restart',
    describe: () => `cache server stopped for ${spokenDuration(step.duration)}, then started empty on the same port`,
    inject: (targets) => required(targets.cacheServer, 'cache-restart', 'a private cache server').stop(),
    heal: (targets) => targets.cacheServer?.start(),
  }),
});
