/**
 * What a camera publishes: a 16-byte header the service reads (event id, publish time) followed
 * by the watermarked JPEG thumbnail. The service forwards the payload unchanged; the oracle
 * trusts only the watermark inside the JPEG, never this header.
 */
const MAGIC = 0x43574531; // "CWE1"
export const HEADER_BYTES = 16;

export function encodeEventPayload(eventId: number, publishedAt: number, thumbnail: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + thumbnail.length);
  out.writeUInt32BE(MAGIC, 0);
  out.writeUInt32BE(eventId >>> 0, 4);
  out.writeDoubleBE(publishedAt, 8);
  thumbnail.copy(out, HEADER_BYTES);
  return out;
}

export interface EventHeader {
  eventId: number;
  publishedAt: number;
}

export function readEventHeader(payload: Buffer): EventHeader | undefined {
  if (payload.length < HEADER_BYTES || payload.readUInt32BE(0) !== MAGIC) return undefined;
  return { eventId: payload.readUInt32BE(4), publishedAt: payload.readDoubleBE(8) };
}

export function thumbnailOf(payload: Buffer): Buffer {
  return payload.subarray(HEADER_BYTES);
}
