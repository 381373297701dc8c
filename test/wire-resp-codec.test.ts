import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCommand, encodeReply, RespError, RespParser, RespProtocolError, type RespReply } from '../src/cache/wire/resp-codec.ts';

/** Comparable form: error replies become plain objects (Error equality ignores too much). */
type Plain = string | number | null | { error: string } | Plain[];
function plain(reply: RespReply): Plain {
  if (reply instanceof RespError) return { error: reply.message };
  return Array.isArray(reply) ? reply.map(plain) : reply;
}

const line = fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !s.includes('\r') && !s.includes('\n'));
const text = fc.string({ unit: 'binary', maxLength: 40 }); // bulk strings may hold CRLF and any UTF-8

/** Replies with their bytes written independently of encodeReply, so both sides are checked. */
const { wire } = fc.letrec<{ wire: { bytes: string; value: Plain } }>((tie) => ({
  wire: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    line.map((s) => ({ bytes: `+${s}\r\n`, value: s })),
    line.map((s) => ({ bytes: `-${s}\r\n`, value: { error: s } })),
    fc.maxSafeInteger().map((n) => ({ bytes: `:${n}\r\n`, value: n })),
    text.map((s) => ({ bytes: `$${Buffer.byteLength(s)}\r\n${s}\r\n`, value: s })),
    fc.constantFrom({ bytes: '$-1\r\n', value: null }, { bytes: '*-1\r\n', value: null }),
    fc.array(tie('wire'), { maxLength: 4 }).map((items) => ({
      bytes: `*${items.length}\r\n${items.map((i) => i.bytes).join('')}`,
      value: items.map((i) => i.value),
    })),
  ),
}));

/** Splits bytes at the given cut points (taken modulo the length). */
function chunk(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  return chunks;
}

describe('RESP codec', () => {
  it('parses any sequence of replies, however the socket chunks it', () => {
    fc.assert(
      fc.property(fc.array(wire, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 30 }), (replies, cuts) => {
        const parser = new RespParser();
        const bytes = Buffer.from(replies.map((r) => r.bytes).join(''));
        const parsed = chunk(bytes, cuts).flatMap((c) => parser.push(c));
        expect(parsed.map(plain)).toEqual(replies.map((r) => r.value));
        expect(parser.buffered).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips encodeReply and parses one byte at a time', () => {
    fc.assert(
      fc.property(wire, ({ value }) => {
        const reply = toReply(value);
        const parser = new RespParser();
        const bytes = encodeReply(reply);
        const parsed: RespReply[] = [];
        for (let i = 0; i < bytes.length; i++) parsed.push(...parser.push(bytes.subarray(i, i + 1)));
        // encodeReply writes strings as bulk strings and null as a null bulk string
        expect(parsed.map(plain)).toEqual([value]);
      }),
      { numRuns: 300 },
    );
  });

  it('encodes commands as arrays of bulk strings with byte lengths', () => {
    expect(encodeCommand(['SET', 'owner:A', 'acct-é', 'PX', 500]).toString()).toBe(
      '*5\r\n$3\r\nSET\r\n$7\r\nowner:A\r\n$7\r\nacct-é\r\n$2\r\nPX\r\n$3\r\n500\r\n',
    );
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 6 }), (args) => {
        expect(new RespParser().push(encodeCommand(args))).toEqual([args]);
      }),
    );
  });

  it('keeps a partial reply until it completes and rejects bytes that are not RESP', () => {
    const parser = new RespParser();
    expect(parser.push(Buffer.from('$5\r\nacc'))).toEqual([]);
    expect(parser.push(Buffer.from('t-\r'))).toEqual([]);
    expect(parser.push(Buffer.from('\n+OK\r\n:4'))).toEqual(['acct-', 'OK']);
    expect(parser.push(Buffer.from('2\r\n'))).toEqual([42]);
    expect(() => new RespParser().push(Buffer.from('?what\r\n'))).toThrow(RespProtocolError);
    expect(() => new RespParser().push(Buffer.from('$3\r\nabcXY'))).toThrow(RespProtocolError);
  });
});

function toReply(value: Plain): RespReply {
  if (Array.isArray(value)) return value.map(toReply);
  if (value !== null && typeof value === 'object') return new RespError(value.error);
  return value;
}
