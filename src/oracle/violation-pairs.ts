import { createHash } from 'node:crypto';
import type { Violation } from './violation.ts';

/** How many pairs a summary lists outright (the count and digest cover them all). */
const PAIRS_IN_SUMMARY = 200;

/**
 * The violation set as facts that do not depend on a clock: who received whose media — each
 * distinct (receiving account, device, the device's true owner) of a violation. Event ids,
 * instants, viewers and how many times a pair repeated depend on scheduling (two processes
 * interleave differently); the pairs do not, for a leak whose mechanism is deterministic. So a
 * merged sharded run and one process, same scenario and seed, are compared on these.
 */
export interface ViolationPairsSummary {
  /** Distinct pairs. */
  count: number;
  /** sha256 of the sorted pairs, one `receivedBy deviceId trueOwner` line each. */
  sha256: string;
  /** The first pairs in sorted order (all of them when there are few). */
  pairs: string[];
}

export class ViolationPairs {
  private readonly seen = new Set<string>();

  add(v: Pick<Violation, 'receivedBy' | 'deviceId' | 'trueOwner'>): void {
    this.seen.add(`${v.receivedBy} ${v.deviceId} ${v.trueOwner}`);
  }

  summary(): ViolationPairsSummary {
    const sorted = [...this.seen].sort();
    const hash = createHash('sha256');
    for (const pair of sorted) hash.update(`${pair}\n`);
    return { count: sorted.length, sha256: hash.digest('hex'), pairs: sorted.slice(0, PAIRS_IN_SUMMARY) };
  }
}
