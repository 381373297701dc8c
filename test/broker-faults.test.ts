import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountTopicOf } from '../src/broker/acl.ts';
import { EmbeddedBroker } from '../src/broker/embedded-broker.ts';
import { Credentials, viewerClientId } from '../src/registry/credentials.ts';
import { Registry } from '../src/registry/registry.ts';
import { validateScenarioObject } from '../src/scenario/load-scenario.ts';
import { TcpServerTransport } from '../src/transport/tcp-transport.ts';

// What the partition, wave, storm and broker-restart faults ask of the broker, probed with
// mqtt.js over loopback TCP: cut off some clients (dropped, their CONNECTs unanswered) while the
// rest carry on; drop one client; stop and start a fresh broker on the same port.

const registry = Registry.generate(3, { devices: 6, devicesPerAccount: { min: 3, max: 3 }, viewersPerAccount: { min: 1, max: 1 } });
const [A] = registry.accountIds;
const [CAM1, CAM2] = registry.deviceIds;

let credentials: Credentials;
let broker: EmbeddedBroker;
let transport: TcpServerTransport;
let opened: MqttClient[] = [];

beforeEach(async () => {
  credentials = new Credentials(randomBytes(32));
  transport = new TcpServerTransport();
  broker = await EmbeddedBroker.start(transport, credentials, registry);
});

afterEach(async () => {
  await Promise.all(opened.map((c) => c.endAsync(true)));
  opened = [];
  await broker.close();
});

async function connect(username: string, clientId: string): Promise<MqttClient> {
  const options = { clientId, username, password: credentials.password(username), reconnectPeriod: 0, protocolVersion: 4, connectTimeout: 500 } as const;
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${transport.port}`, options, false);
  opened.push(client);
  return client;
}
const camera = (id: string) => connect(id, id);
const viewer = (n = 1) => connect(A, viewerClientId(A, n));

function closed(client: MqttClient, ms = 1000): Promise<boolean> {
  if (!client.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    client.once('close', () => (clearTimeout(timer), resolve(true)));
  });
}

describe('broker.cutOff (partition, storm)', () => {
  it('drops only the clients it selects, leaves their CONNECTs unanswered until restored, and spares the rest', async () => {
    const cut = await camera(CAM1);
    const spared = await camera(CAM2);
    const wasCut = closed(cut);
    const partition = broker.cutOff(new Set([CAM1]));
    expect(partition.dropped).toBe(1);
    expect(await wasCut).toBe(true);
    expect(await closed(spared, 200)).toBe(false); // still up
    // no CONNACK at all (not a refusal code): the connect times out or the link closes
    await expect(camera(CAM1)).rejects.toThrow();
    expect(broker.stats.authRefused).toBe(0);
    const other = await viewer(); // new clients that are not cut connect as usual
    expect(other.connected).toBe(true);
    partition.restore();
    expect((await camera(CAM1)).connected).toBe(true);
  });

  it('two partitions overlap; restoring one keeps the other in force', async () => {
    const first = broker.cutOff(new Set([CAM1]));
    const second = broker.cutOff(new Set([CAM1, CAM2]));
    first.restore();
    await expect(camera(CAM1)).rejects.toThrow();
    second.restore();
    expect((await camera(CAM1)).connected).toBe(true);
  });
});

describe('broker.dropClient (wave)', () => {
  it('drops one connected client, which may come straight back', async () => {
    const cam = await camera(CAM1);
    const gone = closed(cam);
    expect(broker.dropClient(CAM1)).toBe(true);
    expect(await gone).toBe(true);
    expect(broker.dropClient(CAM1)).toBe(false); // no longer connected
    expect((await camera(CAM1)).connected).toBe(true);
  });
});

describe('broker restart', () => {
  it('drops everyone, refuses while down, and comes back on the same port as a fresh broker', async () => {
    const port = transport.port;
    const v = await viewer();
    await v.subscribeAsync(accountTopicOf(A));
    const before = broker.aedes;
    const gone = closed(v);
    expect(await broker.stopForRestart()).toBe(1);
    expect(await gone).toBe(true);
    await expect(viewer(2)).rejects.toThrow();
    await broker.startAfterRestart();
    expect(broker.aedes).not.toBe(before);
    expect(broker.isDown).toBe(false);
    expect(transport.port).toBe(port);
    // clients connect and subscribe again as usual
    const again = await viewer(3);
    expect(await again.subscribeAsync(accountTopicOf(A))).toEqual([expect.objectContaining({ qos: 0 })]);
    expect((await camera(CAM1)).connected).toBe(true);
  });
});

describe('broker.connectTimeout (the scenario\'s broker section)', () => {
  /** A raw loopback connection that never sends CONNECT: how long until the broker closes it? */
  async function silentConnection(port: number, waitMs: number): Promise<boolean> {
    const socket = createConnection({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    return new Promise((resolve) => {
      const timer = setTimeout(() => (socket.destroy(), resolve(false)), waitMs);
      socket.once('close', () => (clearTimeout(timer), resolve(true)));
    });
  }

  it('closes a connection that sends no CONNECT within the timeout, and only then', async () => {
    const quick = new TcpServerTransport();
    const strict = await EmbeddedBroker.start(quick, credentials, registry, { connectTimeout: 150 });
    try {
      expect(await silentConnection(quick.port, 2000)).toBe(true);
    } finally {
      await strict.close();
    }
    // the default (30 s) leaves a slow client its time
    expect(await silentConnection(transport.port, 500)).toBe(false);
  });

  it('is read from the scenario, as a duration', () => {
    expect(validateScenarioObject({ broker: { connectTimeout: '2s' } }, 'test').broker.connectTimeout).toBe(2000);
    expect(validateScenarioObject({}, 'test').broker.connectTimeout).toBe(30_000);
    expect(() => validateScenarioObject({ broker: { connectTimeut: '2s' } }, 'test')).toThrow(/broker\.connectTimeut: unknown field/);
  });
});
