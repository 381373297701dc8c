/**
 * What the reference service tells the harness as it works. A user's own service tells it
 * nothing; the oracle then judges only what viewers receive.
 */
export type DropReason = 'service-offline' | 'lookup-failed' | 'unknown-device' | 'bad-payload';

/** How the service arrived at an owner: the evidence behind a delivery. */
export interface OwnerTrace {
  /** Ids of the cache operations consulted (see ObservedCache). */
  cacheOps: number[];
  source: 'cache' | 'source-of-truth' | 'history';
  /** Set when a verification layer refused what the cache said. */
  blocked?: BlockedLookup;
}

export interface BlockedLookup {
  layer: 'envelope' | 'source-of-truth';
  deviceId: string;
  /** The owner (or, for envelope, the device) the cache claimed. */
  claimed: string;
  trueOwner: string | undefined;
  cacheOps: number[];
}

export interface BlockedLeak extends BlockedLookup {
  path: 'push' | 'tap';
  eventId: number;
  at: number;
}

export interface ServiceObserver {
  eventReceived(eventId: number): void;
  /** The service's own broker link dropped: whatever was on its way to it is lost. */
  linkClosed(): void;
  eventRouted(eventId: number, accountId: string, trace: OwnerTrace): void;
  eventDropped(eventId: number, reason: DropReason): void;
  blocked(leak: BlockedLeak): void;
  /** A clip was served to `accountId` because the service resolved it as the owner. */
  tapServed(eventId: number, accountId: string, trace: OwnerTrace): void;
}
