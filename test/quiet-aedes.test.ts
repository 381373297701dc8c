import { Aedes } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { QuietAedes } from '../src/broker/quiet-aedes.ts';
import { MemoryServerTransport } from '../src/transport/memory-transport.ts';
import type { Link, LinkHandler } from '../src/transport/link.ts';
import { sleep } from './support/async.ts';

// QuietAedes registers and forgets clients as aedes does, without the `$SYS` connect and
// disconnect notices. The plain Aedes is the positive control: the same probe sees its notices.

const opened: Array<{ aedes: Aedes; transport: MemoryServerTransport }> = [];

afterEach(async () => {
  for (const { aedes, transport } of opened.splice(0)) {
    await transport.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
  }
});

class Probe implements LinkHandler {
  connacks = 0;
  closed = false;
  onLinkData(chunk: Buffer): void {
    if (chunk[0] === 0x20 && chunk[3] === 0) this.connacks++;
  }
  onLinkClose(): void {
    this.closed = true;
  }
}

async function connectAndDrop(aedes: Aedes): Promise<{ notices: string[]; registered: string[]; gone: string[]; connectedDuring: number; connectedAfter: number }> {
  await aedes.listen();
  const transport = new MemoryServerTransport();
  opened.push({ aedes, transport });
  const notices: string[] = [];
  const registered: string[] = [];
  const gone: string[] = [];
  await new Promise<void>((resolve) => aedes.subscribe('$SYS/+/+/clients', (packet, done) => (notices.push(`${packet.topic.split('/').slice(2).join('/')} ${String(packet.payload)}`), done()), resolve));
  aedes.on('client', (client) => registered.push(client.id));
  aedes.on('clientDisconnect', (client) => gone.push(client.id));
  const clientTransport = await transport.listen((stream) => aedes.handle(stream));
  const probe = new Probe();
  const link: Link = clientTransport.connect(probe);
  link.send(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'cam-1', keepalive: 0 }));
  for (let i = 0; i < 100 && probe.connacks === 0; i++) await sleep(5);
  expect(probe.connacks).toBe(1);
  const connectedDuring = aedes.connectedClients;
  link.hangUp();
  for (let i = 0; i < 100 && aedes.connectedClients > 0; i++) await sleep(5);
  await sleep(20);
  return { notices, registered, gone, connectedDuring, connectedAfter: aedes.connectedClients };
}

describe('QuietAedes', () => {
  it('registers and forgets a client, with its events, and publishes no $SYS notice', async () => {
    const seen = await connectAndDrop(new QuietAedes({ concurrency: 0 }));
    expect(seen).toEqual({ notices: [], registered: ['cam-1'], gone: ['cam-1'], connectedDuring: 1, connectedAfter: 0 });
  });

  it('positive control: plain aedes publishes both notices, seen by the same probe', async () => {
    const seen = await connectAndDrop(new Aedes({ concurrency: 0 }));
    expect(seen.notices).toEqual(['new/clients cam-1', 'disconnect/clients cam-1']);
    expect(seen.registered).toEqual(['cam-1']);
    expect(seen.connectedAfter).toBe(0);
  });
});
