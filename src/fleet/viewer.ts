import { request } from 'node:http';
import { accountTopicOf } from '../broker/acl.ts';
import { viewerClientId } from '../registry/credentials.ts';
import { createRng } from '../rng/seeded-rng.ts';
import { thumbnailOf } from './event-payload.ts';
import type { FleetContext } from './fleet-context.ts';
import { ReconnectingClient } from './reconnecting-client.ts';

const SUBSCRIBE_ID = 1;
/** People open a notification a little after it arrives: up to this many scenario ms. */
const TAP_DELAY_MAX = 2000;

/**
 * An app session of one account: subscribes to its account's topic, hands every thumbnail to
 * the oracle, and taps a seeded share of them, foreign ones included (as the incident's 1,504
 * users did), by asking the service for the video over HTTP as its account.
 */
export class Viewer extends ReconnectingClient {
  readonly account: number;
  private readonly n: number;
  private online = false;

  constructor(ctx: FleetContext, account: number, n: number) {
    super(ctx, createRng(ctx.seed, viewerClientId(ctx.registry.accountIds[account], n)));
    this.account = account;
    this.n = n;
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

  protected override onConnected(): void {
    super.onConnected();
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
    if (!closedByUs) this.retry();
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
