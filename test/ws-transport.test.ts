import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedBroker } from '../src/broker/embedded-broker.ts';
import { Credentials } from '../src/registry/credentials.ts';
import { Registry } from '../src/registry/registry.ts';
import { runScenario } from '../src/runner/run-scenario.ts';
import { validateScenarioObject } from '../src/scenario/load-scenario.ts';
import { MemoryServerTransport } from '../src/transport/memory-transport.ts';
import { WsServerTransport } from '../src/transport/ws-transport.ts';

/**
 * MQTT over WebSocket on the embedded broker: the same auth, ACL and faults as its other
 * transport. A WebSocket handshake costs the one thread far more than a memory link (see
 * docs/external-brokers.md), so these fleets are small and the outage leaves the ramp room.
 */
const storm = (fleet: { devices: number } & Record<string, unknown>, cache = 'memory', timeScale = 2) =>
  validateScenarioObject(
    {
      name: 'ws-storm',
      seed: 5,
      // slower than most runs here: it must hold while another e2e file shares the two cores
      timeScale,
      duration: '40s',
      drain: '4s',
      fleet: { eventInterval: '2s', ...fleet },
      cache: { adapter: cache },
      timeline: [
        { at: '16s', fault: 'broker-outage', duration: '4s' },
        { at: '24s', transfer: { share: 0.1 } },
      ],
    },
    'test',
  );

describe('viewers and cameras over WebSocket to the embedded broker', () => {
  it('a storm with viewers over ws passes; the outage drops the WebSocket links too', async () => {
    const run = await runScenario(storm({ devices: 120, viewerTransport: 'ws' }));
    expect(run.summary.reasons).toEqual([]);
    expect(run.summary.verdict).toBe('PASS');
    expect(run.summary.fleet).toMatchObject({ transport: 'memory', viewerTransport: 'ws' });
    expect(run.summary.fleet.cameraTransport).toBeUndefined();
    // viewers were cut by the outage and came back: more connects than viewers
    expect(run.world.fleet.stats.viewerConnects).toBeGreaterThan(run.world.viewers.length);
    expect(run.summary.faults[0].effect).toMatch(/(\d+) connections dropped/);
    const dropped = Number(/(\d+) connections dropped/.exec(run.summary.faults[0].effect ?? '')?.[1]);
    expect(dropped).toBeGreaterThan(120 + 1); // the cameras, the service, and WebSocket viewers
  });

  it('a storm with cameras over ws passes, and a faulty cache under the same storm fails', async () => {
    const ok = await runScenario(storm({ devices: 60, cameraTransport: 'ws', viewerTransport: 'ws' }));
    expect(ok.summary.reasons).toEqual([]);
    expect(ok.summary.verdict).toBe('PASS');
    expect(ok.summary.fleet).toMatchObject({ cameraTransport: 'ws', viewerTransport: 'ws' });
    expect(ok.summary.storms[0].dropped).toBeGreaterThanOrEqual(57);
    // a leak needs no finished ramp: the faulty run goes faster
    const bad = await runScenario(storm({ devices: 60, cameraTransport: 'ws', viewerTransport: 'ws' }, 'faulty:crossed-replies', 4));
    expect(bad.summary.reasons.join('; ')).toMatch(/isolation/);
    expect(bad.summary.verdict).toBe('FAIL');
    expect(bad.summary.violationCount).toBeGreaterThan(0);
  });
});

describe('the WebSocket listener keeps the broker ACL', () => {
  let broker: EmbeddedBroker;
  let ws: WsServerTransport;
  const registry = Registry.generate(1, { devices: 20, devicesPerAccount: { min: 1, max: 2 }, viewersPerAccount: { min: 1, max: 1 } });
  const credentials = new Credentials(Buffer.alloc(32, 7));
  beforeAll(async () => {
    ws = new WsServerTransport();
    broker = await EmbeddedBroker.start(new MemoryServerTransport(), credentials, registry, undefined, ws);
  });
  afterAll(async () => broker?.close());

  it('answers an independent client (mqtt.js) with subprotocol mqtt, refusing a foreign filter and bad credentials', async () => {
    const [mine, other] = registry.accountIds;
    const client = await mqtt.connectAsync(ws.url!, { clientId: `${mine}~v1`, username: mine, password: credentials.password(mine), protocolVersion: 4, reconnectPeriod: 0 });
    try {
      const [own] = await client.subscribeAsync(`accounts/${mine}/events`);
      expect(own.qos).toBe(0);
      // SUBACK 0x80 for the foreign filter (mqtt.js rejects on it)
      await expect(client.subscribeAsync(`accounts/${other}/events`)).rejects.toThrow(/Subscribe error/);
      expect(broker.stats.subscribeDenied).toBe(1);
    } finally {
      await client.endAsync();
    }
    await expect(
      mqtt.connectAsync(ws.url!, { clientId: `${mine}~v2`, username: mine, password: 'wrong', protocolVersion: 4, reconnectPeriod: 0 }),
    ).rejects.toThrow(/Bad username or password/i);
    expect(broker.stats.authRefused).toBe(1);
  });

  it('an outage drops WebSocket links and refuses new ones until restore', async () => {
    const [mine] = registry.accountIds;
    const connect = () => mqtt.connectAsync(ws.url!, { clientId: `${mine}~v3`, username: mine, password: credentials.password(mine), protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 2000 });
    const client = await connect();
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    expect(broker.outage()).toBe(1);
    await closed;
    await expect(connect()).rejects.toThrow();
    broker.restore();
    const again = await connect();
    expect(again.connected).toBe(true);
    await again.endAsync();
  });
});
