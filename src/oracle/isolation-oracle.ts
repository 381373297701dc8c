import type { CacheOpRecord } from '../cache/observed-cache.ts';
import type { Registry } from '../registry/registry.ts';
import type { Watermarker } from '../registry/watermark.ts';
import type { OwnerTrace } from '../service/service-observer.ts';
import { Flag, type EventLedger } from './event-ledger.ts';
import type { Headline, Violation, ViolationKind } from './violation.ts';

const KEEP_VIOLATIONS = 1000;

export interface OracleSources {
  registry: Registry;
  watermarker: Watermarker;
  ledger: EventLedger;
  /** The trace behind a misrouted delivery or tap, when the service reported one. */
  traceOf(kind: 'push' | 'tap', eventId: number, account: string): OwnerTrace | undefined;
  cacheOp(id: number): CacheOpRecord | undefined;
  activeFaults(): string[];
  now(): number;
}

/**
 * The isolation check, streaming: every thumbnail a viewer receives and every clip it opens is
 * judged the moment it arrives, in O(1), from the watermark and the Registry alone. It never
 * asks the service, the broker or the cache who owns what.
 */
export class IsolationOracle {
  private readonly s: OracleSources;
  readonly violations: Violation[] = [];
  violationCount = 0;
  private readonly foreignPairs = new Set<string>();
  private readonly accountsThumb = new Set<string>();
  private readonly accountsVideo = new Set<string>();
  private readonly devicesExposed = new Set<string>();
  private readonly deliveredPerAccount: Uint32Array;
  private foreignReceipts = 0;
  private foreignVideos = 0;
  private corrupt = 0;
  checks = 0;
  duplicateReceipts = 0;

  constructor(sources: OracleSources) {
    this.s = sources;
    this.deliveredPerAccount = new Uint32Array(sources.registry.accountCount);
  }

  /** A viewer of `account` received this thumbnail. */
  onThumbnail(account: number, viewer: string, thumbnail: Uint8Array): number | undefined {
    this.checks++;
    const { registry, ledger } = this.s;
    const accountId = registry.accountIds[account];
    const check = this.s.watermarker.decode(thumbnail);
    if (!check.ok) {
      this.record('corrupt-media', -1, '?', '?', accountId, viewer, 0, undefined, check.reason);
      return undefined;
    }
    const { deviceId, eventId, publishedAt } = check.watermark;
    const device = registry.indexOfDevice(deviceId);
    if (device === undefined) {
      this.record('corrupt-media', eventId, deviceId, '?', accountId, viewer, publishedAt, undefined, 'unknown device');
      return undefined;
    }
    const owner = registry.ownerIndexAt(device, publishedAt);
    if (owner === account) {
      if (ledger.has(eventId, Flag.deliveredOwn)) this.duplicateReceipts++;
      else this.deliveredPerAccount[account]++;
      ledger.set(eventId, Flag.deliveredOwn);
      return eventId;
    }
    ledger.set(eventId, Flag.deliveredForeign);
    this.foreignReceipts++;
    const pair = `${eventId}>${accountId}`;
    if (!this.foreignPairs.has(pair)) {
      this.foreignPairs.add(pair);
      this.accountsThumb.add(accountId);
      this.devicesExposed.add(deviceId);
      const trace = this.s.traceOf('push', eventId, accountId);
      this.record('foreign-thumbnail', eventId, deviceId, registry.accountIds[owner], accountId, viewer, publishedAt, trace);
    }
    return eventId;
  }

  /** A viewer of `account` opened a clip (HTTP 200 body). */
  onClip(account: number, viewer: string, clip: Uint8Array): void {
    this.checks++;
    const { registry } = this.s;
    const accountId = registry.accountIds[account];
    const check = this.s.watermarker.decode(clip);
    if (!check.ok) {
      this.record('corrupt-media', -1, '?', '?', accountId, viewer, 0, undefined, check.reason);
      return;
    }
    const { deviceId, eventId, publishedAt } = check.watermark;
    const owner = registry.ownerAt(deviceId, publishedAt);
    if (owner === accountId) return;
    this.foreignVideos++;
    this.accountsVideo.add(accountId);
    this.devicesExposed.add(deviceId);
    const trace = this.s.traceOf('tap', eventId, accountId);
    this.record('foreign-video', eventId, deviceId, owner ?? '?', accountId, viewer, publishedAt, trace);
  }

  accountsWithoutDeliveries(): string[] {
    const out: string[] = [];
    this.deliveredPerAccount.forEach((n, i) => {
      if (n === 0) out.push(this.s.registry.accountIds[i]);
    });
    return out;
  }

  headline(): Headline {
    return {
      accountsWithForeignThumbnail: this.accountsThumb.size,
      accountsOpenedForeignVideo: this.accountsVideo.size,
      devicesExposed: this.devicesExposed.size,
      foreignDeliveries: this.foreignPairs.size,
      foreignReceipts: this.foreignReceipts,
      foreignVideos: this.foreignVideos,
      corruptMedia: this.corrupt,
    };
  }

  private record(
    kind: ViolationKind,
    eventId: number,
    deviceId: string,
    trueOwner: string,
    receivedBy: string,
    viewer: string,
    publishedAt: number,
    trace: OwnerTrace | undefined,
    detail?: string,
  ): void {
    this.violationCount++;
    if (kind === 'corrupt-media') this.corrupt++;
    if (this.violations.length >= KEEP_VIOLATIONS) return;
    const cacheOps = (trace?.cacheOps ?? []).map((id) => this.s.cacheOp(id)).filter((op) => op !== undefined);
    this.violations.push({
      kind,
      eventId,
      deviceId,
      trueOwner,
      receivedBy,
      viewer,
      publishedAt,
      receivedAt: Math.round(this.s.now()),
      cacheOps,
      resolvedFrom: trace?.source,
      activeFaults: this.s.activeFaults(),
      detail,
    });
  }
}
