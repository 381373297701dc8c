import type { Violation } from '../oracle/violation.ts';

/** Violations gathered under one key (a receiving account, or a leaking device). */
export interface ViolationGroup {
  key: string;
  violations: Violation[];
  thumbnails: number;
  videos: number;
  corrupt: number;
  /** Distinct counterparts: devices for an account group, receiving accounts for a device group. */
  counterparts: string[];
  /** Accounts whose media it was (for an account group) or the device's true owners (for a device group). */
  owners: string[];
  firstAt: number;
  lastAt: number;
}

export interface Dossier {
  /** Violations the report holds (the summary keeps the first ones) and how many there were in all. */
  shown: number;
  total: number;
  byAccount: ViolationGroup[];
  byDevice: ViolationGroup[];
  /** How many violations happened while each fault was active ("none" when none was). */
  byFault: [string, number][];
  /** How the service resolved the wrong owner: cache, source-of-truth, … ("unknown" when not reported). */
  byResolution: [string, number][];
  /** Whose fault: wrong-key, stale, service, broker, undetermined. */
  byBlame: [string, number][];
  /** Cache connections that served the wrong owners, when the adapter names them. */
  byConnection: [string, number][];
}

function group(violations: readonly Violation[], keyOf: (v: Violation) => string, counterpart: (v: Violation) => string, owner: (v: Violation) => string): ViolationGroup[] {
  const groups = new Map<string, ViolationGroup & { c: Set<string>; o: Set<string> }>();
  for (const v of violations) {
    const key = keyOf(v);
    let g = groups.get(key);
    if (g === undefined) {
      g = { key, violations: [], thumbnails: 0, videos: 0, corrupt: 0, counterparts: [], owners: [], firstAt: v.receivedAt, lastAt: v.receivedAt, c: new Set(), o: new Set() };
      groups.set(key, g);
    }
    g.violations.push(v);
    if (v.kind === 'foreign-thumbnail') g.thumbnails++;
    else if (v.kind === 'foreign-video') g.videos++;
    else g.corrupt++;
    g.c.add(counterpart(v));
    g.o.add(owner(v));
    g.firstAt = Math.min(g.firstAt, v.receivedAt);
    g.lastAt = Math.max(g.lastAt, v.receivedAt);
  }
  return [...groups.values()]
    .map(({ c, o, ...g }) => ({ ...g, counterparts: [...c].sort(), owners: [...o].sort() }))
    .sort((a, b) => b.violations.length - a.violations.length || a.key.localeCompare(b.key));
}

function tally(values: Iterable<string>): [string, number][] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Who received whose media: the violations grouped for a reader, largest groups first. */
export function buildDossier(violations: readonly Violation[], total: number): Dossier {
  return {
    shown: violations.length,
    total,
    byAccount: group(violations, (v) => v.receivedBy, (v) => v.deviceId, (v) => v.trueOwner),
    byDevice: group(violations, (v) => v.deviceId, (v) => v.receivedBy, (v) => v.trueOwner),
    byFault: tally(violations.flatMap((v) => (v.activeFaults.length > 0 ? v.activeFaults : ['none']))),
    byResolution: tally(violations.map((v) => v.resolvedFrom ?? 'unknown')),
    byBlame: tally(violations.map((v) => v.blame?.class ?? 'not yet judged')),
    byConnection: tally(violations.flatMap((v) => v.cacheOps.filter((op) => op.connectionId !== undefined).map((op) => `${op.adapter} ${op.connectionId}`))),
  };
}

/** One line per violation, plain text: what leaked, to whom, when. */
export function violationHeadline(v: Violation): string {
  const at = `t=${(v.receivedAt / 1000).toFixed(2)}s`;
  if (v.kind === 'foreign-thumbnail') {
    return `thumbnail of event ${v.eventId} from ${v.deviceId} (owner ${v.trueOwner}) delivered to ${v.receivedBy} (${v.viewer}) at ${at}`;
  }
  if (v.kind === 'foreign-video') {
    return `video of event ${v.eventId} from ${v.deviceId} (owner ${v.trueOwner}) opened by ${v.receivedBy} (${v.viewer}) at ${at}`;
  }
  if (v.kind === 'hostile-leak') return `${hostileLeakText(v)} at ${at}`;
  return `broken watermark received by ${v.receivedBy} (${v.viewer}) at ${at}: ${v.detail ?? ''}${forgedText(v)}`;
}

/** A hostile tenant's leak: what it received, through which attempt, on which topic, from which broker. */
export function hostileLeakText(v: Violation): string {
  const a = v.attempt;
  const how = a === undefined ? '' : ` through attempt ${a.id} (${a.kind} ${a.target}, client id ${a.clientId}, on ${a.topic ?? '?'} via ${a.broker})`;
  return `thumbnail of event ${v.eventId} from ${v.deviceId} (owner ${v.trueOwner}) received by hostile tenant ${v.receivedBy}${how}`;
}

/** For forged media: the hostile attempt that forged it. */
export function forgedText(v: Violation): string {
  return v.attempt === undefined ? '' : ` (forged by hostile attempt ${v.attempt.id}: ${v.attempt.kind} ${v.attempt.target}, client id ${v.attempt.clientId})`;
}

/** The cache operations behind a violation, one line each. */
export function violationEvidence(v: Violation): string[] {
  const lines = v.cacheOps.map(
    (op) =>
      `via ${op.adapter} ${op.op.toUpperCase()} ${op.key} → ${op.value ?? '(miss)'} ` +
      `[op ${op.id}, ${op.outcome}, ${op.latencyMs}ms${op.connectionId ? `, conn ${op.connectionId}` : ''}${op.error ? `, ${op.error}` : ''}]`,
  );
  if (v.cacheOps.length === 0 && v.resolvedFrom) lines.push(`resolved from ${v.resolvedFrom}`);
  if (v.activeFaults.length > 0) lines.push(`active faults: ${v.activeFaults.join(', ')}`);
  lines.push(...blameLines(v));
  return lines;
}

/** Whose fault, and the operations that show it: the write of the value read and what it outlived. */
export function blameLines(v: Violation): string[] {
  const b = v.blame;
  if (b === undefined) return [];
  const lines = [`blame: ${b.class} — ${b.reason}`];
  const at = (op: { startedAt?: number; at: number }) => `${op.startedAt !== undefined ? `${op.startedAt}–` : ''}${op.at} ms`;
  if (b.write) lines.push(`  write: op ${b.write.id} ${b.write.op.toUpperCase()} ${b.write.key} ${b.write.value ?? ''} (${b.write.outcome}, ${at(b.write)})`);
  if (b.invalidation) lines.push(`  ${b.class === 'stale' ? 'outlived' : 'straddled'}: op ${b.invalidation.id} ${b.invalidation.op.toUpperCase()} ${b.invalidation.key} (${b.invalidation.outcome}, ${at(b.invalidation)})`);
  return lines;
}
