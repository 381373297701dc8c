import type { CacheOpRecord, OwnerTrace } from '../history/evidence.ts';
import type { MediaOp } from '../history/history-op.ts';
import type { Registry } from '../registry/registry.ts';
import { Flag, type EventLedger } from './event-ledger.ts';
import type { Headline, Violation, ViolationAttempt, ViolationKind } from './violation.ts';

const KEEP_VIOLATIONS = 1000;

export interface OracleSources {
  registry: Registry;
  ledger: EventLedger;
  /** The trace behind a misrouted delivery or tap, when the service reported one. */
  traceOf(kind: 'push' | 'tap', eventId: number, account: string): OwnerTrace | undefined;
  cacheOp(id: number): CacheOpRecord | undefined;
  activeFaults(): string[];
  /** How many violations to keep in memory with their evidence (default 1000). */
  keepViolations?: number;
  /** Sees every violation as it is found, the ones beyond those kept in memory too (`kept` says which). */
  onViolation?(v: Violation, kept: boolean): void;
}

/**
 * The isolation check, streaming: every thumbnail a viewer receives and every clip it opens is
 * judged the moment it arrives, in O(1), from its watermark (as the viewer decoded it) and the
 * Registry alone. It never asks the service, the broker or the cache who owns what.
 */
export class IsolationOracle {
  private readonly s: OracleSources;
  readonly violations: Violation[] = [];
  violationCount = 0;
  private readonly foreignPairs = new Set<string>();
  private readonly hostilePairs = new Set<string>();
  private readonly accountsThumb = new Set<string>();
  private readonly accountsVideo = new Set<string>();
  /** Accounts that received a foreign thumbnail or opened a foreign video: the incident's "exposed". */
  private readonly accountsExposed = new Set<string>();
  private readonly devicesExposed = new Set<string>();
  private readonly deliveredPerAccount: Uint32Array;
  private foreignReceipts = 0;
  private foreignVideos = 0;
  private corrupt = 0;
  private hostileLeaks = 0;
  checks = 0;
  duplicateReceipts = 0;

  constructor(sources: OracleSources) {
    this.s = sources;
    this.deliveredPerAccount = new Uint32Array(sources.registry.accountCount);
  }

  /** A viewer received a thumbnail. */
  onThumbnail(m: MediaOp, forgedBy?: ViolationAttempt): void {
    this.checks++;
    const { registry, ledger } = this.s;
    const accountId = registry.accountIds[m.acct];
    if ('bad' in m) {
      this.record('corrupt-media', -1, '?', '?', accountId, m, 0, undefined, m.bad, forgedBy);
      return;
    }
    const device = registry.indexOfDevice(m.dev);
    if (device === undefined) {
      this.record('corrupt-media', m.ev, m.dev, '?', accountId, m, m.publishedAt, undefined, 'unknown device');
      return;
    }
    const owner = registry.ownerIndexAt(device, m.publishedAt);
    if (owner === m.acct) {
      if (ledger.has(m.ev, Flag.deliveredOwn)) this.duplicateReceipts++;
      else this.deliveredPerAccount[m.acct]++;
      ledger.set(m.ev, Flag.deliveredOwn);
      return;
    }
    ledger.set(m.ev, Flag.deliveredForeign);
    this.foreignReceipts++;
    const pair = `${m.ev}>${accountId}`;
    if (!this.foreignPairs.has(pair)) {
      this.foreignPairs.add(pair);
      this.accountsThumb.add(accountId);
      this.accountsExposed.add(accountId);
      this.devicesExposed.add(m.dev);
      const trace = this.s.traceOf('push', m.ev, accountId);
      this.record('foreign-thumbnail', m.ev, m.dev, registry.accountIds[owner], accountId, m, m.publishedAt, trace);
    }
  }

  /** A viewer opened a clip (HTTP 200 body). */
  onClip(m: MediaOp): void {
    this.checks++;
    const { registry } = this.s;
    const accountId = registry.accountIds[m.acct];
    if ('bad' in m) {
      this.record('corrupt-media', -1, '?', '?', accountId, m, 0, undefined, m.bad);
      return;
    }
    const owner = registry.ownerAt(m.dev, m.publishedAt);
    if (owner === accountId) return;
    this.foreignVideos++;
    this.accountsVideo.add(accountId);
    this.accountsExposed.add(accountId);
    this.devicesExposed.add(m.dev);
    const trace = this.s.traceOf('tap', m.ev, accountId);
    this.record('foreign-video', m.ev, m.dev, owner ?? '?', accountId, m, m.publishedAt, trace);
  }

  /**
   * A hostile tenant's attempt received verified media: a leak when its account did not own the
   * camera when the event was published (whatever it owns now). True when it was one.
   */
  onHostileMedia(m: { t: number; acct: number; viewer: string; ev: number; dev: string; publishedAt: number }, attempt: ViolationAttempt): boolean {
    this.checks++;
    const { registry } = this.s;
    const device = registry.indexOfDevice(m.dev);
    if (device === undefined) return false;
    const owner = registry.ownerIndexAt(device, m.publishedAt);
    if (owner === m.acct) return false;
    const accountId = registry.accountIds[m.acct];
    // one violation per event and attempt: a wildcard filter can match the event on two topics, and
    // QoS 1 may deliver it again (the attempt's own tally still counts every receipt)
    const pair = `${m.ev}>${attempt.id}`;
    if (this.hostilePairs.has(pair)) return true;
    this.hostilePairs.add(pair);
    this.hostileLeaks++;
    this.accountsExposed.add(accountId);
    this.devicesExposed.add(m.dev);
    // the service may have routed it to the attacker's own account (a cache leak); else only the broker could
    const trace = this.s.traceOf('push', m.ev, accountId);
    const media: MediaOp = { op: 'thumbnail', t: m.t, acct: m.acct, viewer: m.viewer, ev: m.ev, dev: m.dev, publishedAt: m.publishedAt };
    this.record('hostile-leak', m.ev, m.dev, registry.accountIds[owner], accountId, media, m.publishedAt, trace, undefined, attempt);
    return true;
  }

  /**
   * Accounts that received none of their own thumbnails although a camera they owned published
   * one to the service (`expected`); an account that owned no publishing camera had nothing to get.
   */
  accountsWithoutDeliveries(expected?: Uint8Array): string[] {
    const out: string[] = [];
    this.deliveredPerAccount.forEach((n, i) => {
      if (n === 0 && (expected === undefined || expected[i] === 1)) out.push(this.s.registry.accountIds[i]);
    });
    return out;
  }

  headline(): Headline {
    return {
      accountsWithForeignThumbnail: this.accountsThumb.size,
      accountsOpenedForeignVideo: this.accountsVideo.size,
      accountsExposed: this.accountsExposed.size,
      accountsTapped: this.accountsVideo.size,
      devicesExposed: this.devicesExposed.size,
      foreignDeliveries: this.foreignPairs.size,
      foreignReceipts: this.foreignReceipts,
      foreignVideos: this.foreignVideos,
      corruptMedia: this.corrupt,
      ...(this.hostileLeaks > 0 && { hostileLeaks: this.hostileLeaks }),
    };
  }

  private record(
    kind: ViolationKind,
    eventId: number,
    deviceId: string,
    trueOwner: string,
    receivedBy: string,
    media: MediaOp,
    publishedAt: number,
    trace: OwnerTrace | undefined,
    detail?: string,
    attempt?: ViolationAttempt,
  ): void {
    this.violationCount++;
    if (kind === 'corrupt-media') this.corrupt++;
    const kept = this.violations.length < (this.s.keepViolations ?? KEEP_VIOLATIONS);
    if (!kept && this.s.onViolation === undefined) return;
    const cacheOps = (trace?.cacheOps ?? []).map((id) => this.s.cacheOp(id)).filter((op) => op !== undefined);
    const violation: Violation = {
      kind,
      eventId,
      deviceId,
      trueOwner,
      receivedBy,
      viewer: media.viewer,
      publishedAt,
      receivedAt: media.t,
      cacheOps,
      resolvedFrom: trace?.source,
      activeFaults: this.s.activeFaults(),
      detail,
      ...(attempt && { attempt }),
    };
    if (kept) this.violations.push(violation);
    this.s.onViolation?.(violation, kept);
  }
}
