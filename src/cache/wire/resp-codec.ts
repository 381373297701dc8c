/**
 * RESP2, the Redis wire protocol: commands go out as arrays of bulk strings, replies come back
 * as one of five types. Nothing in a reply says which request it answers — the root of every
 * wire-level mixup in docs/mechanisms.md — so the parser only delivers replies in order.
 */

/** An error reply (`-ERR …`): a value on the wire, not a failure of the parser. */
export class RespError extends Error {
  override readonly name = 'RespError';
}

/** Thrown when the bytes are not RESP: the connection can no longer be trusted. */
export class RespProtocolError extends Error {
  override readonly name = 'RespProtocolError';
}

/** Simple and bulk strings both become strings; a null bulk/array becomes null. */
export type RespReply = string | number | null | RespError | RespReply[];

const CRLF = '\r\n';

/** `SET k v` → `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n`, lengths in bytes. */
export function encodeCommand(args: readonly (string | number)[]): Buffer {
  let out = `*${args.length}${CRLF}`;
  for (const arg of args) {
    const text = String(arg);
    out += `$${Buffer.byteLength(text)}${CRLF}${text}${CRLF}`;
  }
  return Buffer.from(out);
}

/** Encodes a reply the way a server would (strings as bulk strings); for tests and fakes. */
export function encodeReply(reply: RespReply): Buffer {
  if (reply === null) return Buffer.from(`$-1${CRLF}`);
  if (typeof reply === 'number') return Buffer.from(`:${reply}${CRLF}`);
  if (typeof reply === 'string') return Buffer.from(`$${Buffer.byteLength(reply)}${CRLF}${reply}${CRLF}`);
  if (reply instanceof RespError) return Buffer.from(`-${reply.message}${CRLF}`);
  return Buffer.concat([Buffer.from(`*${reply.length}${CRLF}`), ...reply.map(encodeReply)]);
}

/** Result of one parse attempt: a reply and where it ended, or how many bytes it needs at least. */
type Attempt = { reply: RespReply; end: number } | { need: number };

/**
 * Incremental reply parser. Feed it chunks exactly as the socket delivers them: a reply may be
 * split anywhere (even inside a UTF-8 character or a CRLF) and one chunk may hold many replies.
 */
export class RespParser {
  private buffer: Buffer = Buffer.alloc(0);
  /** Do not retry before this many bytes are buffered (keeps a big bulk string linear). */
  private need = 0;

  /** Returns every reply completed by this chunk, in order. */
  push(chunk: Buffer): RespReply[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const replies: RespReply[] = [];
    let offset = 0;
    while (offset < this.buffer.length && this.buffer.length >= this.need) {
      const attempt = parseAt(this.buffer, offset);
      if ('need' in attempt) {
        this.need = attempt.need - offset;
        break;
      }
      replies.push(attempt.reply);
      offset = attempt.end;
      this.need = 0;
    }
    this.buffer = this.buffer.subarray(offset);
    return replies;
  }

  /** Bytes received that do not yet form a whole reply. */
  get buffered(): number {
    return this.buffer.length;
  }

  reset(): void {
    this.buffer = Buffer.alloc(0);
    this.need = 0;
  }
}

function parseAt(buf: Buffer, start: number): Attempt {
  const lineEnd = buf.indexOf(CRLF, start + 1);
  if (lineEnd < 0) return { need: buf.length + 1 };
  const type = buf[start];
  const line = buf.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case 0x2b: // '+'
      return { reply: line, end: next };
    case 0x2d: // '-'
      return { reply: new RespError(line), end: next };
    case 0x3a: // ':'
      return { reply: toInteger(line), end: next };
    case 0x24: { // '$'
      const length = toInteger(line);
      if (length === -1) return { reply: null, end: next };
      if (length < 0) throw new RespProtocolError(`bad bulk length ${line}`);
      const end = next + length + 2;
      if (buf.length < end) return { need: end };
      if (buf[end - 2] !== 0x0d || buf[end - 1] !== 0x0a) throw new RespProtocolError('bulk string not terminated by CRLF');
      return { reply: buf.toString('utf8', next, next + length), end };
    }
    case 0x2a: { // '*'
      const count = toInteger(line);
      if (count === -1) return { reply: null, end: next };
      if (count < 0) throw new RespProtocolError(`bad array length ${line}`);
      const items: RespReply[] = [];
      let offset = next;
      for (let i = 0; i < count; i++) {
        const item = offset < buf.length ? parseAt(buf, offset) : { need: offset + 1 };
        if ('need' in item) return item;
        items.push(item.reply);
        offset = item.end;
      }
      return { reply: items, end: offset };
    }
    default:
      throw new RespProtocolError(`unknown reply type byte 0x${(type ?? 0).toString(16)}`);
  }
}

function toInteger(text: string): number {
  if (!/^-?\d+$/.test(text)) throw new RespProtocolError(`not an integer: ${JSON.stringify(text)}`);
  return Number(text);
}
