import { Duplex } from 'node:stream';
import type { ClientTransport, ServerTransport } from './link.ts';
import { FrameKind, FrameWriter, readFrames } from './frame-batch.ts';

/**
 * The broker thread's side of a connection whose client lives in another thread: a real Duplex
 * for aedes, fed from the frames that arrive and writing its bytes into the next outgoing batch.
 */
class FramedLink extends Duplex {
  readonly connection: number;
  private readonly owner: FramedServerTransport;
  /** Closed by the other side: nothing to tell it. */
  peerClosed = false;

  constructor(connection: number, owner: FramedServerTransport) {
    super({ allowHalfOpen: false });
    this.connection = connection;
    this.owner = owner;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.owner.out.add(this.connection, FrameKind.data, chunk);
    this.owner.scheduleFlush();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.owner.forget(this);
    callback(error);
  }
}

/**
 * A ServerTransport over frame batches (src/transport/frame-batch.ts): `receive` takes a batch
 * from the run's thread, `send` (given) carries one back, at most once per event-loop turn.
 * Refusing is the run thread's business (it answers at once); here a refusing transport only
 * closes what still arrives.
 */
export class FramedServerTransport implements ServerTransport {
  readonly id = 'memory';
  readonly out = new FrameWriter();
  private readonly links = new Map<number, FramedLink>();
  private accept: ((stream: Duplex) => void) | undefined;
  private refusing = false;
  private flushScheduled = false;
  private readonly send: (batch: ArrayBuffer) => void;
  /** Extra frames for every batch (the broker's counters). */
  private readonly beforeSend: (out: FrameWriter) => void;

  constructor(send: (batch: ArrayBuffer) => void, beforeSend: (out: FrameWriter) => void = () => {}) {
    this.send = send;
    this.beforeSend = beforeSend;
  }

  async listen(accept: (stream: Duplex) => void): Promise<ClientTransport> {
    this.accept = accept;
    // clients are in the other thread: they reach this transport through a FramedClientTransport
    return {
      id: 'memory',
      connect: () => {
        throw new Error('clients of a framed transport connect from the other thread');
      },
    };
  }

  receive(batch: ArrayBuffer): void {
    readFrames(batch, (connection, kind, payload) => {
      if (kind === FrameKind.data) {
        this.links.get(connection)?.push(payload);
      } else if (kind === FrameKind.open) {
        if (this.refusing || !this.accept) return this.closeUnknown(connection);
        const link = new FramedLink(connection, this);
        this.links.set(connection, link);
        this.accept(link);
      } else if (kind === FrameKind.close) {
        const link = this.links.get(connection);
        if (link === undefined) return;
        link.peerClosed = true;
        link.destroy();
      }
    });
  }

  /** A frame of the broker's own (e.g. a client registered), sent with the next batch. */
  note(connection: number, kind: FrameKind, text: string): void {
    this.out.addText(connection, kind, text);
    this.scheduleFlush();
  }

  connectionOf(stream: Duplex): number | undefined {
    return stream instanceof FramedLink ? stream.connection : undefined;
  }

  scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Sends what is pending now (before a control reply, so the reply does not overtake it). */
  flush(): void {
    this.flushScheduled = false;
    this.beforeSend(this.out);
    if (!this.out.isEmpty) this.send(this.out.take());
  }

  forget(link: FramedLink): void {
    if (this.links.get(link.connection) !== link) return;
    this.links.delete(link.connection);
    if (!link.peerClosed) {
      this.out.add(link.connection, FrameKind.close);
      this.scheduleFlush();
    }
  }

  private closeUnknown(connection: number): void {
    this.out.add(connection, FrameKind.close);
    this.scheduleFlush();
  }

  setRefusing(refusing: boolean): void {
    this.refusing = refusing;
  }

  dropAll(): number {
    const all = [...this.links.values()];
    for (const link of all) link.destroy();
    return all.length;
  }

  get openConnections(): number {
    return this.links.size;
  }

  async close(): Promise<void> {
    this.accept = undefined;
    this.dropAll();
    this.flush();
  }
}
