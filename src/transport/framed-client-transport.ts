import type { ClientTransport, Link, LinkHandler } from './link.ts';
import { FrameKind, FrameWriter, readCounters, readFrames } from './frame-batch.ts';
import { RefusedLink } from './memory-transport.ts';

/** One connection to a broker in another thread; its bytes travel in the next batch. */
class FramedClientLink implements Link {
  readonly connection: number;
  handler: LinkHandler | null;
  private readonly owner: FramedClientTransport;

  constructor(connection: number, handler: LinkHandler, owner: FramedClientTransport) {
    this.connection = connection;
    this.handler = handler;
    this.owner = owner;
  }

  send(chunk: Buffer): void {
    if (this.handler !== null) this.owner.enqueue(this.connection, FrameKind.data, chunk);
  }

  hangUp(): void {
    this.owner.close(this, true);
  }
}

function closeHandler(handler: LinkHandler): void {
  handler.onLinkClose();
}

/** What the broker thread says besides bytes. */
export interface BrokerThreadEvents {
  registered(connection: number, clientId: string): void;
  closed(connection: number): void;
  counters(values: number[]): void;
}

/**
 * The run thread's side of the memory transport when the broker runs in a worker thread: the
 * same Link contract as MemoryServerTransport's (refusal and drops known at once, a closed link
 * reports on the next tick), with bytes batched per event-loop turn (src/transport/frame-batch.ts).
 */
export class FramedClientTransport {
  private readonly links = new Map<number, FramedClientLink>();
  private readonly out = new FrameWriter();
  private nextConnection = 1;
  private refusing = false;
  private isCut: ((clientId: string) => boolean) | undefined;
  private flushScheduled = false;
  private readonly send: (batch: ArrayBuffer) => void;
  private readonly events: BrokerThreadEvents;
  readonly client: ClientTransport;

  constructor(send: (batch: ArrayBuffer) => void, events: BrokerThreadEvents) {
    this.send = send;
    this.events = events;
    this.client = {
      id: 'memory',
      connect: (handler: LinkHandler): Link => {
        if (this.refusing || this.turnsAway(handler)) return new RefusedLink(handler);
        const connection = this.nextConnection++;
        const link = new FramedClientLink(connection, handler, this);
        this.links.set(connection, link);
        this.enqueue(connection, FrameKind.open);
        return link;
      },
    };
  }

  enqueue(connection: number, kind: FrameKind, payload?: Uint8Array): void {
    this.out.add(connection, kind, payload);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Sends what is pending now (before a control message, so the message does not overtake it). */
  flush(): void {
    this.flushScheduled = false;
    if (!this.out.isEmpty) this.send(this.out.take());
  }

  receive(batch: ArrayBuffer): void {
    readFrames(batch, (connection, kind, payload) => {
      if (kind === FrameKind.data) {
        this.links.get(connection)?.handler?.onLinkData(payload);
      } else if (kind === FrameKind.close) {
        const link = this.links.get(connection);
        if (link !== undefined) this.close(link, false);
      } else if (kind === FrameKind.registered) {
        if (this.links.has(connection)) this.events.registered(connection, payload.toString('utf8'));
      } else if (kind === FrameKind.stats) {
        this.events.counters(readCounters(payload));
      }
    });
  }

  /** Closes a link from this side (`tellBroker`) or because the broker closed it; the client hears on the next tick. */
  close(link: FramedClientLink, tellBroker: boolean): void {
    const handler = link.handler;
    if (handler === null) return;
    link.handler = null;
    this.links.delete(link.connection);
    if (tellBroker) this.enqueue(link.connection, FrameKind.close);
    this.events.closed(link.connection);
    process.nextTick(closeHandler, handler);
  }

  /** Drops one connection by number; false if it is not open. */
  drop(connection: number): boolean {
    const link = this.links.get(connection);
    if (link === undefined) return false;
    this.close(link, true);
    return true;
  }

  setRefusing(refusing: boolean): void {
    this.refusing = refusing;
  }

  /** Clients `isCut` names are refused at once (a partition decided in this thread). */
  turnAway(isCut: (clientId: string) => boolean): void {
    this.isCut = isCut;
  }

  private turnsAway(handler: LinkHandler): boolean {
    const clientId = this.isCut === undefined ? undefined : handler.clientId;
    return clientId !== undefined && this.isCut!(clientId);
  }

  dropAll(): number {
    const all = [...this.links.values()];
    for (const link of all) this.close(link, true);
    return all.length;
  }

  get openConnections(): number {
    return this.links.size;
  }
}
