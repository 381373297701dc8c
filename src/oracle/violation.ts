import type { CacheOpRecord } from '../history/evidence.ts';

export type ViolationKind = 'foreign-thumbnail' | 'foreign-video' | 'corrupt-media' | 'hostile-leak';

/** The hostile tenant's attempt behind a `hostile-leak` (or the forged media behind a `corrupt-media`). */
export interface ViolationAttempt {
  id: number;
  kind: string;
  /** The filter, topic, client id or username it tried. */
  target: string;
  clientId: string;
  /** The topic the leaked message arrived on. */
  topic?: string;
  /** `embedded`, or the external broker's URL. */
  broker: string;
}

/** One leak, with everything needed to see how it happened. */
export interface Violation {
  kind: ViolationKind;
  eventId: number;
  deviceId: string;
  /** Owner of the device at the event's publish time (ground truth). */
  trueOwner: string;
  /** The account that received the thumbnail or opened the video. */
  receivedBy: string;
  viewer: string;
  publishedAt: number;
  receivedAt: number;
  /** The cache operations behind the wrong owner, when the service under test reported them. */
  cacheOps: CacheOpRecord[];
  /** How the service resolved the owner: cache, source-of-truth, or history. */
  resolvedFrom?: string;
  activeFaults: string[];
  /** For corrupt media: why the watermark did not verify. */
  detail?: string;
  /** Whose fault it is, decided from the history alone once the whole history is in. */
  blame?: Blame;
  /** For a hostile tenant's leak or forged media: the attempt. */
  attempt?: ViolationAttempt;
}

/**
 * Whose fault a violation is. `wrong-key` and `stale` blame the cache (it broke its contract);
 * `service` blames the service under test (the cache returned what it was given); `broker`, the
 * path from the service to the viewer (the service never sent it there); `undetermined` when the
 * history holds no evidence to decide (a user's own service reports no routing).
 */
export type BlameClass = 'wrong-key' | 'stale' | 'service' | 'broker' | 'undetermined';

export const blameClasses: readonly BlameClass[] = ['wrong-key', 'stale', 'service', 'broker', 'undetermined'];

export interface Blame {
  class: BlameClass;
  /** Why, in one sentence a reader can check against the operations quoted. */
  reason: string;
  /** The cache read whose value the service acted on. */
  read?: CacheOpRecord;
  /** The write that produced the value read (for wrong-key: where that value was written). */
  write?: CacheOpRecord;
  /** For stale: the delete or overwrite the value outlived; for service: the invalidation the write straddled. */
  invalidation?: CacheOpRecord;
}

export interface Headline {
  /** Accounts that received at least one thumbnail from a camera they did not own. */
  accountsWithForeignThumbnail: number;
  /** Accounts that opened at least one video from a camera they did not own. */
  accountsOpenedForeignVideo: number;
  /**
   * Accounts that received a foreign thumbnail or opened a foreign video: the incident's "accounts
   * exposed" (absent in older summaries).
   */
  accountsExposed?: number;
  /** Accounts that tapped a leaked thumbnail and were served the foreign video: the incident's "accounts that tapped" (absent in older summaries). */
  accountsTapped?: number;
  /** Devices whose owner's media reached another account. */
  devicesExposed: number;
  /** Foreign thumbnail deliveries, counted once per event and receiving account. */
  foreignDeliveries: number;
  /** The same, counted per viewer session that received one. */
  foreignReceipts: number;
  foreignVideos: number;
  corruptMedia: number;
  /** Media of another account's camera received by a hostile tenant's attempt (absent in older summaries). */
  hostileLeaks?: number;
}

/** Sees every violation as the checker finds it (the run directory's violations.ndjson is written from it). */
export type ViolationListener = (v: Violation) => void;
