/** Faults that take the broker itself down: every link is cut at once, app sessions' included. */
const BROKER_DOWN_FAULTS: ReadonlySet<string> = new Set(['broker-outage', 'broker-restart']);

/**
 * When each account's app sessions lost their links, for judging a routed event that never
 * arrived. A viewer's drop is recorded when the viewer hears of it. When a broker outage cuts
 * 100k links at once, the last viewers hear of it seconds later. So a drop heard after a broker
 * outage began is dated from the outage, if the account's viewers were all up before it
 * began. The link was dead from the cut until the viewer heard. Anything routed to it in that
 * span, or within the in-flight allowance either side, was on its way when the link dropped.
 */
export class ViewerDrops {
  private readonly window: number;
  /** Per account, flat [lostAt, heardAt] pairs (scenario ms). */
  private readonly spans = new Map<number, number[]>();
  private readonly lastUpAt: Float64Array;
  private brokerDownAt = -Infinity;

  constructor(accounts: number, inFlightWindow: number) {
    this.window = inFlightWindow;
    this.lastUpAt = new Float64Array(accounts).fill(-Infinity);
  }

  /** An `outage-began` op: recorded as the fault starts cutting links, before the drops are heard. */
  outageBegan(fault: string, t: number): void {
    if (BROKER_DOWN_FAULTS.has(fault)) this.brokerDownAt = t;
  }

  up(account: number, t: number): void {
    this.lastUpAt[account] = t;
  }

  down(account: number, heardAt: number): void {
    // an outage that began before one of the account's viewers came up may not be this drop's cause
    const cut = this.brokerDownAt > this.lastUpAt[account] ? Math.min(heardAt, this.brokerDownAt) : heardAt;
    const spans = this.spans.get(account);
    if (spans === undefined) this.spans.set(account, [cut, heardAt]);
    else spans.push(cut, heardAt);
  }

  /** Did a viewer of the account lose its link while an event routed at `routedAt` was on its way? */
  droppedNear(account: number, routedAt: number): boolean {
    const spans = this.spans.get(account);
    if (spans === undefined) return false;
    for (let i = 0; i < spans.length; i += 2) {
      if (routedAt >= spans[i] - this.window && routedAt <= spans[i + 1] + this.window) return true;
    }
    return false;
  }
}
