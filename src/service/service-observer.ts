import type { BlockedLeak, DropReason, OwnerTrace } from '../history/evidence.ts';

/**
 * What the reference service tells the harness as it works (its records are history evidence).
 * A user's own service tells it nothing; the oracle then judges only what viewers receive.
 */
export interface ServiceObserver {
  /** `retained`: a stored message the broker replayed on (re)subscribing, not a live one. */
  eventReceived(eventId: number, retained?: boolean): void;
  /** The service's own broker link dropped: whatever was on its way to it is lost. */
  linkClosed(): void;
  eventRouted(eventId: number, accountId: string, trace: OwnerTrace): void;
  eventDropped(eventId: number, reason: DropReason): void;
  blocked(leak: BlockedLeak): void;
  /** A clip was served to `accountId` because the service resolved it as the owner. */
  tapServed(eventId: number, accountId: string, trace: OwnerTrace): void;
}
