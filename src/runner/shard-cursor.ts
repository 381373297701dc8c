import { usageError } from '../errors.ts';
import type { HistoryOp, RunHeader } from '../history/history-op.ts';
import { historyBatches } from '../history/read-history.ts';

export type TimedOp = Exclude<HistoryOp, RunHeader>;
export type ShardStartOp = Extract<HistoryOp, { op: 'shard-start' }>;

/**
 * One shard's history read as the merge pulls it: a chunk at a time, so a merge of N histories
 * holds N chunks and the few ops before each shard's time-zero record, never a whole file.
 */
export class ShardCursor {
  readonly file: string;
  readonly header: RunHeader;
  /** Its time-zero record, once findStart() has read that far. */
  start: ShardStartOp | undefined;
  /** Ops taken so far (the header not counted). */
  taken = 0;
  private queue: TimedOp[];
  private at = 0;
  private readonly batches: AsyncIterator<HistoryOp[]> | undefined;
  private done: boolean;

  private constructor(file: string, header: RunHeader, first: TimedOp[], batches: AsyncIterator<HistoryOp[]> | undefined) {
    this.file = file;
    this.header = header;
    this.queue = first;
    this.batches = batches;
    this.done = batches === undefined;
  }

  /** A history file (gzip or plain), its header read. */
  static async open(file: string): Promise<ShardCursor> {
    const batches = historyBatches(file)[Symbol.asyncIterator]();
    const first = await batches.next();
    const [header, ...ops] = first.done === true ? [] : first.value;
    if (header === undefined || header.op !== 'run') throw usageError('HISTORY_MALFORMED', `${file}: empty history (no run header)`);
    return new ShardCursor(file, header, ops as TimedOp[], batches);
  }

  /** A history already in memory (tests, small merges). */
  static of(file: string, header: RunHeader, ops: TimedOp[]): ShardCursor {
    return new ShardCursor(file, header, [...ops], undefined);
  }

  /** The next op, if one is read (call ready() first: undefined also means "not read yet"). */
  head(): TimedOp | undefined {
    return this.queue[this.at];
  }

  /** Reads on until an op is at hand; false once the history is over. */
  async ready(): Promise<boolean> {
    while (this.at >= this.queue.length && !this.done) {
      const next = await this.batches!.next();
      if (next.done === true) this.done = true;
      else {
        this.queue = next.value.filter((op): op is TimedOp => op.op !== 'run');
        this.at = 0;
      }
    }
    return this.at < this.queue.length;
  }

  /** Ops held in memory now (read, whether taken or not): one chunk's worth while streaming. */
  get held(): number {
    return this.queue.length;
  }

  take(): TimedOp {
    this.taken++;
    return this.queue[this.at++];
  }

  /** Reads ahead, keeping what it passes, to the shard's time-zero record (undefined: it has none). */
  async findStart(): Promise<ShardStartOp | undefined> {
    for (;;) {
      const found = this.queue.find((op, i): op is ShardStartOp => i >= this.at && op.op === 'shard-start');
      if (found !== undefined || this.done) return (this.start = found);
      const next = await this.batches!.next();
      if (next.done === true) this.done = true;
      else {
        this.queue = [...this.queue.slice(this.at), ...next.value.filter((op): op is TimedOp => op.op !== 'run')];
        this.at = 0;
      }
    }
  }
}
