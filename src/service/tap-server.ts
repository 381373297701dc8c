import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock/clock.ts';
import type { Credentials } from '../registry/credentials.ts';
import type { TapResponse } from '../fleet/tap-client.ts';
import type { Watermarker } from '../registry/watermark.ts';
import type { OwnerResolver } from './owner-resolver.ts';
import type { OwnerTrace } from '../history/evidence.ts';
import type { ServiceObserver } from './service-observer.ts';

/** Where the cameras' clips live: the service looks up an event's device and time here. */
export interface ClipStore {
  eventMeta(eventId: number): { deviceId: string; publishedAt: number } | undefined;
}

const VIDEO_PATH = /^\/events\/(\d+)\/video$/;

/**
 * The system under test, tap path: `GET /events/{eventId}/video` with `Authorization: Bearer
 * <account token>`. Ownership is checked through the cache (the same resolver as pushes); the
 * clip is served only when the resolved owner is the caller.
 */
export interface TapServerParts {
  credentials: Credentials;
  resolver: OwnerResolver;
  clips: ClipStore;
  watermarker: Watermarker;
  observer: ServiceObserver;
  clock: Clock;
}

export class TapServer {
  private readonly server: Server;
  private readonly parts: TapServerParts;
  url = '';
  served = 0;
  denied = 0;

  constructor(parts: TapServerParts) {
    this.parts = parts;
    this.server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => void this.handle(req, res));
  }

  /**
   * Loopback by default. A shard's service is also asked by other shards' viewers (for clips of
   * its cameras): it binds `host` and is reached at `advertise`, the address they can use.
   */
  async listen(host = '127.0.0.1', advertise = host): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://${advertise.includes(':') ? `[${advertise}]` : advertise}:${port}`;
    return this.url;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { status, body } = req.method === 'GET' ? await this.answer(req.url ?? '', req.headers.authorization ?? '') : text(404, 'not found');
    res.writeHead(status, { 'content-type': status === 200 ? 'image/jpeg' : 'text/plain', 'content-length': body.length });
    res.end(body);
  }

  /** The handler itself, HTTP aside: a GET of `path` with this Authorization header. */
  async answer(path: string, authorization: string): Promise<TapResponse> {
    const { credentials, resolver, clips, watermarker, observer, clock } = this.parts;
    const match = VIDEO_PATH.exec(path);
    if (!match) return text(404, 'not found');
    const account = authorization.startsWith('Bearer ') ? credentials.accountOfTapToken(authorization.slice(7)) : undefined;
    if (account === undefined) return text(401, 'unauthenticated');
    const eventId = Number(match[1]);
    const meta = clips.eventMeta(eventId);
    if (meta === undefined) return text(404, 'no such event');
    let owner: string | undefined;
    let trace: OwnerTrace;
    try {
      ({ owner, trace } = await resolver.resolve(meta.deviceId, meta.publishedAt));
      if (trace.blocked) observer.blocked({ ...trace.blocked, path: 'tap', eventId, at: Math.round(clock.now()) });
    } catch {
      return text(503, 'ownership check failed');
    }
    if (owner !== account) {
      this.denied++;
      return text(403, 'not your camera');
    }
    this.served++;
    observer.tapServed(eventId, account, trace);
    const body = watermarker.encode({ kind: 'clip', deviceId: meta.deviceId, eventId, publishedAt: meta.publishedAt });
    return { status: 200, body };
  }
}

function text(status: number, message: string): TapResponse {
  return { status, body: Buffer.from(message) };
}
