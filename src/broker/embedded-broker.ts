import type { Duplex } from 'node:stream';
import type { Packet } from 'mqtt-packet';
import type { Aedes, AedesOptions, AuthenticateError, Client } from 'aedes';
import type { Credentials, Principal } from '../registry/credentials.ts';
import { clientIdMatches, principalOf } from '../registry/credentials.ts';
import type { Registry } from '../registry/registry.ts';
import type { ClientTransport, ServerTransport } from '../transport/link.ts';
import { canPublish, canSubscribe, type AclMode } from './acl.ts';
import type { Broker, BrokerCut, BrokerStats } from './broker.ts';
import { connectProblem, isIllFormed, packetProblem } from './packet-checks.ts';
import { QuietAedes } from './quiet-aedes.ts';

/** CONNACK return codes [MQTT-3.2.2-3], Table 3.1. */
const IDENTIFIER_REJECTED = 2;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

type ClientWithPrincipal = Client & { principal?: Principal };

/** The scenario's `broker` section. */
export interface BrokerSettings {
  /** Wall-clock ms a new connection may take to send its CONNECT before aedes closes it. */
  connectTimeout: number;
  /** The topic rules in force: `strict`, or a positive control with one rule too broad. */
  acl?: AclMode;
  /**
   * The message bus this aedes shares with other instances (one per worker process): a client
   * of any of them receives what is published on any other. Absent: aedes' own, in-process.
   */
  mq?: AedesOptions['mq'];
}

export const defaultBrokerSettings: BrokerSettings = { connectTimeout: 30_000, acl: 'strict' };

/**
 * aedes in this process, behind our auth and ACL, on a memory or TCP transport (and, when asked,
 * MQTT over WebSocket beside it). An outage drops every connection and refuses new ones until restore().
 */
export class EmbeddedBroker implements Broker {
  readonly thread = 'inline';
  /** Replaced by a fresh instance on restart. */
  aedes: Aedes;
  readonly stats: BrokerStats = { connacksAccepted: 0, authRefused: 0, publishDenied: 0, subscribeDenied: 0 };
  private readonly server: ServerTransport;
  /** The WebSocket listener beside the main transport, when viewers or cameras use it. */
  private readonly wsServer: ServerTransport | undefined;
  clientTransport!: ClientTransport;
  wsTransport: ClientTransport | undefined;
  private down = false;
  private readonly credentials: Credentials;
  private readonly registry: Registry;
  /** Partitions in force: a client one of these selects gets no answer to its CONNECT. */
  private readonly cuts = new Set<ReadonlySet<string>>();

  private readonly settings: BrokerSettings;
  /** Told when a client has registered (authenticated, its session set up), with its link. */
  onRegistered: ((stream: Duplex, clientId: string) => void) | undefined;
  readonly failure = undefined;

  private constructor(server: ServerTransport, credentials: Credentials, registry: Registry, settings: BrokerSettings, wsServer: ServerTransport | undefined) {
    this.settings = settings;
    this.server = server;
    this.wsServer = wsServer;
    this.credentials = credentials;
    this.registry = registry;
    this.aedes = this.createAedes();
    // a cut-off client's link is refused before it reaches aedes where the transport can tell
    // who is calling; the preConnect check below covers the others (TCP)
    server.turnAway?.((clientId) => this.cuts.size > 0 && this.isCut(clientId));
  }

  private createAedes(): Aedes {
    const { credentials, registry } = this;
    const isDevice = (id: string) => registry.indexOfDevice(id) !== undefined;
    const isAccount = (id: string) => registry.indexOfAccount(id) !== undefined;
    const acl = this.settings.acl ?? 'strict';
    // clients whose CONNECT had a zero-length client id: aedes made one up for them
    const assignedIds = new WeakSet<Client>();
    const aedes = new QuietAedes({
      heartbeatInterval: 3_600_000,
      // 0: no limit. With a limit, a storm queues messages inside mqemitter and releasing the
      // queue recurses once per message (stack overflow at a few thousand queued)
      concurrency: 0,
      ...(this.settings.mq === undefined ? {} : { mq: this.settings.mq }),
      connectTimeout: this.settings.connectTimeout,
      // a partitioned client's CONNECT goes unanswered and its link closes, as if it never arrived
      // (over the memory transport it is turned away before this, see the constructor)
      preConnect: (client, packet, done) => {
        if (packet.clientId === '') assignedIds.add(client);
        const cut = this.isCut(packet.clientId);
        // a malformed CONNECT is closed without a CONNACK [MQTT-3.1.4-1]
        const problem = cut ? `${packet.clientId} is partitioned` : connectProblem(packet);
        done(problem === undefined ? null : new Error(problem), problem === undefined);
      },
      authenticate: (client, username, password, done) => {
        const assigned = assignedIds.has(client);
        if (assigned && !client.clean) {
          // [MQTT-3.1.3-8] a zero-length client id needs a clean session: 0x02, then close
          this.stats.authRefused++;
          return done(authError('a zero-length client id needs clean session', IDENTIFIER_REJECTED), false);
        }
        const principal = username === undefined ? undefined : principalOf(username, isDevice, isAccount);
        if (principal === undefined || !credentials.verify(username!, password)) {
          this.stats.authRefused++;
          return done(authError('bad username or password', BAD_USERNAME_OR_PASSWORD), false);
        }
        // [MQTT-3.1.3-6] an id the broker assigned is unique: no one else's session to take over
        if (!assigned && !clientIdMatches(principal, client.id)) {
          // a client id is bound to its credentials: no takeover of another principal's session
          this.stats.authRefused++;
          return done(authError(`client id ${client.id} is not ${principal.id}'s`, NOT_AUTHORIZED), false);
        }
        (client as ClientWithPrincipal).principal = principal;
        done(null, true);
      },
      // also asked for a will, as the link that carried it closes (aedes: client.js, before it publishes it)
      authorizePublish: (client, packet, callback) => {
        // [MQTT-1.5.3-1] ill-formed UTF-8 closes the connection, as an error here does
        if (isIllFormed(packet.topic)) return callback(new Error('ill-formed UTF-8 in the topic name'));
        const principal = (client as ClientWithPrincipal | null)?.principal;
        if (principal === undefined || !canPublish(principal, packet.topic, acl)) {
          this.stats.publishDenied++;
          // [MQTT-3.3.5-2] an unauthorised PUBLISH gets no error reply; the connection closes
          return callback(new Error(`publish to ${packet.topic} denied`));
        }
        callback(null);
      },
      authorizeSubscribe: (client, subscription, callback) => {
        if (isIllFormed(subscription.topic)) return callback(new Error('ill-formed UTF-8 in a topic filter [MQTT-1.5.3-1]'));
        const principal = (client as ClientWithPrincipal).principal;
        if (principal === undefined || !canSubscribe(principal, subscription.topic, acl)) {
          this.stats.subscribeDenied++;
          // [MQTT-3.9.3] a refused filter gets return code 0x80 in SUBACK
          return callback(null, null);
        }
        callback(null, subscription);
      },
    });
    aedes.on('connackSent', (packet) => {
      if (packet.returnCode === 0) this.stats.connacksAccepted++;
    });
    // a CONNECT already past preConnect when a partition began: cut it as it registers
    aedes.on('client', (client) => {
      if (this.isCut(client.id)) hangUp(client);
      else this.onRegistered?.((client as Client & { conn: Duplex }).conn, client.id);
    });
    aedes.on('clientError', () => {});
    aedes.on('connectionError', () => {});
    return aedes;
  }

  /** `wsServer`: a WebSocket listener served beside `server` (the same aedes, auth and ACL). */
  static async start(server: ServerTransport, credentials: Credentials, registry: Registry, settings = defaultBrokerSettings, wsServer?: ServerTransport): Promise<EmbeddedBroker> {
    const broker = new EmbeddedBroker(server, credentials, registry, settings, wsServer);
    await broker.aedes.listen();
    // the current aedes, looked up per connection: a restart replaces it
    const accept = (stream: Duplex) => guard(broker.aedes.handle(stream));
    broker.clientTransport = await server.listen(accept);
    broker.wsTransport = await wsServer?.listen(accept);
    return broker;
  }

  private get servers(): ServerTransport[] {
    return this.wsServer === undefined ? [this.server] : [this.server, this.wsServer];
  }

  get isDown(): boolean {
    return this.down;
  }

  get openConnections(): number {
    return this.servers.reduce((n, server) => n + server.openConnections, 0);
  }

  /** Drops every connection and refuses new ones. Returns how many were dropped. */
  outage(): number {
    this.down = true;
    let dropped = 0;
    for (const server of this.servers) {
      server.setRefusing(true);
      dropped += server.dropAll();
    }
    return dropped;
  }

  restore(): void {
    this.down = false;
    for (const server of this.servers) server.setRefusing(false);
  }

  /** Drops one client's link (it may reconnect at once); false if it was not connected. */
  dropClient(clientId: string): boolean {
    const client = this.connectedClients()[clientId];
    // aedes forgets a dropped client a few ticks later: it is gone from the moment its link is
    if (client === undefined || isHungUp(client)) return false;
    hangUp(client);
    return true;
  }

  // aedes keeps its connected clients by id (not in its typings)
  private connectedClients(): Record<string, Client | undefined> {
    return (this.aedes as unknown as { clients: Record<string, Client | undefined> }).clients;
  }

  private isCut(clientId: string): boolean {
    for (const cut of this.cuts) if (cut.has(clientId)) return true;
    return false;
  }

  /**
   * A partition: the clients in `clientIds` lose their links, and cannot connect until
   * restore() is called (turned away by the transport, or their CONNECT unanswered). Everyone
   * else is untouched. Returns how many links it cut.
   */
  cutOff(clientIds: ReadonlySet<string>): BrokerCut {
    // its own entry even if an equal set is in force: each cut is lifted on its own
    const cut = new Set(clientIds);
    this.cuts.add(cut);
    let dropped = 0;
    for (const client of Object.values(this.connectedClients())) {
      if (client === undefined || !cut.has(client.id) || isHungUp(client)) continue;
      hangUp(client);
      dropped++;
    }
    return { dropped, restore: () => void this.cuts.delete(cut) };
  }

  /** A restart, first half: every link dropped, connections refused, and aedes (sessions, subscriptions, queues) gone. */
  async stopForRestart(): Promise<number> {
    const dropped = this.outage();
    const old = this.aedes;
    await new Promise<void>((resolve) => old.close(() => resolve()));
    return dropped;
  }

  /** A restart, second half: a fresh aedes on the same transport, accepting again. */
  async startAfterRestart(): Promise<void> {
    this.aedes = this.createAedes();
    await this.aedes.listen();
    this.restore();
  }

  async close(): Promise<void> {
    for (const server of this.servers) await server.close();
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
  }
}

/**
 * aedes has no hook before it handles an UNSUBSCRIBE or a packet id: its client's parser is the
 * one place to see each packet first, and a packet the spec says close on closes the link.
 */
function guard(client: Client): void {
  const parser = (client as Client & { _parser?: { prependListener(event: 'packet', listener: (packet: Packet) => void): void } })._parser;
  parser?.prependListener('packet', (packet) => {
    if (packetProblem(packet) !== undefined) hangUp(client);
  });
}

/**
 * Destroys the client's link at once, as a network drop does (aedes cleans up when it sees the
 * link close). client.close() would stop reading first and destroy the link only later, losing
 * whatever the client sends in between without its knowing.
 */
function hangUp(client: Client): void {
  (client as Client & { conn: { destroy(): void } }).conn.destroy();
}

function isHungUp(client: Client): boolean {
  return (client as Client & { conn: { destroyed: boolean } }).conn.destroyed;
}

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}
