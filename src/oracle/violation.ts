import type { CacheOpRecord } from '../cache/observed-cache.ts';

export type ViolationKind = 'foreign-thumbnail' | 'foreign-video' | 'corrupt-media';

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
}

export interface Headline {
  /** Accounts that received at least one thumbnail from a camera they did not own. */
  accountsWithForeignThumbnail: number;
  /** Accounts that opened at least one video from a camera they did not own. */
  accountsOpenedForeignVideo: number;
  /** Devices whose owner's media reached another account. */
  devicesExposed: number;
  /** Foreign thumbnail deliveries, counted once per event and receiving account. */
  foreignDeliveries: number;
  /** The same, counted per viewer session that received one. */
  foreignReceipts: number;
  foreignVideos: number;
  corruptMedia: number;
}
