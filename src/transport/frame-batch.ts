/**
 * Many connections' traffic in one ArrayBuffer, so crossing a thread costs one postMessage per
 * event-loop turn instead of one per chunk. A frame is `[u32 connection][u8 kind][u32 length][bytes]`.
 * The buffer is transferred, not copied: the reader hands out views into it.
 */
export const FrameKind = {
  /** A new connection (no bytes). */
  open: 1,
  /** Bytes on a connection. */
  data: 2,
  /** The connection is gone (no bytes); the side that reads it must not answer with its own close. */
  close: 3,
  /** Broker thread → run: the client on this connection registered; the bytes are its client id. */
  registered: 4,
  /** Broker thread → run: the broker's counters, 4 × u32 (no connection: 0). */
  stats: 5,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

const HEADER = 9;
const INITIAL = 64 * 1024;
const KEEP_AT_MOST = 64 * 1024 * 1024;

export class FrameWriter {
  private bytes = new Uint8Array(INITIAL);
  private view = new DataView(this.bytes.buffer);
  private used = 0;

  get isEmpty(): boolean {
    return this.used === 0;
  }

  add(connection: number, kind: FrameKind, payload?: Uint8Array): void {
    const length = payload === undefined ? 0 : payload.byteLength;
    this.reserve(HEADER + length);
    this.view.setUint32(this.used, connection);
    this.view.setUint8(this.used + 4, kind);
    this.view.setUint32(this.used + 5, length);
    if (payload !== undefined) this.bytes.set(payload, this.used + HEADER);
    this.used += HEADER + length;
  }

  addText(connection: number, kind: FrameKind, text: string): void {
    this.add(connection, kind, Buffer.from(text, 'utf8'));
  }

  addCounters(kind: FrameKind, counters: readonly number[]): void {
    const payload = new Uint8Array(4 * counters.length);
    const view = new DataView(payload.buffer);
    counters.forEach((n, i) => view.setUint32(4 * i, n >>> 0));
    this.add(0, kind, payload);
  }

  /** The frames so far, as an ArrayBuffer of exactly their size (to transfer); the writer starts over. */
  take(): ArrayBuffer {
    const out = this.bytes.buffer.slice(0, this.used) as ArrayBuffer;
    this.used = 0;
    // a storm's turns are megabytes each: keep the grown buffer for the next one, unless it is
    // far beyond what a turn needs even at 100k+ connections
    if (this.bytes.byteLength > KEEP_AT_MOST) this.grow(INITIAL, false);
    return out;
  }

  private reserve(n: number): void {
    if (this.used + n <= this.bytes.byteLength) return;
    let size = this.bytes.byteLength * 2;
    while (size < this.used + n) size *= 2;
    this.grow(size, true);
  }

  private grow(size: number, keep: boolean): void {
    const bytes = new Uint8Array(size);
    if (keep) bytes.set(this.bytes.subarray(0, this.used));
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer);
  }
}

/** Calls `frame` for each frame in `batch`; payloads are Buffer views into it (no copy). */
export function readFrames(batch: ArrayBuffer, frame: (connection: number, kind: FrameKind, payload: Buffer) => void): void {
  const view = new DataView(batch);
  let at = 0;
  while (at + HEADER <= batch.byteLength) {
    const connection = view.getUint32(at);
    const kind = view.getUint8(at + 4) as FrameKind;
    const length = view.getUint32(at + 5);
    frame(connection, kind, Buffer.from(batch, at + HEADER, length));
    at += HEADER + length;
  }
}

export function readCounters(payload: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= payload.length; i += 4) out.push(payload.readUInt32BE(i));
  return out;
}
