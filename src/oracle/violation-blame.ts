import type { CacheBlame } from './cache-blame.ts';
import type { HostileTracker } from './hostile-tracker.ts';
import type { Blame, Violation } from './violation.ts';

/** What blame reads of a violation (an unkept one holds no more than this). */
export type BlameInput = Pick<Violation, 'kind' | 'resolvedFrom' | 'receivedBy' | 'detail' | 'cacheOps' | 'attempt' | 'eventId'>;

/** What the checker knows that decides a violation's blame, besides the violation itself. */
export interface BlameContext {
  hostile: HostileTracker;
  cacheBlame: CacheBlame;
  /** The service under test reports its routing (`service-*` ops) in this history. */
  serviceReports: boolean;
  /** Some routing traces were not kept (too many misroutes to hold them all). */
  tracesDropped: boolean;
}

/** Whose fault a violation is, from the history alone: a hostile attempt, the media, the service, the broker or the cache read. */
export function blameOfViolation(v: BlameInput, context: BlameContext): Blame {
  // forged media can reach a viewer before its attempt's op: the violation names it once the history is in
  context.hostile.nameForger(v);
  const hostile = context.hostile.blameOf(v);
  if (hostile !== undefined) return hostile;
  if (v.kind === 'corrupt-media') {
    return { class: 'undetermined', reason: `the media's watermark did not verify (${v.detail ?? 'unknown'}): its bytes were altered on the way to the viewer` };
  }
  if (v.resolvedFrom === undefined) {
    if (!context.serviceReports) return { class: 'undetermined', reason: 'the service under test reports no routing, so the history cannot say where the owner came from' };
    if (context.tracesDropped) return { class: 'undetermined', reason: 'the trace behind this delivery was not kept (too many misroutes to hold them all)' };
    const path = v.kind === 'foreign-video' ? 'served the clip to' : 'routed the event to';
    return { class: 'broker', reason: `the service never ${path} ${v.receivedBy}: it reached that account by another path (the broker or the transport)` };
  }
  if (v.resolvedFrom !== 'cache') {
    return { class: 'service', reason: `the service resolved the owner from ${v.resolvedFrom}, without the cache's answer, and still chose ${v.receivedBy}` };
  }
  const read = v.cacheOps.findLast((op) => op.op === 'get' && op.outcome === 'hit');
  if (read === undefined) return { class: 'undetermined', reason: 'the cache read behind this delivery is no longer held (it is too far back in the history)' };
  return context.cacheBlame.blameRead(read);
}
