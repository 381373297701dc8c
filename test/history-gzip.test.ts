import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryRecorder } from '../src/history/history-recorder.ts';
import type { HistoryOp } from '../src/history/history-op.ts';
import { HISTORY_FORMAT } from '../src/history/history-op.ts';
import { readHistory } from '../src/history/read-history.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswire-gzip-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const header: HistoryOp = { op: 'run', format: HISTORY_FORMAT, scenario: { seed: 1 }, clock: 'virtual', inFlightWindow: 500 } as HistoryOp;
/** Enough ops for several 64 KiB flushes. */
const ops = (n: number): HistoryOp[] => Array.from({ length: n }, (_, i) => ({ op: 'connect', t: i, dev: i % 997 }) as HistoryOp);

function record(file: string, all: HistoryOp[], close = true): { recorder: HistoryRecorder; text: string } {
  const recorder = new HistoryRecorder({ apply: () => {} }, { file, wallClock: false });
  let text = '';
  for (const op of all) {
    recorder.record(op);
    text += JSON.stringify(op) + '\n';
  }
  if (close) recorder.close();
  return { recorder, text };
}

const read = async (file: string) => {
  const seen: HistoryOp[] = [];
  const reading = await readHistory(file, () => (op) => seen.push(op));
  return { reading, seen };
};

describe('a gzip history', () => {
  it('round-trips: the reader sees every op, and hash and size are the ndjson\'s, as a plain file gives', async () => {
    const all = [header, ...ops(20_000)];
    const gz = join(dir, 'round.ndjson.gz');
    const plain = join(dir, 'round.ndjson');
    const { recorder, text } = record(gz, all);
    record(plain, all);
    const sha = createHash('sha256').update(text).digest('hex');
    expect(recorder.close()).toBe(sha);
    expect(recorder.bytes).toBe(Buffer.byteLength(text));
    expect(recorder.fileBytes).toBe((await stat(gz)).size);
    expect(recorder.fileBytes).toBeLessThan(recorder.bytes / 4);
    expect(gunzipSync(await readFile(gz)).toString()).toBe(text);
    expect(await readFile(plain, 'utf8')).toBe(text);
    const fromGz = await read(gz);
    const fromPlain = await read(plain);
    expect(fromGz.reading).toMatchObject({ ops: all.length, bytes: recorder.bytes, sha256: sha, compressed: true });
    expect(fromPlain.reading).toMatchObject({ ops: all.length, bytes: recorder.bytes, sha256: sha, compressed: false });
    expect(fromGz.seen).toEqual(all);
  });

  it('is a complete gzip after every flush, before the recorder is closed (what an interrupt leaves)', async () => {
    const gz = join(dir, 'open.ndjson.gz');
    const { recorder } = record(gz, [header, ...ops(5_000)], false);
    recorder.flush();
    const text = gunzipSync(await readFile(gz)).toString();
    expect(text.split('\n').filter(Boolean)).toHaveLength(5_001);
    recorder.record({ op: 'end', t: 5_000, interrupted: true } as HistoryOp);
    recorder.flush();
    const lines = gunzipSync(await readFile(gz)).toString().trimEnd().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ op: 'end', interrupted: true });
    recorder.close();
  });

  it('cut in the middle of a member, is read up to where it ends', async () => {
    const gz = join(dir, 'cut.ndjson.gz');
    const { text } = record(gz, [header, ...ops(20_000)]);
    const bytes = await readFile(gz);
    await writeFile(gz, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const { reading, seen } = await read(gz);
    expect(reading.ops).toBeGreaterThan(1000);
    expect(reading.ops).toBeLessThan(20_001);
    // what was read is the history's beginning, op for op
    expect(seen).toEqual(text.split('\n').slice(0, seen.length).map((l) => JSON.parse(l)));
  });

  it('that is corrupt is a usage error naming the file', async () => {
    const gz = join(dir, 'corrupt.ndjson.gz');
    record(gz, [header, ...ops(2_000)]);
    const bytes = await readFile(gz);
    bytes.fill(0xaa, 20, 2000);
    await writeFile(gz, bytes);
    await expect(read(gz)).rejects.toMatchObject({ code: 'HISTORY_MALFORMED', exitCode: 2, message: expect.stringContaining(`${gz}: not a readable gzip history`) });
  });
});
