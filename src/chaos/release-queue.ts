import { realNow, type Outlet } from './toxic.ts';

interface Held {
  /** null stands for the end (FIN). */
  chunk: Buffer | null;
  at: number;
}

/**
 * Holds chunks until their release time and hands them on strictly in order (a chunk whose time
 * has come waits for the one before it), so delaying stages never reorder the byte stream.
 * One timer at a time, armed for the head only.
 */
export class ReleaseQueue {
  private readonly out: Outlet;
  private items: Held[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  /** Release time of the last item queued (or -Infinity): lets stages pace relative to it. */
  lastAt = -Infinity;

  constructor(out: Outlet) {
    this.out = out;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  push(chunk: Buffer, at: number): void {
    this.enqueue(chunk, at);
  }

  /** The end goes out right after the last queued chunk (or at `at`, if later). */
  end(at = realNow()): void {
    this.enqueue(null, at);
  }

  /** Everything held goes out now, in order (the toxic was removed). */
  flush(): void {
    this.clearTimer();
    while (!this.disposed && this.head < this.items.length) this.emit(this.items[this.head++]);
    this.reset();
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
    this.reset();
  }

  private enqueue(chunk: Buffer | null, at: number): void {
    if (this.disposed) return;
    this.lastAt = Math.max(this.lastAt, at);
    this.items.push({ chunk, at });
    if (this.timer === undefined) this.pump();
  }

  private pump(): void {
    this.timer = undefined;
    const now = realNow();
    while (!this.disposed && this.head < this.items.length && this.items[this.head].at <= now) {
      this.emit(this.items[this.head++]);
    }
    if (this.disposed) return;
    if (this.head >= this.items.length) {
      this.reset();
      return;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      // a queue that never empties must not keep every chunk it ever held
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    // Timers may fire a little early against performance.now() (libuv caches loop time), so
    // arm for the rounded-up remainder and re-check on firing: a delay is never shortened.
    const wait = Math.max(1, Math.ceil(this.items[this.head].at - now));
    this.timer = setTimeout(() => this.pump(), wait);
  }

  private emit(item: Held): void {
    if (item.chunk === null) this.out.end();
    else this.out.push(item.chunk);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private reset(): void {
    this.items = [];
    this.head = 0;
  }
}
