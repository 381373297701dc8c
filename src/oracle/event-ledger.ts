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
  /**
   * A shard numbers its events `slot * stride + offset` (offset = its index, stride = the shard
   * count), so ids are unique across the shards of one run; its ledger holds only its own. An
   * unsharded run and a merged history have stride 1, offset 0: ids are slots.
   */
  readonly stride: number;
  readonly offset: number;
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

  constructor(offset = 0, stride = 1) {
    this.offset = offset;
    this.stride = stride;
  }

  /** The slot of an event id in this ledger, or -1 when it is not one of its events. */
  slot(ev: number): number {
    if (this.stride === 1) return ev >= 0 && ev < this.count ? ev : -1;
    const k = ev - this.offset;
    if (k < 0 || k % this.stride !== 0) return -1;
    const slot = k / this.stride;
    return slot < this.count ? slot : -1;
  }

  /** The event id held in a slot. */
  eventOf(slot: number): number {
    return slot * this.stride + this.offset;
  }

  /** Device and publish time of one of this ledger's events, or undefined. */
  meta(ev: number): { device: number; publishedAt: number } | undefined {
    const slot = this.slot(ev);
    return slot < 0 ? undefined : { device: this.device[slot], publishedAt: this.publishedAt[slot] };
  }

  /** Records a new event; returns its id. */
  newEvent(device: number, at: number): number {
    if (this.count === this.capacity) this.grow();
    const slot = this.count++;
    this.device[slot] = device;
    this.publishedAt[slot] = at;
    this.routedTo[slot] = -1;
    return this.eventOf(slot);
  }

  set(ev: number, flag: number): void {
    const id = this.slot(ev);
    if (id >= 0) this.flags[id] |= flag;
  }

  has(ev: number, flag: number): boolean {
    const id = this.slot(ev);
    return id >= 0 && (this.flags[id] & flag) !== 0;
  }

  routed(ev: number, account: number, at: number, onlineViewers: number): void {
    const id = this.slot(ev);
    if (id < 0) return;
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

  /**
   * One of several service instances lost its link (a merged sharded run): only events of the
   * cameras it served were on their way to it. Scans every slot (instances drop rarely).
   */
  serviceLinkClosedFor(servedBy: (device: number) => boolean): void {
    for (let id = 0; id < this.count; id++) {
      const f = this.flags[id];
      if ((f & Flag.published) !== 0 && (f & Flag.serviceReceived) === 0 && servedBy(this.device[id])) this.flags[id] = f | Flag.serviceLinkClosed;
    }
  }

  drop(ev: number, reason: LedgerDropReason): void {
    const id = this.slot(ev);
    if (id < 0) return;
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
    /** Called with the event's slot (read `device` and `publishedAt` at it). */
    owed: (slot: number) => void = () => {},
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
    if (result.gapExamples.length < 20) result.gapExamples.push(this.eventOf(id));
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
