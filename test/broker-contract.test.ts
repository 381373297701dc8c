import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountTopicOf, eventTopicOf, SERVICE_EVENT_FILTER } from '../src/broker/acl.ts';
import type { Broker } from '../src/broker/broker.ts';
import { defaultBrokerSettings, EmbeddedBroker } from '../src/broker/embedded-broker.ts';
import { ThreadedBroker } from '../src/broker/threaded-broker.ts';
import { LeanMqttClient } from '../src/mqtt/lean-client.ts';
import { Credentials, serviceUsername, viewerClientId } from '../src/registry/credentials.ts';
import { Registry } from '../src/registry/registry.ts';
import type { ClientTransport } from '../src/transport/link.ts';
import { MemoryServerTransport } from '../src/transport/memory-transport.ts';

// What the run and its faults ask of the broker, wherever aedes runs: in the run's thread
// (EmbeddedBroker) or in a worker thread (ThreadedBroker, whose answers about links must be
// the same although it learns of its clients by message). One suite, both implementations.

const SEED = 11;
const SHAPE = { devices: 6, devicesPerAccount: { min: 3, max: 3 }, viewersPerAccount: { min: 1, max: 1 } };
const registry = Registry.generate(SEED, SHAPE);
const [A, B] = registry.accountIds;
const [CAM1, CAM2] = registry.deviceIds;
const SVC = serviceUsername('reference');

/** A client over the broker's own transport that remembers everything it was told. */
class Probe extends LeanMqttClient {
  readonly id: string;
  private readonly user: [string, string];
  refusedWith: number | undefined;
  closed = false;
  connectedOnce = false;
  readonly messages: { topic: string; body: string }[] = [];
  readonly grants: number[] = [];

  constructor(transport: ClientTransport, clientId: string, username: string, password: string) {
    super(transport);
    this.id = clientId;
    this.user = [username, password];
  }
  get clientId(): string {
    return this.id;
  }
  protected credentials(): [string, string] {
    return this.user;
  }
  protected override onConnected(): void {
    this.connectedOnce = true;
  }
  protected override onRefused(code: number): void {
    this.refusedWith = code;
  }
  protected override onMessage(topic: string, payload: Buffer): void {
    this.messages.push({ topic, body: payload.toString() });
  }
  protected override onSuback(_id: number, grants: Buffer): void {
    this.grants.push(...grants);
  }
  protected override onDisconnected(): void {
    this.closed = true;
  }
}

async function until(condition: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Long enough for anything in flight to arrive (a few turns of both threads). */
const quiet = () => new Promise((resolve) => setTimeout(resolve, 150));

const implementations: Record<string, (credentials: Credentials, secret: Buffer) => Promise<Broker>> = {
  'in the run thread (EmbeddedBroker)': (credentials) => EmbeddedBroker.start(new MemoryServerTransport(), credentials, registry),
  'in a worker thread (ThreadedBroker)': (_credentials, secret) => ThreadedBroker.start(SEED, SHAPE, secret, defaultBrokerSettings),
};

describe.each(Object.entries(implementations))('broker %s', (_name, start) => {
  let credentials: Credentials;
  let broker: Broker;
  let probes: Probe[] = [];

  beforeEach(async () => {
    const secret = randomBytes(32);
    credentials = new Credentials(secret);
    broker = await start(credentials, secret);
  });

  afterEach(async () => {
    for (const p of probes) p.close();
    probes = [];
    await broker.close();
  });

  function probe(clientId: string, username = clientId, password = credentials.password(username)): Probe {
    const p = new Probe(broker.clientTransport, clientId, username, password);
    probes.push(p);
    p.open();
    return p;
  }
  async function connected(clientId: string, username = clientId): Promise<Probe> {
    const p = probe(clientId, username);
    await until(() => p.connectedOnce || p.closed, `${clientId} connects`);
    expect(p.connectedOnce).toBe(true);
    return p;
  }
  const viewer = (account: string, n = 1) => connected(viewerClientId(account, n), account);

  it('accepts good credentials, refuses bad ones with code 4, and counts both', async () => {
    await connected(CAM1);
    const bad = probe(CAM2, CAM2, '0'.repeat(32));
    await until(() => bad.refusedWith !== undefined, 'refusal');
    expect(bad.refusedWith).toBe(4);
    await until(() => broker.stats.authRefused === 1 && broker.stats.connacksAccepted === 1, 'stats');
  });

  it('binds a client id to its credentials: no takeover (code 5)', async () => {
    const own = await connected(CAM1);
    const thief = probe(CAM1, CAM2);
    await until(() => thief.refusedWith !== undefined, 'refusal');
    expect(thief.refusedWith).toBe(5);
    await quiet();
    expect(own.closed).toBe(false);
  });

  it('accepts a zero-length client id with a clean session: the broker assigns one [MQTT-3.1.3-6]', async () => {
    const anonymous = probe('', CAM1);
    await until(() => anonymous.connectedOnce || anonymous.closed, 'connack');
    expect(anonymous.connectedOnce).toBe(true);
    // with a wrong password it is still refused
    const bad = probe('', CAM2, '0'.repeat(32));
    await until(() => bad.refusedWith !== undefined, 'refusal');
    expect(bad.refusedWith).toBe(4);
  });

  it('routes a camera event to the service and an account topic to its viewer only', async () => {
    const service = await connected(`${SVC}~1`, SVC);
    const mine = await viewer(A);
    const theirs = await viewer(B);
    service.subscribe(1, [SERVICE_EVENT_FILTER]);
    mine.subscribe(1, [accountTopicOf(A)]);
    theirs.subscribe(1, [accountTopicOf(A)]); // not B's to read: refused in SUBACK [MQTT-3.9.3]
    await until(() => service.grants.length + mine.grants.length + theirs.grants.length === 3, 'subacks');
    expect(theirs.grants).toEqual([0x80]);
    const cam = await connected(CAM1);
    cam.publish(eventTopicOf(CAM1), Buffer.from('motion'));
    await until(() => service.messages.length === 1, 'event at the service');
    service.publish(accountTopicOf(A), Buffer.from('thumb'));
    await until(() => mine.messages.length === 1, 'thumbnail at the owner');
    await quiet();
    expect(theirs.messages).toEqual([]);
  });

  it('outage: drops every link (counted), refuses at once while down, accepts after restore', async () => {
    const one = await connected(CAM1);
    const two = await viewer(A);
    expect(broker.outage()).toBe(2);
    expect(broker.isDown).toBe(true);
    await until(() => one.closed && two.closed, 'links closed');
    const refused = broker.clientTransport.connect({ onLinkData() {}, onLinkClose() {} });
    expect(refused.refused).toBe(true);
    broker.restore();
    expect(broker.isDown).toBe(false);
    await connected(CAM2);
    expect(broker.openConnections).toBe(1);
  });

  it('cutOff: drops only the clients named, lets none of them back until restored, spares the rest', async () => {
    const cut = await connected(CAM1);
    const spared = await connected(CAM2);
    const partition = broker.cutOff(new Set([CAM1]));
    expect(partition.dropped).toBe(1);
    await until(() => cut.closed, 'cut link closed');
    const retry = probe(CAM1);
    await until(() => retry.closed, 'cut CONNECT closed');
    expect(retry.connectedOnce).toBe(false);
    expect(retry.refusedWith).toBeUndefined(); // no CONNACK at all
    expect(spared.closed).toBe(false);
    // the memory transport knows who is calling: a cut-off client never reaches the broker
    const handler = (clientId: string) => ({ clientId, onLinkData() {}, onLinkClose() {} });
    expect(broker.clientTransport.connect(handler(CAM1)).refused).toBe(true);
    const other = broker.clientTransport.connect(handler(CAM2));
    expect(other.refused).toBeUndefined();
    other.hangUp();
    await viewer(A); // not cut: connects as usual
    partition.restore();
    await connected(CAM1);
  });

  it('two cuts overlap; restoring one keeps the other in force', async () => {
    const first = broker.cutOff(new Set([CAM1]));
    const second = broker.cutOff(new Set([CAM1, CAM2]));
    first.restore();
    const retry = probe(CAM1);
    await until(() => retry.closed, 'cut CONNECT closed');
    expect(retry.connectedOnce).toBe(false);
    second.restore();
    await connected(CAM1);
  });

  it('dropClient: true for a connected client (which may come straight back), false otherwise', async () => {
    const cam = await connected(CAM1);
    expect(broker.dropClient(CAM1)).toBe(true);
    expect(broker.dropClient(CAM1)).toBe(false);
    expect(broker.dropClient(CAM2)).toBe(false); // never connected
    await until(() => cam.closed, 'dropped');
    await connected(CAM1);
    expect(broker.dropClient(CAM1)).toBe(true);
  });

  it('restart: drops everyone, refuses while down, comes back fresh (subscriptions gone)', async () => {
    const service = await connected(`${SVC}~1`, SVC);
    service.subscribe(1, [SERVICE_EVENT_FILTER]);
    await until(() => service.grants.length === 1, 'suback');
    expect(await broker.stopForRestart()).toBe(1);
    await until(() => service.closed, 'dropped');
    expect(broker.clientTransport.connect({ onLinkData() {}, onLinkClose() {} }).refused).toBe(true);
    await broker.startAfterRestart();
    expect(broker.isDown).toBe(false);
    // the same service id, reconnected without subscribing: a fresh broker has nothing for it
    const again = await connected(`${SVC}~1`, SVC);
    const cam = await connected(CAM1);
    cam.publish(eventTopicOf(CAM1), Buffer.from('motion'));
    await quiet();
    expect(again.messages).toEqual([]);
  });
});

describe('ThreadedBroker when its thread dies', () => {
  it('closes every link, refuses new ones, and says why', async () => {
    const secret = randomBytes(32);
    const credentials = new Credentials(secret);
    const broker = await ThreadedBroker.start(SEED, SHAPE, secret, defaultBrokerSettings);
    const cam = new Probe(broker.clientTransport, CAM1, CAM1, credentials.password(CAM1));
    cam.open();
    await until(() => cam.connectedOnce, 'connected');
    await (broker as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await until(() => cam.closed, 'link closed');
    expect(broker.failure).toMatch(/broker thread: exited with code 1/);
    expect(broker.isDown).toBe(true);
    expect(broker.clientTransport.connect({ onLinkData() {}, onLinkClose() {} }).refused).toBe(true);
    await broker.close();
  });
});
