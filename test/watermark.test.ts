import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import jpeg from 'jpeg-js';
import { createWatermarker, type Watermark } from '../src/registry/watermark.ts';

const wm = createWatermarker('run-key-1');
const sample: Watermark = { deviceId: 'cam-000123', eventId: 42, publishedAt: 1_700_000_000_123, kind: 'thumb' };

/** Splits an encoded JPEG into its COM text and the image after it. */
function split(bytes: Buffer): { text: string; rest: Buffer } {
  const len = bytes.readUInt16BE(4);
  return { text: bytes.subarray(6, 4 + len).toString('latin1'), rest: bytes.subarray(4 + len) };
}
/** SOI + COM(text) + rest: lets a test forge or tamper with the comment. */
function withComment(text: string, rest: Buffer): Buffer {
  const head = Buffer.from([0xff, 0xd8, 0xff, 0xfe, 0, 0]);
  head.writeUInt16BE(text.length + 2, 4);
  return Buffer.concat([head, Buffer.from(text, 'latin1'), rest]);
}

describe('watermark', () => {
  it('round-trips thumbs and clips', () => {
    for (const kind of ['thumb', 'clip'] as const) {
      const w = { ...sample, kind };
      expect(wm.decode(wm.encode(w))).toEqual({ ok: true, watermark: w });
    }
  });

  it('puts the COM right after SOI, in the documented format', () => {
    const bytes = wm.encode(sample);
    expect([...bytes.subarray(0, 4)]).toEqual([0xff, 0xd8, 0xff, 0xfe]);
    expect(split(bytes).text).toMatch(/^cw1;k=thumb;d=cam-000123;e=42;t=1700000000123;m=[0-9a-f]{32}$/);
  });

  it('is a real JPEG: jpeg-js decodes it and sees the comment', () => {
    for (const [kind, size] of [['thumb', 8], ['clip', 16]] as const) {
      const bytes = wm.encode({ ...sample, kind });
      const img = jpeg.decode(bytes, { useTArray: true });
      expect([img.width, img.height]).toEqual([size, size]);
      expect(img.data.length).toBe(size * size * 4);
      expect(img.comments).toEqual([split(bytes).text]);
    }
  });

  it('rejects a different run key with bad-mac', () => {
    expect(createWatermarker('run-key-2').decode(wm.encode(sample))).toEqual({ ok: false, reason: 'bad-mac' });
    expect(createWatermarker(Buffer.from('run-key-1')).decode(wm.encode(sample)).ok).toBe(true);
  });

  it('detects tampering with every field', () => {
    const { text, rest } = split(wm.encode(sample));
    const edits: Array<[RegExp, string]> = [
      [/d=cam-000123/, 'd=cam-000124'],
      [/e=42/, 'e=43'],
      [/t=1700000000123/, 't=1700000000124'],
      [/k=thumb/, 'k=clip'],
    ];
    for (const [from, to] of edits) {
      const forged = text.replace(from, to);
      expect(forged).not.toBe(text);
      expect(wm.decode(withComment(forged, rest))).toEqual({ ok: false, reason: 'bad-mac' });
    }
    expect(wm.decode(withComment(text.replace(/m=./, 'm=Z'), rest))).toEqual({ ok: false, reason: 'malformed' });
  });

  it('classifies non-JPEG, unwatermarked and truncated input', () => {
    expect(wm.decode(new Uint8Array())).toEqual({ ok: false, reason: 'not-jpeg' });
    expect(wm.decode(Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'))).toEqual({ ok: false, reason: 'not-jpeg' });
    const plain = jpeg.encode({ width: 8, height: 8, data: Buffer.alloc(256, 200) }).data;
    expect(wm.decode(plain)).toEqual({ ok: false, reason: 'no-watermark' });
    const foreignComment = jpeg.encode({ width: 8, height: 8, data: Buffer.alloc(256), comments: ['hello'] }).data;
    expect(wm.decode(foreignComment)).toEqual({ ok: false, reason: 'no-watermark' });

    const bytes = wm.encode(sample);
    const comEnd = 4 + bytes.readUInt16BE(4);
    for (let cut = 0; cut < bytes.length; cut++) {
      const r = wm.decode(bytes.subarray(0, cut));
      if (cut < 2) expect(r).toEqual({ ok: false, reason: 'not-jpeg' });
      else if (cut < comEnd) expect(r).toEqual({ ok: false, reason: 'malformed' });
      else expect(r.ok).toBe(true); // O(1) decode reads only the leading segments, by design
    }
  });

  it('still verifies when a forwarder re-inserts a JFIF APP0 before the COM', () => {
    const bytes = wm.encode(sample);
    const app0 = Buffer.from([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
    const r = wm.decode(Buffer.concat([bytes.subarray(0, 2), app0, bytes.subarray(2)]));
    expect(r).toEqual({ ok: true, watermark: sample });
  });

  it('rejects unencodable watermarks with a TypeError', () => {
    const bad: Array<Partial<Watermark> & Record<string, unknown>> = [
      { deviceId: 'cam;1' }, { deviceId: 'cam\n1' }, { deviceId: 'camé' }, { deviceId: '' },
      { deviceId: 'x'.repeat(257) }, { eventId: -1 }, { eventId: 1.5 }, { publishedAt: Number.NaN },
      { publishedAt: 2 ** 53 }, { kind: 'video' as never },
    ];
    for (const patch of bad) expect(() => wm.encode({ ...sample, ...patch } as Watermark)).toThrow(TypeError);
    expect(() => createWatermarker('')).toThrow(TypeError);
  });

  it('property: decode never throws and only accepts genuine watermarks', () => {
    const genuine = wm.encode(sample);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (junk, asJpeg) => {
        const bytes = asJpeg ? Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xfe]), junk]) : junk;
        expect(wm.decode(bytes).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.nat(genuine.length - 1), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const bytes = Buffer.from(genuine);
        bytes[at] ^= flip;
        const r = wm.decode(bytes);
        if (r.ok) expect(r.watermark).toEqual(sample); // a bit flip can never forge another watermark
      }),
      { numRuns: 2000 },
    );
  });

  it('property: round trip holds for arbitrary valid watermarks', () => {
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => c !== ';');
    const watermark = fc.record({
      deviceId: fc.string({ unit: fc.constantFrom(...printable), minLength: 1, maxLength: 256 }),
      eventId: fc.maxSafeNat(),
      publishedAt: fc.maxSafeNat(),
      kind: fc.constantFrom('thumb' as const, 'clip' as const),
    });
    fc.assert(fc.property(watermark, (w) => {
      expect(wm.decode(wm.encode(w))).toEqual({ ok: true, watermark: w });
    }), { numRuns: 1000 });
  });
});
