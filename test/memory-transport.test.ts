import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MemoryServerTransport } from '../src/transport/memory-transport.ts';

// The in-process transport: the broker gets a Duplex, the client a Link; bytes arrive on a later tick.

const turn = () => new Promise((resolve) => setImmediate(resolve));

async function pair() {
  const server = new MemoryServerTransport();
  let brokerSide: Duplex | undefined;
  const client = await server.listen((stream) => (brokerSide = stream));
  const got: string[] = [];
  let closed = 0;
  const link = client.connect({ onLinkData: (chunk) => got.push(chunk.toString()), onLinkClose: () => void closed++ });
  return { server, link, broker: () => brokerSide!, got, closed: () => closed };
}

describe('memory transport', () => {
  it('delivers a packet written field by field while corked (as mqtt-packet writes) as one chunk', async () => {
    const { broker, got } = await pair();
    const stream = broker();
    stream.cork();
    for (const field of ['0', 'x', 'devices/cam-1/events', 'JPEG']) stream.write(Buffer.from(field));
    process.nextTick(() => stream.uncork());
    await turn();
    expect(got).toEqual(['0xdevices/cam-1/eventsJPEG']);
  });

  it('delivers uncorked writes one by one, in order, never inside the write itself', async () => {
    const { broker, got } = await pair();
    broker().write(Buffer.from('CONNACK'));
    broker().write(Buffer.from('SUBACK'));
    expect(got).toEqual([]);
    await turn();
    expect(got).toEqual(['CONNACK', 'SUBACK']);
  });

  it('refuses while refusing and drops every link on dropAll, each close heard once', async () => {
    const { server, closed } = await pair();
    server.setRefusing(true);
    expect(server.dropAll()).toBe(1);
    expect(server.dropAll()).toBe(0);
    await turn();
    expect(closed()).toBe(1);
  });
});
