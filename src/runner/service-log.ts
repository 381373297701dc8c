import type { Clock } from '../clock/clock.ts';
import type { WorldHooks } from './run-hooks.ts';
import { Flag, type EventLedger } from '../oracle/event-ledger.ts';
import type { Registry } from '../registry/registry.ts';
import type { BlockedLeak, DropReason, OwnerTrace, ServiceObserver } from '../service/service-observer.ts';

const KEEP_BLOCKED = 1000;
const KEEP_TRACES = 200_000;

export interface BlockedSummary {
  total: number;
  push: number;
  tap: number;
  byLayer: Record<string, number>;
  examples: BlockedLeak[];
}

/**
 * What the reference service reports, folded into the ledger. Traces are kept only for
 * deliveries the ground truth says are misrouted: the evidence a violation will quote.
 */
export class ServiceLog implements ServiceObserver {
  private readonly registry: Registry;
  private readonly ledger: EventLedger;
  private readonly clock: Clock;
  private readonly viewersOnline: Uint16Array;
  private readonly hooks: WorldHooks;
  private readonly misroutes = new Map<string, OwnerTrace>();
  readonly blockedSummary: BlockedSummary = { total: 0, push: 0, tap: 0, byLayer: {}, examples: [] };

  constructor(registry: Registry, ledger: EventLedger, clock: Clock, viewersOnline: Uint16Array, hooks: WorldHooks) {
    this.registry = registry;
    this.ledger = ledger;
    this.clock = clock;
    this.viewersOnline = viewersOnline;
    this.hooks = hooks;
  }

  traceOf(kind: 'push' | 'tap', eventId: number, account: string): OwnerTrace | undefined {
    return this.misroutes.get(`${kind}:${eventId}:${account}`);
  }

  linkClosed(): void {
    this.ledger.serviceLinkClosed();
  }

  eventReceived(eventId: number): void {
    this.ledger.set(eventId, Flag.serviceReceived);
  }

  eventRouted(eventId: number, accountId: string, trace: OwnerTrace): void {
    const account = this.registry.indexOfAccount(accountId);
    if (account === undefined) return;
    this.ledger.routed(eventId, account, this.clock.now(), this.viewersOnline[account]);
    this.keepIfMisrouted('push', eventId, account, trace);
    this.hooks.onRouted?.(eventId, accountId, trace.cacheOps);
  }

  tapServed(eventId: number, accountId: string, trace: OwnerTrace): void {
    const account = this.registry.indexOfAccount(accountId);
    if (account !== undefined) this.keepIfMisrouted('tap', eventId, account, trace);
  }

  eventDropped(eventId: number, reason: DropReason): void {
    this.ledger.drop(eventId, reason);
  }

  blocked(leak: BlockedLeak): void {
    const b = this.blockedSummary;
    b.total++;
    b[leak.path]++;
    b.byLayer[leak.layer] = (b.byLayer[leak.layer] ?? 0) + 1;
    if (b.examples.length < KEEP_BLOCKED) b.examples.push(leak);
  }

  private keepIfMisrouted(kind: 'push' | 'tap', eventId: number, account: number, trace: OwnerTrace): void {
    if (eventId >= this.ledger.count) return;
    const truth = this.registry.ownerIndexAt(this.ledger.device[eventId], this.ledger.publishedAt[eventId]);
    if (truth === account || this.misroutes.size >= KEEP_TRACES) return;
    this.misroutes.set(`${kind}:${eventId}:${this.registry.accountIds[account]}`, trace);
  }
}
