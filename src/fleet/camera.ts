import { eventTopicOf } from '../broker/acl.ts';
import { ClientState } from '../mqtt/lean-client.ts';
import { counterUniform, createRng, streamSeed } from '../rng/seeded-rng.ts';
import { encodeEventPayload } from './event-payload.ts';
import type { FleetContext } from './fleet-context.ts';
import { FIRST_OWN_TIMER, ReconnectingClient } from './reconnecting-client.ts';

const EVENT = FIRST_OWN_TIMER;
const SNAPSHOT = FIRST_OWN_TIMER + 1;
/** A camera uploads its online snapshot within this much scenario time after connecting. */
const SNAPSHOT_SPREAD = 1000;

/**
 * A virtual camera: connects with its derived credentials, publishes motion events with a
 * watermarked thumbnail at seeded Poisson times, and reconnects by its backoff policy.
 * Kept small on purpose (see bench: client-side heap per camera): numbers and shared references
 * only, timers in the shared queue, its own RNG stream derived from seed + device id.
 */
export class Camera extends ReconnectingClient {
  readonly index: number;
  /** Motion events come from a separate, stateless stream: k-th event time = f(seed, id, k). */
  private readonly eventStream: number;
  private eventSeq = 0;

  constructor(ctx: FleetContext, index: number) {
    super(ctx, createRng(ctx.seed, ctx.registry.deviceIds[index]), ctx.cameraTransport);
    this.index = index;
    this.eventStream = streamSeed(ctx.seed, `events:${ctx.registry.deviceIds[index]}`);
  }

  get clientId(): string {
    return this.ctx.registry.deviceIds[this.index];
  }

  protected credentials(): [string, string] {
    const id = this.clientId;
    return [id, this.ctx.credentials.password(id)];
  }

  protected override keepaliveSeconds(): number {
    return this.ctx.keepalive;
  }

  /** First connect at `connectAt` (the ramp spreads them), first motion a seeded draw later. */
  override start(connectAt: number): void {
    super.start(connectAt);
    this.ctx.clock.at(connectAt + this.nextEventGap(), this, EVENT);
  }

  /** Poisson arrivals: exponential gaps with the configured mean. */
  private nextEventGap(): number {
    return -Math.log(1 - counterUniform(this.eventStream, this.eventSeq++)) * this.ctx.eventInterval;
  }

  protected override beforeConnect(afterFailure: boolean): void {
    if (afterFailure) this.ctx.stats.camerasInBackoff--;
    this.ctx.stats.connectAttempts++;
  }

  protected override onOwnTimer(kind: number): void {
    if (kind === EVENT) this.motion();
    else if (kind === SNAPSHOT && this.state === ClientState.connected) this.publishEvent(this.ctx.retainSnapshots === true);
  }

  /** A retained snapshot is cleared as the camera leaves (an empty retained message [MQTT-3.3.1-10]): a broker that outlives the run keeps none for the next. */
  override stop(): void {
    if (this.ctx.retainSnapshots === true) this.publish(eventTopicOf(this.clientId), Buffer.alloc(0), true);
    super.stop();
  }

  private motion(): void {
    if (Math.floor(this.ctx.clock.now()) >= this.ctx.eventsStopAt) return;
    this.publishEvent();
    this.ctx.clock.after(this.nextEventGap(), this, EVENT);
  }

  /** One event with its watermarked thumbnail; skipped (and counted) while offline. */
  private publishEvent(retain = false): void {
    const { clock, history, stats } = this.ctx;
    // floor, and transfers take effect at floor(now) + 1: an event is never stamped at or after
    // a transfer that had not yet happened when it was published
    const now = Math.floor(clock.now());
    if (now >= this.ctx.eventsStopAt) return;
    const eventId = history.newEventId();
    const thumbnail = this.ctx.watermarker.encode({ kind: 'thumb', deviceId: this.clientId, eventId, publishedAt: now });
    const sent = this.publish(eventTopicOf(this.clientId), encodeEventPayload(eventId, now, thumbnail), retain);
    history.record({ op: 'publish', t: now, ev: eventId, dev: this.index, sent, serviceReady: sent && this.ctx.serviceReady() });
    if (sent) stats.eventsPublished++;
    else stats.eventsSkippedOffline++;
  }

  protected override onConnected(): void {
    const { stats, history, clock } = this.ctx;
    stats.camerasConnected++;
    super.onConnected();
    history.record({ op: 'connect', t: Math.round(clock.now()), dev: this.index, rt: history.realTime() });
    // a camera coming online uploads a fresh snapshot, as real ones do after a power or network
    // loss: every camera shows up in its owner's app soon after each (re)connect — spread over a
    // second, as boot times are, rather than inside the connect herd itself
    this.ctx.clock.after(this.rng.next() * SNAPSHOT_SPREAD, this, SNAPSHOT);
  }

  protected override onRefused(): void {
    this.ctx.stats.refusedConnacks++;
  }

  protected override onDisconnected(wasConnected: boolean, closedByUs: boolean): void {
    const { stats, history, clock } = this.ctx;
    const t = Math.round(clock.now());
    if (wasConnected) stats.camerasConnected--;
    history.record({ op: wasConnected ? 'disconnect' : 'connect-failed', t, dev: this.index });
    if (closedByUs || this.stopped) return;
    if (this.retry()) stats.camerasInBackoff++;
    else stats.camerasGaveUp++;
  }
}
