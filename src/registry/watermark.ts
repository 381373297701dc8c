import { hash } from 'node:crypto';
import jpeg from 'jpeg-js';

/**
 * Watermarked media: every thumbnail and clip is a tiny real JPEG whose first segment after SOI
 * is a COM carrying `cw1;k=..;d=..;e=..;t=..;m=<mac>`. The bytes alone prove which device and
 * event they came from, so the oracle can check deliveries from a system that only forwards bytes.
 */
export type MediaKind = 'thumb' | 'clip';
export interface Watermark { deviceId: string; eventId: number; publishedAt: number; kind: MediaKind }
export type WatermarkCheck =
  | { ok: true; watermark: Watermark }
  | { ok: false; reason: 'not-jpeg' | 'no-watermark' | 'malformed' | 'bad-mac' };
export interface Watermarker {
  encode(watermark: Watermark): Buffer;
  decode(bytes: Uint8Array): WatermarkCheck;
}

const MAC_BYTES = 16;
const MAX_DEVICE_ID = 256; // keeps the COM far below its 64 KiB segment limit
const DEVICE_ID = /^[\x20-\x3a\x3c-\x7e]+$/; // printable ASCII except ';' (the field separator)
const PAYLOAD =
  /^cw1;k=(thumb|clip);d=([\x20-\x3a\x3c-\x7e]{1,256});e=(0|[1-9]\d{0,15});t=(0|[1-9]\d{0,15});m=([0-9a-f]{32})$/;
const MAX_SEGMENTS = 8; // decode looks at a bounded number of leading segments: O(1) per check

/**
 * The image after SOI, built once per module. jpeg-js writes a JFIF APP0 first; we drop it so
 * our COM really is the first segment (JFIF is optional; decoders default 3 channels to YCbCr).
 */
function baseImage(size: number): Buffer {
  const data = Buffer.alloc(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    const x = i % size, y = Math.floor(i / size);
    data.set([(x * 255) / size, (y * 255) / size, 128, 255], i * 4); // a gradient, not a flat block
  }
  const full = jpeg.encode({ width: size, height: size, data }, 50).data;
  const skip = full[3] === 0xe0 ? 4 + full.readUInt16BE(4) : 2;
  return Buffer.from(full.subarray(skip));
}
const BASE: Record<MediaKind, Buffer> = { thumb: baseImage(8), clip: baseImage(16) };

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

export function createWatermarker(runKey: Buffer | string): Watermarker {
  if (runKey.length === 0) throw new TypeError('watermark run key must not be empty');
  // The tag is SHA-256 over a secret prefix and the fields, truncated to 128 bits: the
  // truncation rules out length extension (the hidden half of the state is needed), and the
  // one-shot hash costs a fifth of an HMAC object per thumbnail. The prefix is the run key in hex.
  const key = Buffer.from(runKey).toString('hex');
  const mac = (body: string): string => hash('sha256', key + body, 'hex').slice(0, 2 * MAC_BYTES);

  function encode(w: Watermark): Buffer {
    if (w.kind !== 'thumb' && w.kind !== 'clip') throw new TypeError(`bad media kind: ${String(w.kind)}`);
    if (typeof w.deviceId !== 'string' || w.deviceId.length > MAX_DEVICE_ID || !DEVICE_ID.test(w.deviceId)) {
      throw new TypeError(`device id must be 1..${MAX_DEVICE_ID} printable ASCII chars without ';'`);
    }
    if (!isCount(w.eventId)) throw new TypeError(`event id must be a non-negative safe integer`);
    if (!isCount(w.publishedAt)) throw new TypeError(`publishedAt must be a non-negative safe integer`);
    const body = `cw1;k=${w.kind};d=${w.deviceId};e=${w.eventId};t=${w.publishedAt}`;
    const text = `${body};m=${mac(body)}`;
    const rest = BASE[w.kind];
    // One allocation, one copy of the base: SOI, COM marker, COM length, text, then the image.
    const out = Buffer.allocUnsafe(6 + text.length + rest.length);
    out[0] = 0xff; out[1] = 0xd8; out[2] = 0xff; out[3] = 0xfe;
    out.writeUInt16BE(text.length + 2, 4);
    out.write(text, 6, 'latin1');
    rest.copy(out, 6 + text.length);
    return out;
  }

  function verify(text: string): WatermarkCheck {
    const m = PAYLOAD.exec(text);
    if (!m) return { ok: false, reason: 'malformed' };
    const eventId = Number(m[3]), publishedAt = Number(m[4]);
    if (!Number.isSafeInteger(eventId) || !Number.isSafeInteger(publishedAt)) return { ok: false, reason: 'malformed' };
    // a plain comparison: what the tag guards against is a system mixing media up, not one timing us
    if (m[5] !== mac(text.slice(0, text.length - 3 - 2 * MAC_BYTES))) return { ok: false, reason: 'bad-mac' };
    return { ok: true, watermark: { deviceId: m[2], eventId, publishedAt, kind: m[1] as MediaKind } };
  }

  function decode(bytes: Uint8Array): WatermarkCheck {
    if (!(bytes instanceof Uint8Array) || bytes.length < 2 || bytes[0] !== 0xff || bytes[1] !== 0xd8) {
      return { ok: false, reason: 'not-jpeg' };
    }
    // Walk the leading segments: ours is first, but tolerate a system that re-inserts APPn
    // (JFIF/Exif) or another COM in front. Anything else means the image data has begun.
    let at = 2;
    for (let n = 0; n < MAX_SEGMENTS; n++) {
      if (at + 4 > bytes.length) return { ok: false, reason: 'malformed' };
      if (bytes[at] !== 0xff) return { ok: false, reason: 'malformed' };
      const marker = bytes[at + 1];
      const len = (bytes[at + 2] << 8) | bytes[at + 3];
      const isCom = marker === 0xfe;
      if (!isCom && (marker < 0xe0 || marker > 0xef)) return { ok: false, reason: 'no-watermark' };
      if (len < 2 || at + 2 + len > bytes.length) return { ok: false, reason: 'malformed' };
      if (isCom && len >= 6) {
        const text = Buffer.from(bytes.buffer, bytes.byteOffset + at + 4, len - 2).toString('latin1');
        if (text.startsWith('cw1;')) return verify(text);
      }
      at += 2 + len;
    }
    return { ok: false, reason: 'no-watermark' };
  }

  return { encode, decode };
}
