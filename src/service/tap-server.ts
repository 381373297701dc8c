import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock/clock.ts';
import type { Credentials } from '../registry/credentials.ts';
import type { Watermarker } from '../registry/watermark.ts';
import type { OwnerResolver } from './owner-resolver.ts';
import type { OwnerTrace, ServiceObserver } from './service-observer.ts';

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

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { credentials, resolver, clips, watermarker, observer, clock } = this.parts;
    const match = req.method === 'GET' ? VIDEO_PATH.exec(req.url ?? '') : null;
    if (!match) return reply(res, 404, 'not found');
    const auth = req.headers.authorization ?? '';
    const account = auth.startsWith('Bearer ') ? credentials.accountOfTapToken(auth.slice(7)) : undefined;
    if (account === undefined) return reply(res, 401, 'unauthenticated');
    const eventId = Number(match[1]);
    const meta = clips.eventMeta(eventId);
    if (meta === undefined) return reply(res, 404, 'no such event');
    let owner: string | undefined;
    let trace: OwnerTrace;
    try {
      ({ owner, trace } = await resolver.resolve(meta.deviceId, meta.publishedAt));
      if (trace.blocked) observer.blocked({ ...trace.blocked, path: 'tap', eventId, at: Math.round(clock.now()) });
    } catch {
      return reply(res, 503, 'ownership check failed');
    }
    if (owner !== account) {
      this.denied++;
      return reply(res, 403, 'not your camera');
    }
    this.served++;
    observer.tapServed(eventId, account, trace);
    const clip = watermarker.encode({ kind: 'clip', deviceId: meta.deviceId, eventId, publishedAt: meta.publishedAt });
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': clip.length });
    res.end(clip);
  }
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(text);
}
