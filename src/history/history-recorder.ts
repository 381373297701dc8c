import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import type { HistoryOp } from './history-op.ts';

/** Something that judges ops as they happen (the checker), fed the same ops the file gets. */
export interface HistoryListener {
  apply(op: HistoryOp): void;
}

/** Bytes kept before a write: large enough to be cheap, small enough to lose little on a crash. */
const FLUSH_BYTES = 64 * 1024;
/** Real milliseconds between flushes of a quiet history, so an interrupted run keeps it. */
const FLUSH_EVERY_MS = 250;
/** zlib's default: about 8× on a history, some 11 ms of the run's thread per MB of ndjson. */
const GZIP_LEVEL = 6;

/**
 * The append-only op log: every op is serialised once, hashed (sha256 over the exact bytes of
 * the ndjson), written to the file when there is one, and handed to the listener. One
 * serialisation for all three is what makes `check` on the file judge what the run judged.
 *
 * A file named `*.gz` is written gzip-compressed: each flush appends one complete gzip member
 * (compressed synchronously), so the file is a readable gzip after every flush — a Ctrl-C, a
 * second Ctrl-C or a kill between flushes leaves a history any gunzip reads to where it ends.
 * The hash, `bytes` and the history cap count the uncompressed ndjson either way.
 */
export class HistoryRecorder {
  private readonly listener: HistoryListener;
  private readonly hash: Hash = createHash('sha256');
  private fd: number | undefined;
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  private digest: string | undefined;
  ops = 0;
  /** Uncompressed ndjson bytes. */
  bytes = 0;
  /** Bytes written to the file (compressed when it is gzip). */
  fileBytes = 0;
  private readonly gzip: boolean;
  /** Event ids are handed out here so they follow history order (`slot * stride + offset`: see EventLedger). */
  private nextEvent = 0;
  private readonly eventOffset: number;
  private readonly eventStride: number;

  private readonly wallClock: boolean;
  private readonly maxBytes: number;
  private readonly onOverflow: ((bytes: number) => void) | undefined;
  /** True once the history has grown past maxBytes (onOverflow was called). */
  overflowed = false;

  /**
   * `wallClock: false` under a virtual clock: then nothing real-time enters the history.
   * `onOverflow` is called once when the history grows past `maxBytes` (checked at each flush,
   * so by at most one flush's worth): the run stops, and what comes after is still recorded.
   */
  constructor(
    listener: HistoryListener,
    options: { file?: string; wallClock: boolean; maxBytes?: number; onOverflow?: (bytes: number) => void; eventIds?: { offset: number; stride: number } },
  ) {
    this.listener = listener;
    this.eventOffset = options.eventIds?.offset ?? 0;
    this.eventStride = options.eventIds?.stride ?? 1;
    this.wallClock = options.wallClock;
    this.maxBytes = options.maxBytes ?? Infinity;
    this.onOverflow = options.onOverflow;
    const file = options.file;
    this.gzip = file?.endsWith('.gz') ?? false;
    if (file !== undefined) {
      this.fd = openSync(file, 'w');
      this.timer = setInterval(() => this.flush(), FLUSH_EVERY_MS);
      this.timer.unref();
      // a second Ctrl-C exits at once: what is buffered still reaches the file
      process.on('exit', this.flushOnExit);
    }
  }

  /** Real ms (0.1 ms resolution) for storm connect rates; undefined under a virtual clock. */
  realTime(): number | undefined {
    return this.wallClock ? Math.round(performance.now() * 10) / 10 : undefined;
  }

  newEventId(): number {
    return this.nextEvent++ * this.eventStride + this.eventOffset;
  }

  record(op: HistoryOp): void {
    if (this.digest !== undefined) return; // closed: the history is final
    this.ops++;
    this.pending += JSON.stringify(op) + '\n';
    if (this.pending.length >= FLUSH_BYTES) this.flush();
    this.listener.apply(op);
  }

  /** Writes what is buffered (and hashes it). Safe to call at any time. */
  flush(): void {
    if (this.pending.length === 0) return;
    const chunk = Buffer.from(this.pending, 'utf8');
    this.pending = '';
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (this.fd !== undefined) {
      const out = this.gzip ? gzipSync(chunk, { level: GZIP_LEVEL }) : chunk;
      for (let at = 0; at < out.length; ) at += writeSync(this.fd, out, at);
      this.fileBytes += out.length;
    }
    if (!this.overflowed && this.bytes > this.maxBytes && this.digest === undefined) {
      this.overflowed = true;
      this.onOverflow?.(this.bytes);
    }
  }

  private readonly flushOnExit = (): void => this.flush();

  /** Flushes, closes the file and returns the history's sha256 (hex). Idempotent. */
  close(): string {
    if (this.digest !== undefined) return this.digest;
    this.flush();
    if (this.timer) clearInterval(this.timer);
    process.off('exit', this.flushOnExit);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.digest = this.hash.digest('hex');
    return this.digest;
  }
}
