import { accountTopicOf } from '../broker/acl.ts';
import { FORGED_EVENT_BASE, type MediaOp } from '../history/history-op.ts';
import { viewerClientId } from '../registry/credentials.ts';
import type { WatermarkCheck } from '../registry/watermark.ts';
import { createRng } from '../rng/seeded-rng.ts';
import { readEventHeader, thumbnailOf } from './event-payload.ts';
import type { FleetContext } from './fleet-context.ts';
import { ReconnectingClient } from './reconnecting-client.ts';

const SUBSCRIBE_ID = 1;
/** People open a notification a little after it arrives: up to this many scenario ms. */
const TAP_DELAY_MAX = 2000;

/**
 * An app session of one account: subscribes to its account's topic, records every thumbnail it
 * receives (its watermark as decoded) in the history, and taps a seeded share of them, foreign
 * ones included (as the incident's 1,504 users did), by asking the service for the video as its account.
 */
export class Viewer extends ReconnectingClient {
  readonly account: number;
  private readonly n: number;
  private online = false;

  constructor(ctx: FleetContext, account: number, n: number) {
    super(ctx, createRng(ctx.seed, viewerClientId(ctx.registry.accountIds[account], n)), ctx.viewerTransport);
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
    this.ctx.stats.viewersOnline++;
    this.ctx.history.record({ op: 'viewer-up', t: Math.round(this.ctx.clock.now()), acct: this.account });
  }

  protected override onMessage(_topic: string, payload: Buffer): void {
    const { stats, hooks } = this.ctx;
    stats.thumbnailsReceived++;
    const media = this.received('thumbnail', thumbnailOf(payload), payload);
    const eventId = 'ev' in media ? media.ev : undefined;
    hooks.onViewerReceipt?.(this.accountId, this.clientId, eventId);
    if (eventId !== undefined && this.rng.chance(this.ctx.tapShare)) {
      this.ctx.clock.after(this.rng.next() * TAP_DELAY_MAX, { onTimer: () => this.tap(eventId) }, 0);
    }
  }

  protected override onDisconnected(_wasConnected: boolean, closedByUs: boolean): void {
    const { ctx } = this;
    if (this.online) {
      this.online = false;
      ctx.stats.viewersOnline--;
      ctx.history.record({ op: 'viewer-down', t: Math.round(ctx.clock.now()), acct: this.account });
    }
    if (!closedByUs) this.retry();
  }

  /** GET /events/{id}/video as this account; a 200 body is recorded for the oracle. */
  private tap(eventId: number): void {
    const { ctx } = this;
    if (this.stopped) return;
    ctx.stats.tapsSent++;
    ctx.taps.video(eventId, ctx.credentials.tapToken(this.accountId)).then(
      ({ status, body }) => {
        if (status === 200) {
          ctx.stats.tapsOpened++;
          this.received('clip', body);
        } else if (status === 403) ctx.stats.tapsDenied++;
        else ctx.stats.tapsFailed++;
      },
      () => ctx.stats.tapsFailed++,
    );
  }

  /** What the viewer got, as the oracle sees it: the watermark decoded and recorded. */
  private received(op: 'thumbnail' | 'clip', bytes: Uint8Array, payload?: Buffer): MediaOp {
    const media = this.mediaOp(op, this.ctx.watermarker.decode(bytes));
    // media that does not verify, under a header naming a hostile tenant's forged event: say which attempt
    const claimed = 'bad' in media && payload !== undefined ? readEventHeader(payload)?.eventId : undefined;
    if (claimed !== undefined && claimed >= FORGED_EVENT_BASE) Object.assign(media, { forgedBy: claimed - FORGED_EVENT_BASE });
    this.ctx.history.record(media);
    return media;
  }

  private mediaOp(op: 'thumbnail' | 'clip', check: WatermarkCheck): MediaOp {
    const base = { op, t: Math.round(this.ctx.clock.now()), acct: this.account, viewer: this.clientId };
    return check.ok ? { ...base, ev: check.watermark.eventId, dev: check.watermark.deviceId, publishedAt: check.watermark.publishedAt } : { ...base, bad: check.reason };
  }
}
