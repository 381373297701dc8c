/**
 * MQTT byte builders that can also build what a well-behaved encoder never would: over-long and
 * 5-byte remaining lengths, wrong header flags, strings of arbitrary bytes. The fuzzer writes its
 * packets with these, never with mqtt-packet, so a malformed field reaches the broker as drawn.
 */

/** How a packet's remaining length is written [MQTT-2.2.3]. */
export type LengthForm =
  | 'minimal'
  /** padded with continuation bytes to four bytes: legal in 3.1.1, not in 5 [MQTT-1.5.5-1] */
  | 'overlong'
  /** padded to five bytes: more than the four the field may take */
  | 'five-bytes'
  /** one less than the body: the last byte is read as the start of the next packet */
  | 'short'
  /** one more than the body: the broker waits for a byte that is the next packet's first */
  | 'long';

/** A variable byte integer [MQTT-1.5.5], minimal or padded with continuation bytes to `width`. */
export function varint(value: number, width = 0): Buffer {
  const bytes: number[] = [];
  let rest = value;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  while (bytes.length < width) {
    bytes[bytes.length - 1] |= 0x80;
    bytes.push(0);
  }
  return Buffer.from(bytes);
}

/** A fixed header (type, flags, remaining length in `form`) followed by the body. */
export function frame(type: number, flags: number, body: Buffer, form: LengthForm = 'minimal'): Buffer {
  const header = Buffer.from([((type & 0x0f) << 4) | (flags & 0x0f)]);
  switch (form) {
    case 'minimal':
      return Buffer.concat([header, varint(body.length), body]);
    case 'overlong':
      return Buffer.concat([header, varint(body.length, 4), body]);
    case 'five-bytes':
      return Buffer.concat([header, varint(body.length, 5), body]);
    case 'short':
      return Buffer.concat([header, varint(Math.max(0, body.length - 1)), body]);
    case 'long':
      return Buffer.concat([header, varint(body.length + 1), body]);
  }
}

/** Raw bytes with a 2-byte length prefix [MQTT-1.5.3]; longer than 65535 is cut. */
export function lengthPrefixed(bytes: Buffer): Buffer {
  const body = bytes.subarray(0, 0xffff);
  const out = Buffer.allocUnsafe(2 + body.length);
  out.writeUInt16BE(body.length, 0);
  body.copy(out, 2);
  return out;
}

export function utf8(text: string): Buffer {
  return lengthPrefixed(Buffer.from(text, 'utf8'));
}

export function uint16(value: number): Buffer {
  const out = Buffer.allocUnsafe(2);
  out.writeUInt16BE(value & 0xffff, 0);
  return out;
}

export function uint32(value: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(value >>> 0, 0);
  return out;
}
