import mqttPacket from 'mqtt-packet';

/** MQTT 3.1.1 control packet types (fixed header, high nibble) [MQTT-2.2.1]. */
export const PacketType = {
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  subscribe: 8,
  suback: 9,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
} as const;

const PINGREQ = Buffer.from([0xc0, 0x00]);
const DISCONNECT = Buffer.from([0xe0, 0x00]);

/** Connect flags [MQTT-3.1.2-3]: user name, password, clean session; no will. */
const CONNECT_FLAGS = 0x80 | 0x40 | 0x02;
/** Protocol name "MQTT" and level 4 (3.1.1) [MQTT-3.1.2-1], [MQTT-3.1.2-2]. */
const PROTOCOL = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04]);

/** CONNECT written by hand into one buffer: every (re)connect of every client pays it. */
export function encodeConnect(clientId: string, username: string, password: string, keepalive: number): Buffer {
  const idLength = Buffer.byteLength(clientId);
  const userLength = Buffer.byteLength(username);
  const passwordLength = Buffer.byteLength(password);
  const remaining = PROTOCOL.length + 1 + 2 + 2 + idLength + 2 + userLength + 2 + passwordLength;
  const out = Buffer.allocUnsafe(1 + remainingLengthBytes(remaining) + remaining);
  out[0] = 0x10;
  let offset = writeRemainingLength(out, 1, remaining);
  offset += PROTOCOL.copy(out, offset);
  out[offset++] = CONNECT_FLAGS;
  out.writeUInt16BE(keepalive, offset);
  offset = writeString(out, offset + 2, clientId, idLength);
  offset = writeString(out, offset, username, userLength);
  writeString(out, offset, password, passwordLength);
  return out;
}

/** A UTF-8 string with its 2-byte length prefix [MQTT-1.5.3]; returns the offset after it. */
function writeString(out: Buffer, offset: number, value: string, byteLength: number): number {
  out.writeUInt16BE(byteLength, offset);
  return offset + 2 + out.write(value, offset + 2, 'utf8');
}

export function encodeSubscribe(messageId: number, filters: readonly string[]): Buffer {
  return mqttPacket.generate({
    cmd: 'subscribe',
    messageId,
    subscriptions: filters.map((topic) => ({ topic, qos: 0 as const })),
  });
}

export function encodePingreq(): Buffer {
  return PINGREQ;
}

export function encodeDisconnect(): Buffer {
  return DISCONNECT;
}

/** QoS 0 PUBLISH written by hand into one buffer: it is the hot path of every camera. `retain`: the broker keeps it for later subscribers [MQTT-3.3.1-5]. */
export function encodePublish(topic: string, payload: Uint8Array, retain = false): Buffer {
  const topicLength = Buffer.byteLength(topic);
  const remaining = 2 + topicLength + payload.length;
  const out = Buffer.allocUnsafe(1 + remainingLengthBytes(remaining) + remaining);
  out[0] = retain ? 0x31 : 0x30;
  let offset = writeRemainingLength(out, 1, remaining);
  out.writeUInt16BE(topicLength, offset);
  offset += 2;
  offset += out.write(topic, offset, 'utf8');
  out.set(payload, offset);
  return out;
}

/** Bytes of the variable-length "remaining length" [MQTT-2.2.3]. */
function remainingLengthBytes(remaining: number): number {
  return remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
}

/** Writes the remaining length at `offset`; returns the offset after it. */
function writeRemainingLength(out: Buffer, offset: number, remaining: number): number {
  let value = remaining;
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out[offset++] = byte;
  } while (value > 0);
  return offset;
}

/**
 * Splits a byte stream into frames. Returns the unconsumed tail (or null) to keep as the
 * client's only parser state, calling onFrame(type, flags, body) per complete packet.
 */
export function readFrames(
  pending: Buffer | null,
  chunk: Buffer,
  onFrame: (type: number, flags: number, body: Buffer) => void,
): Buffer | null {
  let data = pending === null ? chunk : Buffer.concat([pending, chunk]);
  let offset = 0;
  while (data.length - offset >= 2) {
    let multiplier = 1;
    let remaining = 0;
    let i = offset + 1;
    let complete = false;
    for (let n = 0; n < 4 && i < data.length; n++, i++) {
      const byte = data[i];
      remaining += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if ((byte & 0x80) === 0) {
        complete = true;
        i++;
        break;
      }
    }
    if (!complete) break; // the length itself is split across chunks
    if (data.length - i < remaining) break;
    const header = data[offset];
    onFrame(header >> 4, header & 0x0f, data.subarray(i, i + remaining));
    offset = i + remaining;
  }
  if (offset >= data.length) return null;
  // copy the tail so a large chunk is not kept alive by a few leftover bytes
  return Buffer.from(data.subarray(offset));
}

/** Topic and payload of a QoS 0 PUBLISH body [MQTT-3.3.2]. */
export function decodePublish(flags: number, body: Buffer): { topic: string; payload: Buffer } {
  const topicLength = body.readUInt16BE(0);
  const topic = body.toString('utf8', 2, 2 + topicLength);
  const qos = (flags >> 1) & 0x03;
  const payloadStart = 2 + topicLength + (qos > 0 ? 2 : 0);
  return { topic, payload: body.subarray(payloadStart) };
}
