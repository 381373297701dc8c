import { request } from 'node:http';
import { accountTopicOf } from '../broker/acl.ts';
import type { TimerEntry, TimerTarget } from '../clock/timer-queue.ts';
import { LeanMqttClient } from '../mqtt/lean-client.ts';
import { viewerClientId } from '../registry/credentials.ts';
import { createRng, type Rng } from '../rng/seeded-rng.ts';
import { backoffDelay } from './backoff.ts';
import { thumbnailOf } from './event-payload.ts';
import type { FleetContext } from './fleet-context.ts';

const CONNECT = 1;
const SUBSCRIBE_ID = 1;
/** People open a notification a little after it arrives: up to this many scenario ms. */
const TAP_DELAY_MAX = 2000;

/**
 * An app session of one account: subscribes to its account's topic, hands every thumbnail to
 * the oracle, and taps a seeded share of them, foreign ones included (as the incident's 1,504
 * users did), by asking the service for the video over HTTP as its account.
 */
export class Viewer extends LeanMqttClient implements TimerTarget {
  private readonly ctx: FleetContext;
  readonly account: number;
  private readonly n: number;
  private readonly rng: Rng;
  private attempt = 0;
  private previousDelay = 0;
  private online = false;
  private stopped = false;
  private reconnectTimer: TimerEntry | null = null;

  constructor(ctx: FleetContext, account: number, n: number) {
    super(ctx.transport);
    this.ctx = ctx;
    this.account = account;
    this.n = n;
    this.rng = createRng(ctx.seed, this.clientId);
  }

  get accountId(): string {
    return this.ctx.registry.accountIds[this.account];
  }

  get clientId(): string {
    return viewerClientId(this.accountId, this.n);
  }

  protected credentials(): [string, string] {
    return [this.accountId, this.ctx.credentials.password(this.accountId)];
  }

  start(connectAt: number): void {
    this.reconnectTimer = this.ctx.clock.at(connectAt, this, CONNECT);
  }

  stop(): void {
    this.stopped = true;
    this.ctx.clock.cancel(this.reconnectTimer);
    if (this.link) this.close();
  }

  onTimer(kind: number): void {
    if (kind === CONNECT && !this.stopped) {
      this.reconnectTimer = null;
      this.open();
    }
  }

  protected override onConnected(): void {
    this.attempt = 0;
    this.ctx.stats.viewerConnects++;
    this.subscribe(SUBSCRIBE_ID, [accountTopicOf(this.accountId)]);
  }

  protected override onSuback(_messageId: number, grants: Buffer): void {
    if (grants[0] === 0x80 || this.online) return;
    this.online = true;
    this.ctx.viewersOnline[this.account]++;
    this.ctx.stats.viewersOnline++;
  }

  protected override onMessage(_topic: string, payload: Buffer): void {
    const { oracle, stats, hooks } = this.ctx;
    stats.thumbnailsReceived++;
    const eventId = oracle.onThumbnail(this.account, this.clientId, thumbnailOf(payload));
    hooks.onViewerReceipt?.(this.accountId, this.clientId, eventId);
    if (eventId !== undefined && this.rng.chance(this.ctx.tapShare)) {
      this.ctx.clock.after(this.rng.next() * TAP_DELAY_MAX, { onTimer: () => this.tap(eventId) }, 0);
    }
  }

  protected override onDisconnected(_wasConnected: boolean, closedByUs: boolean): void {
    const { ctx } = this;
    if (this.online) {
      this.online = false;
      ctx.viewersOnline[this.account]--;
      ctx.stats.viewersOnline--;
      const drops = ctx.viewerDrops.get(this.account) ?? [];
      drops.push(ctx.clock.now());
      ctx.viewerDrops.set(this.account, drops);
    }
    if (closedByUs || this.stopped) return;
    this.attempt++;
    const delay = backoffDelay(ctx.backoff, this.attempt, this.attempt === 1 ? ctx.backoff.base : this.previousDelay, this.rng);
    if (delay === undefined) return;
    this.previousDelay = delay;
    this.reconnectTimer = ctx.clock.after(delay, this, CONNECT);
  }

  /** GET /events/{id}/video as this account; a 200 body goes to the oracle. */
  private tap(eventId: number): void {
    const { ctx } = this;
    if (this.stopped) return;
    ctx.stats.tapsSent++;
    const req = request(
      `${ctx.tapUrl}/events/${eventId}/video`,
      { agent: ctx.tapAgent, headers: { authorization: `Bearer ${ctx.credentials.tapToken(this.accountId)}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          if (res.statusCode === 200) {
            ctx.stats.tapsOpened++;
            ctx.oracle.onClip(this.account, this.clientId, Buffer.concat(chunks));
          } else if (res.statusCode === 403) ctx.stats.tapsDenied++;
          else ctx.stats.tapsFailed++;
        });
      },
    );
    req.on('error', () => ctx.stats.tapsFailed++);
    req.end();
  }
}
