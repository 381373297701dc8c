import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { within } from './support/async.ts';
import { startInteropBroker, type BrokerKind, type InteropBroker, type Principal } from './support/interop-brokers.ts';
import { skipWithoutMosquitto } from './support/private-mosquitto.ts';

// A zero-length client id with clean=false [MQTT-3.1.3-8]: mqtt.js, Paho and the mosquitto
// clients all refuse to send it (test/support/interop-suite.ts checks that), so this CONNECT is
// built by hand, byte by byte, and sent to each broker.

function utf8(text: string): Buffer {
  const bytes = Buffer.from(text);
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
}

/** MQTT 3.1.1 CONNECT: the id, username and password, clean flag as asked, keep-alive 60 s. */
function connectPacket(clientId: string, who: Principal, clean: boolean): Buffer {
  const flags = 0x80 | 0x40 | (clean ? 0x02 : 0);
  const body = Buffer.concat([utf8('MQTT'), Buffer.from([4, flags, 0, 60]), utf8(clientId), utf8(who.username), utf8(who.password)]);
  return Buffer.concat([Buffer.from([0x10, body.length]), body]); // short enough for a one-byte length
}

/** The CONNACK's return code, and whether the broker then closed the link. */
async function exchange(broker: InteropBroker, packet: Buffer): Promise<{ code: number | undefined; closed: boolean }> {
  const socket = connect({ host: broker.host, port: broker.port });
  let code: number | undefined;
  socket.on('data', (d: Buffer) => {
    if (d[0] === 0x20 && d.length >= 4) code = d[3];
  });
  socket.write(packet);
  const closed = await within(new Promise<boolean>((resolve) => socket.once('close', () => resolve(true))), 3000, 'the close').catch(() => false);
  socket.destroy();
  return { code, closed };
}

for (const kind of ['crosswire', 'mosquitto'] as BrokerKind[]) {
  describe.skipIf(kind === 'mosquitto' && skipWithoutMosquitto('raw CONNECT on Mosquitto'))(`raw CONNECT, ${kind} broker`, () => {
    let broker: InteropBroker;
    beforeAll(async () => void (broker = await startInteropBroker(kind)), 30_000);
    afterAll(async () => broker?.stop());

    it('a zero-length client id with clean=false is refused with 0x02 (identifier rejected) and closed [MQTT-3.1.3-8]', async () => {
      expect(await exchange(broker, connectPacket('', broker.service, false))).toEqual({ code: 2, closed: true });
    });

    it('the same CONNECT with clean=true is accepted [MQTT-3.1.3-6] (the positive control of the byte layout)', async () => {
      const socket = connect({ host: broker.host, port: broker.port });
      socket.write(connectPacket('', broker.service, true));
      const code = await within(new Promise<number>((resolve) => socket.once('data', (d: Buffer) => resolve(d[3]))), 3000, 'the CONNACK');
      socket.destroy();
      expect(code).toBe(0);
    });
  });
}
