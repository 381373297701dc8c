import type { Clock } from '../clock/clock.ts';
import type { HistoryRecorder } from '../history/history-recorder.ts';
import type { Registry } from '../registry/registry.ts';
import type { BlockedLeak, DropReason, OwnerTrace } from '../history/evidence.ts';
import type { ServiceObserver } from '../service/service-observer.ts';
import type { WorldHooks } from './run-hooks.ts';

/**
 * What the reference service reports, recorded in the history as it happens. The checker
 * folds it into the ledger and keeps the traces behind misrouted deliveries as evidence.
 */
export class ServiceLog implements ServiceObserver {
  private readonly registry: Registry;
  private readonly history: HistoryRecorder;
  private readonly clock: Clock;
  private readonly hooks: WorldHooks;

  constructor(registry: Registry, history: HistoryRecorder, clock: Clock, hooks: WorldHooks) {
    this.registry = registry;
    this.history = history;
    this.clock = clock;
    this.hooks = hooks;
  }

  private now(): number {
    return Math.round(this.clock.now());
  }

  linkClosed(): void {
    this.history.record({ op: 'service-link-closed', t: this.now() });
  }

  eventReceived(eventId: number, retained = false): void {
    this.history.record(retained ? { op: 'service-received', t: this.now(), ev: eventId, retained } : { op: 'service-received', t: this.now(), ev: eventId });
  }

  eventRouted(eventId: number, accountId: string, trace: OwnerTrace): void {
    const account = this.registry.indexOfAccount(accountId);
    if (account === undefined) return;
    this.history.record({ op: 'route', t: this.now(), ev: eventId, acct: account, src: trace.source, cacheOps: trace.cacheOps });
    this.hooks.onRouted?.(eventId, accountId, trace.cacheOps);
  }

  tapServed(eventId: number, accountId: string, trace: OwnerTrace): void {
    const account = this.registry.indexOfAccount(accountId);
    if (account === undefined) return;
    this.history.record({ op: 'tap-served', t: this.now(), ev: eventId, acct: account, src: trace.source, cacheOps: trace.cacheOps });
  }

  eventDropped(eventId: number, reason: DropReason): void {
    this.history.record({ op: 'drop', t: this.now(), ev: eventId, reason });
  }

  blocked(leak: BlockedLeak): void {
    this.history.record({ op: 'blocked', t: leak.at, ...leak });
  }
}
