import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Connection, InteropClient, Login, Message, Published, QoS, Received } from './interop-client.ts';

/** Tells a held connection apart from one this side ended. */
class MqttJsConnection implements Connection {
  code: number | undefined;
  sessionPresent: boolean | undefined;
  granted: number[] = [];
  received: Received[] = [];
  closedByBroker = false;
  private ending = false;
  readonly client: MqttClient;

  constructor(client: MqttClient) {
    this.client = client;
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'connack') {
        this.code = packet.returnCode;
        this.sessionPresent = packet.sessionPresent;
      }
      // the raw codes: on a refusal mqtt.js's callback hands back the QoS asked for
      if (packet.cmd === 'suback') this.granted = packet.granted.map(Number);
    });
    client.on('message', (topic, payload, packet) => this.received.push({ topic, payload: payload.toString(), qos: packet.qos, retain: packet.retain }));
    client.on('close', () => {
      if (!this.ending) this.closedByBroker = true;
    });
    client.on('error', () => {}); // a refusal: the CONNACK code says which
  }

  /** Resolves at CONNACK, or when the link closes first. */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      if (this.code !== undefined || this.closedByBroker) return resolve();
      this.client.once('connect', () => resolve());
      this.client.once('close', () => resolve());
    });
  }

  async disconnect(): Promise<void> {
    this.ending = true;
    // forced once the broker has closed it: mqtt.js would otherwise wait for acks that never come
    await this.client.endAsync(this.closedByBroker);
  }

  async drop(): Promise<void> {
    this.ending = true;
    // no DISCONNECT: the socket goes as a network drop does
    this.client.stream.destroy();
    await this.client.endAsync(true);
  }
}

/** mqtt.js (the `mqtt` npm package), in this process, over TCP. */
export function mqttJsClient(host: string, port: number): InteropClient {
  const live = new Set<MqttJsConnection>();
  const options = (login: Login): IClientOptions => ({
    host,
    port,
    protocolVersion: 4,
    clientId: login.clientId,
    username: login.username,
    password: login.password,
    clean: login.clean,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    will: login.will === undefined ? undefined : { topic: login.will.topic, payload: Buffer.from(login.will.payload), qos: login.will.qos, retain: false },
  });
  const connect = async (login: Login): Promise<MqttJsConnection> => {
    const connection = new MqttJsConnection(mqtt.connect(options(login)));
    live.add(connection);
    await connection.settled();
    return connection;
  };
  return {
    name: `mqtt.js ${mqttVersion()}`,
    async open(login, filters = []) {
      const connection = await connect(login);
      if (connection.code !== 0 || filters.length === 0) return connection;
      await new Promise<void>((resolve) => {
        connection.client.subscribe(Object.fromEntries(filters.map(([filter, qos]) => [filter, { qos }])), () => resolve());
        connection.client.once('close', () => resolve());
      });
      return connection;
    },
    async publish(login, message: Message): Promise<Published> {
      const connection = await connect(login);
      if (connection.code !== 0) return { code: connection.code, completed: false };
      const flowed = await new Promise<boolean>((resolve) => {
        connection.client.publish(message.topic, message.payload, { qos: message.qos as QoS, retain: message.retain }, (error) => resolve(error === undefined || error === null));
        connection.client.once('close', () => resolve(false));
      });
      const open = !connection.closedByBroker;
      await connection.disconnect();
      return { code: connection.code, completed: flowed && open };
    },
    refuses: {
      // mqtt-packet will not write it: "clientId must be given if cleanSession set to 0"
      emptyIdUnclean: async () => {
        try {
          await connect({ username: 'nobody', password: 'x', clientId: '', clean: false });
          return 'sent';
        } catch (error) {
          return (error as Error).message; // mqtt.js: "Missing clientId for unclean clients"
        }
      },
    },
    async close() {
      for (const connection of live) await connection.client.endAsync(true).catch(() => undefined);
      live.clear();
    },
  };
}

function mqttVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../node_modules/mqtt/package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
