import type { Duplex } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameKind, FrameWriter, readCounters, readFrames } from '../src/transport/frame-batch.ts';
import { FramedClientTransport } from '../src/transport/framed-client-transport.ts';
import { FramedServerTransport } from '../src/transport/framed-server-transport.ts';

// The memory transport split across two threads: frames in one buffer per turn, the broker
// side's accept queue, the run side's links. Both sides are driven here in one thread, by hand.

type Frame = [connection: number, kind: FrameKind, payload: string];

function framesOf(batch: ArrayBuffer): Frame[] {
  const out: Frame[] = [];
  readFrames(batch, (connection, kind, payload) => out.push([connection, kind, payload.toString('latin1')]));
  return out;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('frame batches', () => {
  it('carry any frames across, in order, whatever their sizes (the buffer grows and is reused)', () => {
    const kinds = [FrameKind.open, FrameKind.data, FrameKind.close, FrameKind.registered];
    const frame = fc.tuple(fc.nat({ max: 2 ** 32 - 1 }), fc.constantFrom(...kinds), fc.string({ unit: 'binary-ascii', maxLength: 70_000 }));
    const writer = new FrameWriter();
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 20 }), (frames) => {
        for (const [connection, kind, payload] of frames) writer.add(connection, kind, Buffer.from(payload, 'latin1'));
        expect(framesOf(writer.take())).toEqual(frames);
        expect(writer.isEmpty).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('carry counters as unsigned 32-bit numbers', () => {
    const writer = new FrameWriter();
    writer.addCounters(FrameKind.stats, [0, 1, 2 ** 32 - 1, 70_000]);
    readFrames(writer.take(), (connection, kind, payload) => {
      expect([connection, kind]).toEqual([0, FrameKind.stats]);
      expect(readCounters(payload)).toEqual([0, 1, 2 ** 32 - 1, 70_000]);
    });
  });
});

/** A broker-side transport whose accepted streams and outgoing frames are kept for inspection. */
async function brokerSide() {
  const sent: Frame[] = [];
  const accepted = new Map<number, { stream: Duplex; got: string[] }>();
  const server = new FramedServerTransport((batch) => sent.push(...framesOf(batch)));
  await server.listen((stream) => {
    const got: string[] = [];
    stream.on('data', (chunk: Buffer) => got.push(chunk.toString()));
    accepted.set(server.connectionOf(stream)!, { stream, got });
  });
  const deliver = (frames: Frame[]) => {
    const writer = new FrameWriter();
    for (const [connection, kind, payload] of frames) writer.add(connection, kind, payload === '' ? undefined : Buffer.from(payload));
    server.receive(writer.take());
  };
  return { server, sent, accepted, deliver };
}

describe('the broker side (FramedServerTransport)', () => {
  it('lets new connections in at most 256 a turn, while established ones are served at once', async () => {
    const { accepted, deliver } = await brokerSide();
    deliver([[1, FrameKind.open, ''], [1, FrameKind.data, 'CONNECT 1']]);
    await turn();
    expect([...accepted.keys()]).toEqual([1]);
    // a herd of 1,000, then the established client's SUBSCRIBE behind it in the same batch
    const herd: Frame[] = [];
    for (let c = 2; c <= 1001; c++) herd.push([c, FrameKind.open, ''], [c, FrameKind.data, `CONNECT ${c}`]);
    deliver([...herd, [1, FrameKind.data, 'SUBSCRIBE']]);
    await turn(); // stream 'data' events come on the next tick
    expect(accepted.get(1)!.got).toEqual(['CONNECT 1', 'SUBSCRIBE']);
    expect(accepted.size).toBeLessThanOrEqual(1 + 256);
    for (let i = 0; i < 5; i++) await turn();
    expect(accepted.size).toBe(1001);
    // what each sent while it waited arrives once it is in
    expect(accepted.get(1001)!.got).toEqual(['CONNECT 1001']);
  });

  it('a connection closed while it waits is never let in, and nothing is said back', async () => {
    const { accepted, sent, deliver } = await brokerSide();
    deliver([[7, FrameKind.open, ''], [7, FrameKind.data, 'CONNECT'], [7, FrameKind.close, '']]);
    for (let i = 0; i < 3; i++) await turn();
    expect(accepted.size).toBe(0);
    expect(sent.filter(([, kind]) => kind === FrameKind.close)).toEqual([]);
  });

  it('tells the other side when the broker closes a link, not when the other side did', async () => {
    const { accepted, sent, deliver } = await brokerSide();
    deliver([[1, FrameKind.open, ''], [2, FrameKind.open, '']]);
    await turn();
    accepted.get(1)!.stream.destroy(); // the broker hangs up
    deliver([[2, FrameKind.close, '']]); // the client hung up
    for (let i = 0; i < 3; i++) await turn();
    expect(sent.filter(([, kind]) => kind === FrameKind.close)).toEqual([[1, FrameKind.close, '']]);
    expect(accepted.get(2)!.stream.destroyed).toBe(true);
  });

  it('carries what the broker writes, one batch per turn', async () => {
    const { accepted, sent, deliver } = await brokerSide();
    deliver([[1, FrameKind.open, '']]);
    await turn();
    const { stream } = accepted.get(1)!;
    stream.write(Buffer.from('CONNACK'));
    stream.write(Buffer.from('SUBACK'));
    expect(sent).toEqual([]);
    await turn();
    expect(sent).toEqual([[1, FrameKind.data, 'CONNACK'], [1, FrameKind.data, 'SUBACK']]);
  });

  it('carries a packet written field by field while corked (as mqtt-packet writes) as one frame', async () => {
    const { accepted, sent, deliver } = await brokerSide();
    deliver([[1, FrameKind.open, '']]);
    await turn();
    const { stream } = accepted.get(1)!;
    stream.cork();
    for (const field of ['0', 'x', 'devices/cam-1/events', 'JPEG']) stream.write(Buffer.from(field));
    process.nextTick(() => stream.uncork());
    await turn(); // the uncork's flush is scheduled behind this turn's
    await turn();
    expect(sent).toEqual([[1, FrameKind.data, '0xdevices/cam-1/eventsJPEG']]);
  });
});

describe('the run side (FramedClientTransport)', () => {
  function runSide() {
    const batches: Frame[][] = [];
    const events: string[] = [];
    const links = new FramedClientTransport((batch) => batches.push(framesOf(batch)), {
      registered: (c, id) => events.push(`registered ${c} ${id}`),
      closed: (c) => events.push(`closed ${c}`),
      counters: (values) => events.push(`counters ${values.join(',')}`),
    });
    const fromBroker = (frames: Frame[]) => {
      const writer = new FrameWriter();
      for (const [connection, kind, payload] of frames) writer.add(connection, kind, payload === '' ? undefined : Buffer.from(payload));
      links.receive(writer.take());
    };
    const handler = () => {
      const h = { got: [] as string[], closed: 0, onLinkData: (b: Buffer) => h.got.push(b.toString()), onLinkClose: () => void h.closed++ };
      return h;
    };
    return { links, batches, events, fromBroker, handler };
  }

  it('opens, sends and hangs up in one batch per turn; a hang-up is heard on the next tick', async () => {
    const { links, batches, handler } = runSide();
    const h = handler();
    const link = links.client.connect(h);
    link.send(Buffer.from('CONNECT'));
    link.hangUp();
    link.send(Buffer.from('late')); // after hanging up: dropped
    expect(h.closed).toBe(0);
    await turn();
    expect(h.closed).toBe(1);
    expect(batches).toEqual([[[1, FrameKind.open, ''], [1, FrameKind.data, 'CONNECT'], [1, FrameKind.close, '']]]);
  });

  it('hands the broker bytes to the right client, and closes a link the broker closed without echoing it', async () => {
    const { links, batches, events, fromBroker, handler } = runSide();
    const a = handler();
    const b = handler();
    links.client.connect(a);
    links.client.connect(b);
    links.flush();
    fromBroker([[2, FrameKind.registered, 'cam-2'], [2, FrameKind.data, 'CONNACK'], [1, FrameKind.close, ''], [0, FrameKind.stats, '']]);
    expect(b.got).toEqual(['CONNACK']);
    await turn();
    expect(a.closed).toBe(1);
    expect(links.openConnections).toBe(1);
    expect(events).toEqual(['registered 2 cam-2', 'closed 1', 'counters ']);
    expect(batches.flat().filter(([, kind]) => kind === FrameKind.close)).toEqual([]);
  });

  it('refuses at once while refusing; drops every link on dropAll, each heard once', async () => {
    const { links, handler } = runSide();
    const open = [handler(), handler()];
    for (const h of open) links.client.connect(h);
    links.setRefusing(true);
    expect(links.dropAll()).toBe(2);
    expect(links.dropAll()).toBe(0);
    const late = handler();
    expect(links.client.connect(late).refused).toBe(true);
    await turn();
    expect(open.map((h) => h.closed)).toEqual([1, 1]);
    expect(late.closed).toBe(1);
    expect(links.drop(1)).toBe(false);
  });
});
