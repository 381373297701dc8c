import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Credentials } from '../registry/credentials.ts';
import { Registry, type FleetShape } from '../registry/registry.ts';
import { FrameKind } from '../transport/frame-batch.ts';
import { FramedServerTransport } from '../transport/framed-server-transport.ts';
import type { BrokerCut } from './broker.ts';
import { EmbeddedBroker, type BrokerSettings } from './embedded-broker.ts';

/**
 * The broker thread (worker entry, started by ThreadedBroker): aedes with our auth and ACL on a
 * framed transport whose clients live in the run's thread. It rebuilds the registry from the
 * seed and the credentials from the run secret, so nothing per device crosses over.
 */
export interface BrokerThreadData {
  seed: number;
  shape: FleetShape;
  secret: Uint8Array;
  settings: BrokerSettings;
}

/** Run thread → broker thread, besides frame batches. */
export type BrokerControl =
  | { type: 'cut'; key: number; clientIds: string[] }
  | { type: 'uncut'; key: number }
  | { type: 'stop'; reply: number }
  | { type: 'start'; reply: number }
  | { type: 'close'; reply: number };

/** Broker thread → run thread, besides frame batches. */
export type BrokerReply = { type: 'ready' } | { type: 'done'; reply: number } | { type: 'failed'; reply?: number; message: string };

if (parentPort === null) throw new Error('broker-thread.ts runs as a worker thread');
const port: MessagePort = parentPort;
const data = workerData as BrokerThreadData;

// aedes' connect path builds an AbortError (with a stack) per connection as its queue pipeline
// ends; nothing in this thread ever shows a stack, so do not pay for capturing them
Error.stackTraceLimit = 0;

const registry = Registry.generate(data.seed, data.shape);
const credentials = new Credentials(Buffer.from(data.secret));
let broker: EmbeddedBroker;
const transport = new FramedServerTransport(
  (batch) => port.postMessage(batch, [batch]),
  (out) => {
    const s = broker.stats;
    out.addCounters(FrameKind.stats, [s.connacksAccepted, s.authRefused, s.publishDenied, s.subscribeDenied]);
  },
);
broker = await EmbeddedBroker.start(transport, credentials, registry, data.settings);
broker.onRegistered = (stream, clientId) => {
  const connection = transport.connectionOf(stream);
  if (connection !== undefined) transport.note(connection, FrameKind.registered, clientId);
};
const cuts = new Map<number, BrokerCut>();

const reply = (message: BrokerReply) => {
  transport.flush();
  port.postMessage(message);
};

port.on('message', (message: ArrayBuffer | BrokerControl) => {
  if (message instanceof ArrayBuffer) return transport.receive(message);
  void control(message).catch((error: unknown) =>
    reply({ type: 'failed', reply: 'reply' in message ? message.reply : undefined, message: String((error as Error)?.message ?? error) }),
  );
});

async function control(message: BrokerControl): Promise<void> {
  switch (message.type) {
    case 'cut':
      cuts.set(message.key, broker.cutOff(new Set(message.clientIds)));
      return;
    case 'uncut':
      cuts.get(message.key)?.restore();
      cuts.delete(message.key);
      return;
    case 'stop':
      await broker.stopForRestart();
      return reply({ type: 'done', reply: message.reply });
    case 'start':
      await broker.startAfterRestart();
      return reply({ type: 'done', reply: message.reply });
    case 'close':
      await broker.close();
      reply({ type: 'done', reply: message.reply });
      port.close();
      return;
  }
}

port.postMessage({ type: 'ready' } satisfies BrokerReply);
