import type { TimerEntry, TimerTarget } from '../clock/timer-queue.ts';
import { LeanMqttClient } from '../mqtt/lean-client.ts';
import type { Rng } from '../rng/seeded-rng.ts';
import type { ClientTransport } from '../transport/link.ts';
import { backoffDelay } from './backoff.ts';
import type { FleetContext } from './fleet-context.ts';

/** Timer kinds: CONNECT is this class's; subclasses number theirs from FIRST_OWN_TIMER. */
const CONNECT = 1;
export const FIRST_OWN_TIMER = 2;

/**
 * A fleet member that comes back after every drop by the scenario's backoff policy. Holds two
 * numbers of backoff state; the policy itself is the pure `backoffDelay`.
 */
export abstract class ReconnectingClient extends LeanMqttClient implements TimerTarget {
  protected readonly ctx: FleetContext;
  /** Backoff jitter draws (and whatever else the subclass draws per connection). */
  protected readonly rng: Rng;
  private attempt = 0;
  private previousDelay = 0;
  private reconnectTimer: TimerEntry | null = null;
  protected stopped = false;

  constructor(ctx: FleetContext, rng: Rng, transport: ClientTransport) {
    super(transport);
    this.ctx = ctx;
    this.rng = rng;
  }

  start(connectAt: number): void {
    this.reconnectTimer = this.ctx.clock.at(connectAt, this, CONNECT);
  }

  stop(): void {
    this.stopped = true;
    this.ctx.clock.cancel(this.reconnectTimer);
    if (this.link) this.close();
  }

  /** True while waiting out a backoff delay after a failure. */
  get inBackoff(): boolean {
    return this.attempt > 0 && this.reconnectTimer !== null;
  }

  onTimer(kind: number): void {
    if (this.stopped) return;
    if (kind !== CONNECT) return this.onOwnTimer(kind);
    this.reconnectTimer = null;
    this.beforeConnect(this.attempt > 0);
    this.open();
  }

  protected override onConnected(): void {
    this.attempt = 0;
  }

  /** Schedules the next attempt by the policy; false when the retry budget is spent. */
  protected retry(): boolean {
    if (this.stopped) return false;
    this.attempt++;
    const { backoff, clock } = this.ctx;
    const delay = backoffDelay(backoff, this.attempt, this.attempt === 1 ? backoff.base : this.previousDelay, this.rng);
    if (delay === undefined) return false;
    this.previousDelay = delay;
    this.reconnectTimer = clock.after(delay, this, CONNECT);
    return true;
  }

  protected beforeConnect(_afterFailure: boolean): void {}
  protected onOwnTimer(_kind: number): void {}
}
