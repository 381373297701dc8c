/**
 * Per-event bookkeeping in typed arrays (a million events cost a few tens of MB, not objects):
 * who published it, when, what the service did with it, who received it. At the end every
 * published event must be delivered, dropped for a stated reason, or indeterminate for a
 * stated reason; anything else is an accounting gap and the run cannot be called PASS.
 */
export const Flag = {
  published: 1,
  serviceUnready: 2,
  serviceReceived: 4,
  routed: 8,
  deliveredOwn: 16,
  deliveredForeign: 32,
  inFlightAtClose: 64,
  dropped: 128,
  serviceLinkClosed: 256,
} as const;

export const dropReasons = ['service-offline', 'lookup-failed', 'unknown-device', 'bad-payload', 'no-viewer-online'] as const;
export type LedgerDropReason = (typeof dropReasons)[number];

export const indeterminateReasons = [
  'camera-link-closed-in-flight',
  'service-link-closed-in-flight',
  'viewer-link-closed-in-flight',
  'unfinished-at-end',
] as const;
export type IndeterminateReason = (typeof indeterminateReasons)[number];

export interface Accounting {
  published: number;
  delivered: number;
  dropped: Record<LedgerDropReason, number>;
  indeterminate: Record<IndeterminateReason, number>;
  /** Events that vanished with no explanation: any above zero makes the run INCONCLUSIVE. */
  gap: number;
  gapExamples: number[];
  skippedOffline: number;
  /** Cameras for which delivered + dropped + indeterminate = published fails. */
  camerasWithGap: number;
}

export class EventLedger {
  private capacity = 0;
  count = 0;
  device = new Int32Array(0);
  publishedAt = new Float64Array(0);
  flags = new Uint16Array(0);
  /** Events below this id were already judged by an earlier service link drop. */
  private serviceScanFrom = 0;
  routedTo = new Int32Array(0);
  routedAt = new Float64Array(0);
  dropReason = new Uint8Array(0);
  onlineViewersAtRouting = new Uint16Array(0);

  newEvent(device: number, at: number): number {
    if (this.count === this.capacity) this.grow();
    const id = this.count++;
    this.device[id] = device;
    this.publishedAt[id] = at;
    this.routedTo[id] = -1;
    return id;
  }

  set(id: number, flag: number): void {
    if (id >= 0 && id < this.count) this.flags[id] |= flag;
  }

  has(id: number, flag: number): boolean {
    return (this.flags[id] & flag) !== 0;
  }

  routed(id: number, account: number, at: number, onlineViewers: number): void {
    if (id < 0 || id >= this.count) return;
    this.flags[id] |= Flag.routed;
    this.routedTo[id] = account;
    this.routedAt[id] = at;
    this.onlineViewersAtRouting[id] = Math.min(onlineViewers, 65535);
  }

  /**
   * The service lost its link: every published event it has not received is in flight and
   * lost (QoS 0, clean session). Exact, not a time window; scans only what came since the last drop.
   */
  serviceLinkClosed(): void {
    for (let id = this.serviceScanFrom; id < this.count; id++) {
      const f = this.flags[id];
      if ((f & Flag.published) !== 0 && (f & Flag.serviceReceived) === 0) this.flags[id] = f | Flag.serviceLinkClosed;
    }
    this.serviceScanFrom = this.count;
  }

  drop(id: number, reason: LedgerDropReason): void {
    if (id < 0 || id >= this.count) return;
    this.flags[id] |= Flag.dropped;
    this.dropReason[id] = dropReasons.indexOf(reason);
  }

  /**
   * Final accounting. `viewerDroppedNear(account, from, to)` says whether a viewer of the
   * account lost its link while the event was on its way. `owed(id)` is told of each event an
   * honest pipeline owed its owner: delivered (to anyone), dropped by a failed or wrong lookup,
   * or gone with no explanation — not one dropped because no viewer was online or the service
   * was down, nor one lost with a link that closed while it was in flight.
   */
  account(
    deviceCount: number,
    viewerDroppedNear: (account: number, routedAt: number) => boolean,
    owed: (id: number) => void = () => {},
  ): Accounting {
    const result: Accounting = {
      published: 0,
      delivered: 0,
      dropped: Object.fromEntries(dropReasons.map((r) => [r, 0])) as Record<LedgerDropReason, number>,
      indeterminate: Object.fromEntries(indeterminateReasons.map((r) => [r, 0])) as Record<IndeterminateReason, number>,
      gap: 0,
      gapExamples: [],
      skippedOffline: 0,
      camerasWithGap: 0,
    };
    const cameraGap = new Uint8Array(deviceCount);
    for (let id = 0; id < this.count; id++) {
      const f = this.flags[id];
      if ((f & Flag.published) === 0) {
        result.skippedOffline++;
        continue;
      }
      result.published++;
      if (f & (Flag.deliveredOwn | Flag.deliveredForeign)) {
        result.delivered++;
        owed(id);
      } else if (f & Flag.dropped) {
        const reason = dropReasons[this.dropReason[id]];
        result.dropped[reason]++;
        if (reason === 'lookup-failed' || reason === 'unknown-device') owed(id);
      } else if ((f & Flag.serviceReceived) === 0) {
        if (f & Flag.serviceUnready) result.dropped['service-offline']++;
        else if (f & Flag.serviceLinkClosed) result.indeterminate['service-link-closed-in-flight']++;
        else if (f & Flag.inFlightAtClose) result.indeterminate['camera-link-closed-in-flight']++;
        else this.noteGap(result, cameraGap, id, owed);
      } else if (f & Flag.routed) {
        if (this.onlineViewersAtRouting[id] === 0) result.dropped['no-viewer-online']++;
        else if (viewerDroppedNear(this.routedTo[id], this.routedAt[id])) result.indeterminate['viewer-link-closed-in-flight']++;
        else this.noteGap(result, cameraGap, id, owed);
      } else {
        result.indeterminate['unfinished-at-end']++;
      }
    }
    for (let d = 0; d < deviceCount; d++) result.camerasWithGap += cameraGap[d];
    return result;
  }

  private noteGap(result: Accounting, cameraGap: Uint8Array, id: number, owed: (id: number) => void): void {
    owed(id);
    result.gap++;
    cameraGap[this.device[id]] = 1;
    if (result.gapExamples.length < 20) result.gapExamples.push(id);
  }

  private grow(): void {
    const capacity = Math.max(1024, this.capacity * 2);
    const grow = <T extends Int32Array | Float64Array | Uint8Array | Uint16Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.device = grow(this.device, (n) => new Int32Array(n));
    this.publishedAt = grow(this.publishedAt, (n) => new Float64Array(n));
    this.flags = grow(this.flags, (n) => new Uint16Array(n));
    this.routedTo = grow(this.routedTo, (n) => new Int32Array(n));
    this.routedAt = grow(this.routedAt, (n) => new Float64Array(n));
    this.dropReason = grow(this.dropReason, (n) => new Uint8Array(n));
    this.onlineViewersAtRouting = grow(this.onlineViewersAtRouting, (n) => new Uint16Array(n));
    this.capacity = capacity;
  }
}
