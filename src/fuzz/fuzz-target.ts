import { clientTransportOf } from '../broker/broker-endpoint.ts';
import type { AclMode } from '../broker/acl.ts';
import { defaultBrokerSettings, EmbeddedBroker } from '../broker/embedded-broker.ts';
import { ThreadedBroker } from '../broker/threaded-broker.ts';
import type { Principal } from '../registry/credentials.ts';
import type { ClientTransport, ServerTransport } from '../transport/link.ts';
import { MemoryServerTransport } from '../transport/memory-transport.ts';
import { TcpServerTransport } from '../transport/tcp-transport.ts';
import type { FuzzCast } from './fuzz-cast.ts';

/** A PUBLISH the broker let through (a client's, or a will), with the principal it came from. */
export interface AcceptedPublish {
  principal: Principal | undefined;
  clientId: string | undefined;
  topic: string;
  payload: string;
}

/** The broker a fuzz run attacks: crosswire's embedded one as it configures it, or one by URL. */
export interface FuzzTarget {
  readonly name: string;
  /** Where other processes reach it, when they can (loopback TCP or an external URL). */
  readonly url: string | undefined;
  readonly transport: ClientTransport;
  /**
   * Whether a SUBACK grant is the ACL's decision: crosswire's ACL refuses a filter at SUBSCRIBE
   * (0x80); Mosquitto grants any filter and withholds at delivery, so there only deliveries count.
   */
  readonly grantIsDecision: boolean;
  /**
   * Every PUBLISH the broker accepted since the last call, with its publisher (wills included):
   * the embedded broker only; an external broker is judged by what its subscribers receive.
   */
  takeAccepted(): AcceptedPublish[] | undefined;
  /** Why the broker stopped on its own (its thread died), if it did: a crash. */
  failure(): string | undefined;
  /** Resolves once the broker has let go of connections dropped before (their wills fired), at most `ms`. */
  settle(connected: number, ms: number): Promise<void>;
  close(): Promise<void>;
}

export interface EmbeddedTargetOptions {
  /** Loopback TCP, in-memory links, or aedes in a worker thread of its own (`broker.thread: worker`). */
  transport: 'tcp' | 'memory' | 'worker';
  /** The topic rules: `strict` (shipped), or a weakened one as a positive control (a planted bypass). */
  acl?: AclMode;
}

/** crosswire's embedded broker (aedes behind its auth and ACL) for the cast's seed, on loopback TCP or in memory. */
export async function embeddedTarget(cast: FuzzCast, options: EmbeddedTargetOptions): Promise<FuzzTarget> {
  if (options.transport === 'worker') return threadedTarget(cast, options.acl ?? 'strict');
  const tcp = options.transport === 'tcp' ? new TcpServerTransport() : undefined;
  const server: ServerTransport = tcp ?? new MemoryServerTransport();
  const acl = options.acl ?? 'strict';
  const broker = await EmbeddedBroker.start(server, cast.credentials, cast.registry, { ...defaultBrokerSettings, acl });
  let accepted: AcceptedPublish[] = [];
  broker.aedes.on('publish', (packet, client) => {
    // the broker's own messages ($SYS) have no client
    if (client === null || client === undefined) return;
    const principal = (client as typeof client & { principal?: Principal }).principal;
    accepted.push({ principal, clientId: client.id ?? undefined, topic: packet.topic, payload: Buffer.from(packet.payload).toString('utf8') });
  });
  return {
    name: `embedded aedes over ${options.transport === 'tcp' ? 'loopback TCP' : 'memory'}${acl === 'strict' ? '' : ` (ACL ${acl})`}`,
    url: tcp === undefined ? undefined : `mqtt://127.0.0.1:${tcp.port}`,
    transport: broker.clientTransport,
    grantIsDecision: true,
    failure: () => broker.failure,
    takeAccepted() {
      const taken = accepted;
      accepted = [];
      return taken;
    },
    async settle(connected, ms) {
      const deadline = Date.now() + ms;
      while (broker.aedes.connectedClients > connected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
      // a will is published a few ticks after its client is gone
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    },
    close: () => broker.close(),
  };
}

/** A broker crosswire does not own, configured for the seed (`crosswire broker-config`). */
export function externalTarget(url: string): FuzzTarget {
  return {
    name: url,
    url,
    transport: clientTransportOf(url, {}),
    grantIsDecision: false,
    failure: () => undefined,
    takeAccepted: () => undefined,
    // no view of the broker's connections: a moment for dropped links' wills (the bait round trip after it is ordered behind them)
    settle: (_connected, ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 10))),
    close: async () => {},
  };
}

/**
 * The embedded broker in a worker thread of its own, reached over framed in-memory links: a crash
 * there kills the thread (the target's failure), not this process. No tap of accepted PUBLISHes.
 */
async function threadedTarget(cast: FuzzCast, acl: AclMode): Promise<FuzzTarget> {
  const broker = await ThreadedBroker.start(cast.seed, cast.fleet, cast.secret, { ...defaultBrokerSettings, acl });
  return {
    name: `embedded aedes in a worker thread${acl === 'strict' ? '' : ` (ACL ${acl})`}`,
    url: undefined,
    transport: broker.clientTransport,
    grantIsDecision: true,
    failure: () => broker.failure,
    takeAccepted: () => undefined,
    async settle(connected, ms) {
      const deadline = Date.now() + ms;
      while (broker.openConnections > connected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
      await new Promise((resolve) => setTimeout(resolve, 5));
    },
    close: () => broker.close(),
  };
}
