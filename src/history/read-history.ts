import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { constants, createGunzip } from 'node:zlib';
import { usageError } from '../errors.ts';
import type { HistoryOp, RunHeader } from './history-op.ts';
import { HISTORY_FORMAT } from './history-op.ts';

export interface HistoryReading {
  header: RunHeader;
  ops: number;
  bytes: number;
  sha256: string;
  /** The file was gzip. */
  compressed: boolean;
}

/**
 * Streams a history (history.ndjson.gz, or an older run's plain history.ndjson: gzip is told by
 * its first bytes, not its name): checks the header, hands every op to `apply` in order, and
 * hashes the ndjson bytes read (the same sha256 the run recorded, compressed or not). A malformed
 * line is an error naming file and line (exit 2); a history cut short by an interrupted run —
 * or a gzip member cut short by a kill — is read up to where it ends.
 */
export async function readHistory(file: string, onHeader: (header: RunHeader) => (op: HistoryOp) => void): Promise<HistoryReading> {
  const hash = createHash('sha256');
  let header: RunHeader | undefined;
  let apply: ((op: HistoryOp) => void) | undefined;
  let line = 0;
  let ops = 0;
  let bytes = 0;
  let rest = '';
  const decoder = new StringDecoder('utf8');
  const take = (text: string) => {
    line++;
    if (text.length === 0) return;
    let op: HistoryOp;
    try {
      op = JSON.parse(text) as HistoryOp;
    } catch {
      throw usageError('HISTORY_MALFORMED', `${file}:${line}: not a JSON line`);
    }
    if (typeof op !== 'object' || op === null || typeof op.op !== 'string') throw usageError('HISTORY_MALFORMED', `${file}:${line}: expected an op record with an "op" field`);
    if (header === undefined) {
      if (op.op !== 'run') throw usageError('HISTORY_MALFORMED', `${file}:${line}: the first line must be the run header ("op":"run"), found "${op.op}"`);
      if (op.format !== HISTORY_FORMAT) throw usageError('HISTORY_FORMAT', `${file}:${line}: history format ${op.format}, this crosswire reads format ${HISTORY_FORMAT}`);
      header = op;
      apply = onHeader(op);
    }
    ops++;
    apply!(op);
  };
  let gzip = false;
  try {
    gzip = await isGzip(file);
    for await (const chunk of ndjsonStream(file, gzip)) {
      const buffer = chunk as Buffer;
      hash.update(buffer);
      bytes += buffer.length;
      const lines = (rest + decoder.write(buffer)).split('\n');
      rest = lines.pop()!;
      for (const text of lines) take(text);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw usageError('HISTORY_NOT_FOUND', `${file} does not exist`);
    if (gzip && typeof code === 'string' && code.startsWith('Z_')) throw usageError('HISTORY_MALFORMED', `${file}: not a readable gzip history after line ${line} (${(error as Error).message})`);
    throw error;
  }
  // a partial last line is what an interrupted write leaves: judged as far as it is whole
  if (rest.length > 0) line++;
  if (header === undefined) throw usageError('HISTORY_MALFORMED', `${file}: empty history (no run header)`);
  return { header, ops, bytes, sha256: hash.digest('hex'), compressed: gzip };
}

const GZIP_MAGIC = [0x1f, 0x8b];

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/** The file's ndjson bytes; a gzip file is inflated member after member. */
function ndjsonStream(file: string, gzip: boolean): Readable {
  const source = createReadStream(file);
  if (!gzip) return source;
  // a sync flush at the end: a member cut short yields what it holds instead of an error
  const gunzip = createGunzip({ finishFlush: constants.Z_SYNC_FLUSH });
  source.on('error', (error) => gunzip.destroy(error));
  return source.pipe(gunzip);
}
