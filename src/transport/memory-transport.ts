import { Duplex } from 'node:stream';
import type { ClientTransport, Link, LinkHandler, ServerTransport } from './link.ts';

/**
 * In-process connections with no sockets: the scale path (100k+ devices). The broker gets a real
 * Duplex; the client gets the same object seen as a Link, and its bytes arrive through
 * onLinkData on the next tick (never re-entrantly inside the broker's own write).
 */
class MemoryLink extends Duplex implements Link {
  private handler: LinkHandler | null;
  private readonly owner: MemoryServerTransport;

  constructor(handler: LinkHandler, owner: MemoryServerTransport) {
    super({ allowHalfOpen: false });
    this.handler = handler;
    this.owner = owner;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    process.nextTick(deliver, this.handler, chunk, callback);
  }

  // mqtt-packet corks the stream and writes a packet field by field: deliver what was corked as
  // one chunk (one tick, one copy) instead of a tick and a parser append per field
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    const data = chunks.length === 1 ? chunks[0].chunk : Buffer.concat(chunks.map((c) => c.chunk));
    process.nextTick(deliver, this.handler, data, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const handler = this.handler;
    this.handler = null;
    this.owner.forget(this);
    if (handler) process.nextTick(closeHandler, handler);
    callback(error);
  }

  send(chunk: Buffer): void {
    if (!this.destroyed) this.push(chunk);
  }

  hangUp(): void {
    this.destroy();
  }
}

function deliver(handler: LinkHandler | null, chunk: Buffer, callback: () => void): void {
  handler?.onLinkData(chunk);
  callback();
}

function closeHandler(handler: LinkHandler): void {
  handler.onLinkClose();
}

/** A link that was refused: it reports closed on the next tick and ignores writes. */
export class RefusedLink implements Link {
  readonly refused = true;
  constructor(handler: LinkHandler) {
    process.nextTick(closeHandler, handler);
  }
  send(): void {}
  hangUp(): void {}
}

export class MemoryServerTransport implements ServerTransport {
  readonly id = 'memory';
  private readonly links = new Set<MemoryLink>();
  private accept: ((stream: Duplex) => void) | undefined;
  private refusing = false;
  private isCut: ((clientId: string) => boolean) | undefined;

  async listen(accept: (stream: Duplex) => void): Promise<ClientTransport> {
    this.accept = accept;
    return {
      id: 'memory',
      connect: (handler: LinkHandler): Link => {
        if (this.refusing || !this.accept || this.turnsAway(handler)) return new RefusedLink(handler);
        const link = new MemoryLink(handler, this);
        this.links.add(link);
        this.accept(link);
        return link;
      },
    };
  }

  setRefusing(refusing: boolean): void {
    this.refusing = refusing;
  }

  turnAway(isCut: (clientId: string) => boolean): void {
    this.isCut = isCut;
  }

  private turnsAway(handler: LinkHandler): boolean {
    const clientId = this.isCut === undefined ? undefined : handler.clientId;
    return clientId !== undefined && this.isCut!(clientId);
  }

  dropAll(): number {
    const all = [...this.links];
    for (const link of all) link.destroy();
    return all.length;
  }

  get openConnections(): number {
    return this.links.size;
  }

  forget(link: MemoryLink): void {
    this.links.delete(link);
  }

  async close(): Promise<void> {
    this.accept = undefined;
    this.dropAll();
  }
}
