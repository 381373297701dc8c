import { required } from '../fault.ts';
import { defineFaultKind } from '../fault-kind.ts';
import { proxiedCacheProblems } from '../shared-checks.ts';
import { spokenDuration } from '../../fields/duration.ts';

/** The chaos proxy in front of the cache turned off: open connections dropped, new ones refused. */
export const cacheOutage = defineFaultKind({
  id: 'cache-outage',
  description: 'Cache unreachable: connections dropped, new ones refused.',
  lasting: 'window',
  storms: false,
  fields: {},
  check: (step, s) => proxiedCacheProblems(step.fault, s),
  create: (step) => ({
    id: 'cache-outage',
    describe: () => `cache unreachable for ${spokenDuration(step.duration)}: connections dropped, new ones refused`,
    inject: (targets) => required(targets.cacheProxy, 'cache-outage', 'a chaos proxy in front of the cache').setEnabled(false),
    heal: (targets) => targets.cacheProxy?.setEnabled(true),
  }),
});
