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
  const lines = new HistoryLines(file);
  let apply: ((op: HistoryOp) => void) | undefined;
  let ops = 0;
  let bytes = 0;
  let gzip = false;
  try {
    gzip = await isGzip(file);
    for await (const chunk of ndjsonStream(file, gzip)) {
      const buffer = chunk as Buffer;
      hash.update(buffer);
      bytes += buffer.length;
      for (const op of lines.take(buffer)) {
        apply ??= onHeader(op as RunHeader);
        ops++;
        apply(op);
      }
    }
  } catch (error) {
    throw readError(error, file, gzip, lines.line);
  }
  return { header: lines.end(), ops, bytes, sha256: hash.digest('hex'), compressed: gzip };
}

/**
 * The same history as batches of ops (the header first, in the first batch), read as they are
 * pulled: a reader that interleaves several histories holds one chunk of each, never a whole file.
 */
export async function* historyBatches(file: string): AsyncGenerator<HistoryOp[]> {
  const lines = new HistoryLines(file);
  let gzip = false;
  try {
    gzip = await isGzip(file);
    for await (const chunk of ndjsonStream(file, gzip)) {
      const ops = lines.take(chunk as Buffer);
      if (ops.length > 0) yield ops;
    }
  } catch (error) {
    throw readError(error, file, gzip, lines.line);
  }
  lines.end();
}

/** Bytes of ndjson in, checked ops out: the header first, a malformed line named by file and line. */
class HistoryLines {
  line = 0;
  private header: RunHeader | undefined;
  private rest = '';
  private readonly decoder = new StringDecoder('utf8');
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  take(buffer: Buffer): HistoryOp[] {
    const texts = (this.rest + this.decoder.write(buffer)).split('\n');
    this.rest = texts.pop()!;
    const out: HistoryOp[] = [];
    for (const text of texts) {
      const op = this.parse(text);
      if (op !== undefined) out.push(op);
    }
    return out;
  }

  /** The header, once the whole file is read. */
  end(): RunHeader {
    // a partial last line is what an interrupted write leaves: judged as far as it is whole
    if (this.rest.length > 0) this.line++;
    if (this.header === undefined) throw usageError('HISTORY_MALFORMED', `${this.file}: empty history (no run header)`);
    return this.header;
  }

  private parse(text: string): HistoryOp | undefined {
    const { file } = this;
    const line = ++this.line;
    if (text.length === 0) return undefined;
    let op: HistoryOp;
    try {
      op = JSON.parse(text) as HistoryOp;
    } catch {
      throw usageError('HISTORY_MALFORMED', `${file}:${line}: not a JSON line`);
    }
    if (typeof op !== 'object' || op === null || typeof op.op !== 'string') throw usageError('HISTORY_MALFORMED', `${file}:${line}: expected an op record with an "op" field`);
    if (this.header === undefined) {
      if (op.op !== 'run') throw usageError('HISTORY_MALFORMED', `${file}:${line}: the first line must be the run header ("op":"run"), found "${op.op}"`);
      if (op.format !== HISTORY_FORMAT) throw usageError('HISTORY_FORMAT', `${file}:${line}: history format ${op.format}, this crosswire reads format ${HISTORY_FORMAT}`);
      this.header = op;
    }
    return op;
  }
}

function readError(error: unknown, file: string, gzip: boolean, line: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return usageError('HISTORY_NOT_FOUND', `${file} does not exist`);
  if (gzip && typeof code === 'string' && code.startsWith('Z_')) return usageError('HISTORY_MALFORMED', `${file}: not a readable gzip history after line ${line} (${(error as Error).message})`);
  return error;
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
