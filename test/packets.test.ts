import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { decodePublish, encodeConnect, encodePublish, readFrames } from '../src/mqtt/packets.ts';

/** The lean client has no parser object: readFrames must cut any chunking of a stream right. */
describe('MQTT framing', () => {
  const packet = fc.record({
    topic: fc.stringMatching(/^[a-z0-9/-]{1,40}$/),
    payload: fc.uint8Array({ maxLength: 20_000 }),
  });

  it('encodes QoS 0 PUBLISH exactly as mqtt-packet does', () => {
    fc.assert(
      fc.property(packet, ({ topic, payload }) => {
        const ours = encodePublish(topic, payload);
        const theirs = mqttPacket.generate({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, dup: false, retain: false });
        expect(ours.equals(theirs)).toBe(true);
      }),
    );
  });

  it('recovers every packet whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(fc.array(packet, { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 50_000 }), { maxLength: 20 }), (packets, cuts) => {
        const stream = Buffer.concat(packets.map((p) => encodePublish(p.topic, p.payload)));
        const bounds = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const got: { topic: string; payload: Buffer }[] = [];
        let pending: Buffer | null = null;
        let from = 0;
        for (const to of [...bounds, stream.length]) {
          if (to <= from) continue;
          pending = readFrames(pending, stream.subarray(from, to), (type, flags, body) => {
            expect(type).toBe(3);
            got.push(decodePublish(flags, body));
          });
          from = to;
        }
        expect(pending).toBeNull();
        expect(got.map((g) => g.topic)).toEqual(packets.map((p) => p.topic));
        got.forEach((g, i) => expect(Buffer.compare(g.payload, Buffer.from(packets[i].payload))).toBe(0));
      }),
      { numRuns: 200 },
    );
  });
});

describe('CONNECT encoding', () => {
  it('encodes CONNECT exactly as mqtt-packet does', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 60 });
    fc.assert(
      fc.property(text, text, text, fc.integer({ min: 0, max: 65_535 }), (clientId, username, password, keepalive) => {
        const ours = encodeConnect(clientId, username, password, keepalive);
        const theirs = mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: true,
          clientId,
          keepalive,
          username,
          password: Buffer.from(password),
        });
        expect(ours.equals(theirs)).toBe(true);
      }),
    );
  });
});
