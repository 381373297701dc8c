import { Duplex } from 'node:stream';
import type { ClientTransport, Link, LinkHandler } from '../src/transport/link.ts';

/**
 * A client-side Duplex over a memory-transport Link, so a stream-based client (mqtt.js) can
 * connect through the same MemoryServerTransport as the crosswire cameras: bytes the client
 * writes go to link.send, bytes the broker sends arrive through onLinkData and are pushed.
 * This is the one stream mqtt.js needs of its own (on TCP it would be a net.Socket).
 */
export class LinkDuplex extends Duplex implements LinkHandler {
  private link: Link | null = null;

  constructor(transport: ClientTransport) {
    super({ allowHalfOpen: false });
    this.link = transport.connect(this);
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.link?.send(chunk);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.link?.hangUp();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const link = this.link;
    this.link = null;
    link?.hangUp();
    callback(error);
  }

  onLinkData(chunk: Buffer): void {
    this.push(chunk);
  }

  onLinkClose(): void {
    this.link = null;
    if (!this.destroyed) {
      this.push(null);
      this.destroy();
    }
  }
}
