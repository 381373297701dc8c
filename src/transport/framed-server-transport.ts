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
    this.frame(chunk);
    callback();
  }

  // a packet corked and written field by field (mqtt-packet) becomes one frame, not one per field
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.frame(chunks.length === 1 ? chunks[0].chunk : Buffer.concat(chunks.map((c) => c.chunk)));
    callback();
  }

  private frame(bytes: Buffer): void {
    this.owner.out.add(this.connection, FrameKind.data, bytes);
    this.owner.scheduleFlush();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.owner.forget(this);
    callback(error);
  }
}

/** New connections let in per event-loop turn (see admit). */
const ADMIT_PER_TURN = 256;

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
  /** Opened by clients, not yet let in: what each sent meanwhile, in order. */
  private readonly waiting = new Map<number, Buffer[]>();
  /** Their order of arrival (an array and a head: a Map emptied from the front degrades). */
  private queue: number[] = [];
  private queueHead = 0;
  private admitScheduled = false;
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
        const link = this.links.get(connection);
        if (link !== undefined) link.push(payload);
        else this.waiting.get(connection)?.push(payload);
      } else if (kind === FrameKind.open) {
        if (this.refusing || !this.accept) return this.closeUnknown(connection);
        this.waiting.set(connection, []);
        this.queue.push(connection);
        this.scheduleAdmit();
      } else if (kind === FrameKind.close) {
        if (this.waiting.delete(connection)) return;
        const link = this.links.get(connection);
        if (link === undefined) return;
        link.peerClosed = true;
        link.destroy();
      }
    });
  }

  /**
   * New connections wait in an accept queue and are let in ADMIT_PER_TURN at a time, while the
   * traffic of those already in flows at once: without it a 100k herd arriving in a few batches
   * sits in front of every SUBSCRIBE and PUBLISH of the connections before it (the service's
   * own among them), as a listen backlog does not on a real broker.
   */
  private scheduleAdmit(): void {
    if (this.admitScheduled) return;
    this.admitScheduled = true;
    setImmediate(() => this.admit());
  }

  private admit(): void {
    this.admitScheduled = false;
    let n = 0;
    while (n < ADMIT_PER_TURN && this.queueHead < this.queue.length) {
      const connection = this.queue[this.queueHead++];
      const early = this.waiting.get(connection);
      if (early === undefined) continue; // closed while it waited
      this.waiting.delete(connection);
      n++;
      if (this.refusing || !this.accept) {
        this.closeUnknown(connection);
        continue;
      }
      const link = new FramedLink(connection, this);
      this.links.set(connection, link);
      this.accept(link);
      for (const chunk of early) link.push(chunk);
    }
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    }
    if (this.waiting.size > 0) this.scheduleAdmit();
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
    for (const connection of this.waiting.keys()) this.closeUnknown(connection);
    this.waiting.clear();
    this.queue = [];
    this.queueHead = 0;
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
