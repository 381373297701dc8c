import mqtt from 'mqtt';
import MQEmitterRedis from 'mqemitter-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventTopicOf, SERVICE_EVENT_FILTER } from '../src/broker/acl.ts';
import { defaultBrokerSettings, EmbeddedBroker } from '../src/broker/embedded-broker.ts';
import { brokerPrincipals } from '../src/cli/broker-principals.ts';
import { serviceUsername } from '../src/registry/credentials.ts';
import { startPrivateServer, type PrivateServer } from '../src/servers/private-server.ts';
import { TcpServerTransport } from '../src/transport/tcp-transport.ts';
import { skipWithout } from './support/server-skip.ts';

// EmbeddedBroker's `mq`: two instances on one redis bus are one broker (what the clustered
// prototype of bench/broker-per-worker.bench.ts relies on); without it, each is alone

const skip = skipWithout('redis', 'clustered embedded broker');

describe.skipIf(skip)('embedded brokers sharing a message bus', () => {
  let redis: PrivateServer;
  beforeAll(async () => {
    redis = await startPrivateServer('redis');
  });
  afterAll(async () => {
    await redis?.stop();
  });

  async function pair(shared: boolean) {
    const { credentials, registry } = await brokerPrincipals(undefined, { seed: 5, devices: 4 });
    const start = async () => {
      const transport = new TcpServerTransport('127.0.0.1');
      // no ready check: aedes subscribes at once, and ioredis' INFO would meet a subscriber-mode connection
      const mq = shared ? MQEmitterRedis({ host: redis.host, port: redis.port, enableReadyCheck: false }) : undefined;
      const broker = await EmbeddedBroker.start(transport, credentials, registry, { ...defaultBrokerSettings, mq });
      return { broker, url: `mqtt://127.0.0.1:${transport.port}` };
    };
    return { credentials, registry, a: await start(), b: await start() };
  }

  /** A camera publishes on broker A; does the service, subscribed on broker B, receive it? */
  async function crosses(shared: boolean): Promise<boolean> {
    const { credentials, registry, a, b } = await pair(shared);
    const camera = registry.deviceIds[0];
    const service = serviceUsername('reference');
    const subscriber = mqtt.connect(b.url, { username: service, password: credentials.password(service), clientId: service, reconnectPeriod: 0 });
    const publisher = mqtt.connect(a.url, { username: camera, password: credentials.password(camera), clientId: camera, reconnectPeriod: 0 });
    const connected = (client: mqtt.MqttClient) => new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    try {
      await Promise.all([connected(subscriber), connected(publisher)]);
      await subscriber.subscribeAsync(SERVICE_EVENT_FILTER);
      const received = new Promise<boolean>((resolve) => {
        subscriber.on('message', (topic, payload) => resolve(topic === eventTopicOf(camera) && payload.toString() === 'hello'));
        setTimeout(() => resolve(false), 1500);
      });
      await publisher.publishAsync(eventTopicOf(camera), 'hello');
      return await received;
    } finally {
      await Promise.all([subscriber.endAsync(true), publisher.endAsync(true)]);
      await Promise.all([a.broker.close(), b.broker.close()]);
    }
  }

  it('delivers what a client of one instance publishes to a subscriber of the other', async () => {
    expect(await crosses(true)).toBe(true);
  });

  it('two instances without the shared bus are two brokers (the control)', async () => {
    expect(await crosses(false)).toBe(false);
  });
});
