import { SERVICE_EVENT_FILTER, accountTopicOf } from '../broker/acl.ts';
import type { Clock } from '../clock/clock.ts';
import type { TimerTarget } from '../clock/timer-queue.ts';
import { readEventHeader } from '../fleet/event-payload.ts';
import { ClientState, LeanMqttClient } from '../mqtt/lean-client.ts';
import type { Credentials } from '../registry/credentials.ts';
import { serviceUsername } from '../registry/credentials.ts';
import type { ClientTransport } from '../transport/link.ts';
import type { OwnerResolver } from './owner-resolver.ts';
import type { ServiceObserver } from './service-observer.ts';

const SUBSCRIBE_ID = 1;
const RECONNECT = 1;
/** The service is infrastructure: it retries quickly and without jitter. */
const RECONNECT_DELAY = 100;

/**
 * The system under test, push path: device event → owner(device) through the cache →
 * publish the thumbnail to `accounts/{owner}/events`. It forwards the payload unchanged.
 */
export class ReferenceService extends LeanMqttClient implements TimerTarget {
  private readonly name = serviceUsername('reference');
  private readonly credentialsSource: Credentials;
  private readonly resolver: OwnerResolver;
  private readonly observer: ServiceObserver;
  private readonly clock: Clock;
  /** Subscribed: events published from now on reach the service. */
  ready = false;
  private stopped = false;
  connects = 0;
  /** Which instance of a service fleet this is (client id `…~<instance>`), and the event topics it takes. */
  private readonly instance: number;
  private readonly filters: string[];

  /**
   * `split`: one instance of several (a sharded run): it subscribes to the event topics of its
   * own cameras only, so the instances split the events between them, each device's events
   * (and owner key) handled by one instance.
   */
  constructor(
    transport: ClientTransport,
    credentials: Credentials,
    resolver: OwnerResolver,
    observer: ServiceObserver,
    clock: Clock,
    split?: { instance: number; filters: string[] },
  ) {
    super(transport);
    this.instance = split?.instance ?? 1;
    this.filters = split?.filters ?? [SERVICE_EVENT_FILTER];
    this.credentialsSource = credentials;
    this.resolver = resolver;
    this.observer = observer;
    this.clock = clock;
  }

  get clientId(): string {
    return `${this.name}~${this.instance}`;
  }

  protected credentials(): [string, string] {
    return [this.name, this.credentialsSource.password(this.name)];
  }

  /** Also after stop(): a restarted service connects and subscribes afresh. */
  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.ready = false;
    // close() marks the client closed before its link goes: say now that the link is going, so
    // events on their way to the service are accounted as in flight, not lost
    if (this.state === ClientState.connected) this.observer.linkClosed();
    this.close();
  }

  protected override onConnected(): void {
    this.connects++;
    if (this.filters.length === 0) this.ready = true; // a shard with no cameras has nothing to take
    else this.subscribe(SUBSCRIBE_ID, this.filters);
  }

  protected override onSuback(_messageId: number, grants: Buffer): void {
    this.ready = grants[0] !== 0x80;
  }

  protected override onDisconnected(wasConnected: boolean): void {
    this.ready = false;
    if (wasConnected) this.observer.linkClosed();
    if (!this.stopped) this.clock.after(RECONNECT_DELAY, this, RECONNECT);
  }

  onTimer(): void {
    if (!this.stopped && this.state === ClientState.idle) this.open();
  }

  protected override onMessage(topic: string, payload: Buffer, retained: boolean): void {
    void this.route(topic, payload, retained);
  }

  /**
   * A retained snapshot replayed on (re)subscribing is routed like any event: to the owner when it
   * was published (the resolver asks history for an event older than the ownership in force), so
   * it never carries the old owner's view to the new owner after a transfer.
   */
  private async route(topic: string, payload: Buffer, retained: boolean): Promise<void> {
    const header = readEventHeader(payload);
    if (header === undefined) return;
    const { eventId, publishedAt } = header;
    this.observer.eventReceived(eventId, retained);
    const deviceId = topic.split('/')[1];
    let resolution;
    try {
      resolution = await this.resolver.resolve(deviceId, publishedAt);
    } catch {
      this.observer.eventDropped(eventId, 'lookup-failed');
      return;
    }
    const { owner, trace } = resolution;
    if (trace.blocked) this.observer.blocked({ ...trace.blocked, path: 'push', eventId, at: Math.round(this.clock.now()) });
    if (owner === undefined) {
      this.observer.eventDropped(eventId, 'unknown-device');
      return;
    }
    if (this.publish(accountTopicOf(owner), payload)) this.observer.eventRouted(eventId, owner, trace);
    else this.observer.eventDropped(eventId, 'service-offline');
  }
}
