import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { HistoryOp } from '../src/history/history-op.ts';
import { HISTORY_FORMAT } from '../src/history/history-op.ts';
import { ShardCursor, type TimedOp } from '../src/runner/shard-cursor.ts';

const dir = mkdtempSync(join(tmpdir(), 'crosswire-shard-cursor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A shard history of `n` ops: a few connects before its time-zero record, then publishes. */
function history(n: number): { file: string; ops: TimedOp[] } {
  const header: HistoryOp = { op: 'run', format: HISTORY_FORMAT, scenario: { name: 'c', seed: 1, shard: '0/1' }, clock: 'real', inFlightWindow: 1000 };
  const ops: TimedOp[] = [];
  for (let d = 0; d < 5; d++) ops.push({ op: 'connect', t: 0, dev: d });
  ops.push({ op: 'shard-start', t: 0, shard: '0/1', zeroAt: 1_000, via: 'barrier', waitedMs: 0 });
  for (let i = 0; ops.length < n; i++) ops.push({ op: 'connect', t: i, dev: i % 50 });
  const file = join(dir, `h${n}.ndjson.gz`);
  writeFileSync(file, gzipSync([header, ...ops].map((op) => JSON.stringify(op)).join('\n') + '\n'));
  return { file, ops };
}

describe('shard cursor: a history read as the merge pulls it', () => {
  it('gives every op in order, the ones before time zero kept, holding one chunk at a time', async () => {
    const { file, ops } = history(60_000);
    const cursor = await ShardCursor.open(file);
    expect(cursor.header.op).toBe('run');
    const start = await cursor.findStart();
    expect(start).toMatchObject({ op: 'shard-start', zeroAt: 1_000 });
    const read: TimedOp[] = [];
    let mostHeld = 0;
    while (await cursor.ready()) {
      mostHeld = Math.max(mostHeld, cursor.held);
      read.push(cursor.take());
    }
    expect(read).toEqual(ops);
    expect(cursor.taken).toBe(ops.length);
    // streaming: never more than a small part of the file in memory
    expect(mostHeld).toBeLessThan(ops.length / 10);
  });

  it('a history with no time-zero record says so (undefined), and is still read whole', async () => {
    const cursor = ShardCursor.of('mem', { op: 'run', format: HISTORY_FORMAT, scenario: {}, clock: 'real', inFlightWindow: 1 }, [{ op: 'connect', t: 0, dev: 1 }]);
    expect(await cursor.findStart()).toBeUndefined();
    expect(await cursor.ready()).toBe(true);
    expect(cursor.take()).toEqual({ op: 'connect', t: 0, dev: 1 });
    expect(await cursor.ready()).toBe(false);
  });
});
