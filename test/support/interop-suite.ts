import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from './async.ts';
import { startInteropBroker, viewerId, type BrokerKind, type InteropBroker, type Principal } from './interop-brokers.ts';
import type { Connection, InteropClient, Login, QoS, Received } from './interop-client.ts';
import { skipWithoutMosquitto } from './private-mosquitto.ts';

/**
 * The behaviours the Eclipse Paho interoperability suite checks, plus the rules crosswire's ACL
 * adds, run with one independent client against crosswire's embedded broker (`crosswire
 * broker-serve`) and, side by side, a private Mosquitto configured by `crosswire broker-config`.
 * Where the ACL forbids a behaviour to the fleet's viewers, the principal that may (the service
 * or a camera) plays the part. docs/interop.md holds the resulting table.
 */

const BROKERS: BrokerKind[] = ['crosswire', 'mosquitto'];
/** Long enough for anything in flight on loopback to land. */
const SETTLE_MS = 300;

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(10);
  }
}

export function interopSuite(makeClient: (broker: InteropBroker) => InteropClient | Promise<InteropClient>): void {
  for (const kind of BROKERS) {
    describe.skipIf(kind === 'mosquitto' && skipWithoutMosquitto('interop baseline on Mosquitto'))(`${kind} broker`, { timeout: 20_000 }, () => {
      let broker: InteropBroker;
      let client: InteropClient;
      let open: Connection[] = [];
      const tag = () => `${kind}-${randomBytes(4).toString('hex')}`;

      beforeAll(async () => {
        broker = await startInteropBroker(kind);
        client = await makeClient(broker);
      }, 30_000);
      afterEach(async () => {
        for (const c of open) if (!c.closedByBroker) await c.drop().catch(() => undefined);
        open = [];
      });
      afterAll(async () => {
        await client?.close();
        await broker?.stop();
      });

      const login = (who: Principal, clientId = who.username, more: Partial<Login> = {}): Login => ({ ...who, clientId, clean: true, ...more });
      async function connect(l: Login, filters: ReadonlyArray<readonly [string, QoS]> = []): Promise<Connection> {
        const c = await client.open(l, filters);
        open.push(c);
        return c;
      }
      const camera = (n: 0 | 1) => broker.cameras[n];
      const account = (n: 0 | 1) => broker.accounts[n];
      const eventsOf = (who: Principal) => `devices/${who.username}/events`;
      const accountTopic = (who: Principal) => `accounts/${who.username}/events`;
      const payloads = (c: Connection) => c.received.map((m) => m.payload);
      const find = (c: Connection, payload: string): Received | undefined => c.received.find((m) => m.payload === payload);
      /** The service, subscribed to every camera's events (the fleet's own filter). */
      async function serviceListening(): Promise<Connection> {
        const service = await connect(login(broker.service, `${broker.service.username}~${tag()}`), [['devices/+/events', 2]]);
        expect(service.granted).toEqual([2]);
        return service;
      }
      /** Camera 2 publishes a marker and it arrives: whatever was sent before has had its chance. */
      async function sentinel(listener: Connection): Promise<void> {
        const marker = `sentinel-${tag()}`;
        await client.publish(login(camera(1)), { topic: eventsOf(camera(1)), payload: marker, qos: 1, retain: false });
        await until(() => find(listener, marker) !== undefined, 'the sentinel');
        await sleep(SETTLE_MS);
      }

      it('connect: a principal\'s password is accepted (CONNACK 0), a wrong one refused (4 or 5)', async () => {
        const good = await connect(login(camera(0)));
        expect(good.code).toBe(0);
        const bad = await connect({ ...login(camera(1)), password: 'f'.repeat(32) });
        expect([4, 5]).toContain(bad.code);
      });

      it.each([0, 1, 2] as const)('QoS %i: a camera\'s publish reaches the service at that QoS', async (qos) => {
        const service = await serviceListening();
        const payload = `qos${qos}-${tag()}`;
        const sent = await client.publish(login(camera(0)), { topic: eventsOf(camera(0)), payload, qos, retain: false });
        expect(sent).toEqual({ code: 0, completed: true });
        await until(() => find(service, payload) !== undefined, `the QoS ${qos} message`);
        expect(find(service, payload)).toMatchObject({ topic: eventsOf(camera(0)), qos, retain: false });
        await sleep(SETTLE_MS);
        expect(payloads(service).filter((p) => p === payload)).toHaveLength(1); // QoS 2: exactly once
      });

      it('QoS: a QoS 2 publish reaches a QoS 1 subscription at QoS 1 (the lower of the two)', async () => {
        const viewer = await connect(login(account(0), viewerId(account(0), 4)), [[accountTopic(account(0)), 1]]);
        expect(viewer.granted).toEqual([1]);
        const payload = `down-${tag()}`;
        await client.publish(login(broker.service), { topic: accountTopic(account(0)), payload, qos: 2, retain: false });
        await until(() => find(viewer, payload) !== undefined, 'the downgraded message');
        expect(find(viewer, payload)!.qos).toBe(1);
      });

      it('retained: a late subscriber gets it (retain 1), a live one without the flag; a zero-length retained publish clears it', async () => {
        const topic = accountTopic(account(1));
        const live = await connect(login(account(1), viewerId(account(1), 1)), [[topic, 1]]);
        const payload = `retained-${tag()}`;
        await client.publish(login(broker.service), { topic, payload, qos: 1, retain: true });
        await until(() => find(live, payload) !== undefined, 'the live copy');
        expect(find(live, payload)!.retain).toBe(false); // [MQTT-3.3.1-9]
        const late = await connect(login(account(1), viewerId(account(1), 2)), [[topic, 1]]);
        await until(() => find(late, payload) !== undefined, 'the retained copy');
        expect(find(late, payload)).toMatchObject({ topic, retain: true });
        await client.publish(login(broker.service), { topic, payload: '', qos: 1, retain: true });
        await sleep(SETTLE_MS);
        const after = await connect(login(account(1), viewerId(account(1), 3)), [[topic, 1]]);
        await sleep(SETTLE_MS * 2);
        expect(after.received).toEqual([]); // [MQTT-3.3.1-10]
      });

      it('will: published on an abnormal close', async () => {
        const service = await serviceListening();
        const payload = `will-${tag()}`;
        const cam = await connect(login(camera(0), camera(0).username, { will: { topic: eventsOf(camera(0)), payload, qos: 1 } }));
        expect(cam.code).toBe(0);
        await cam.drop();
        await until(() => find(service, payload) !== undefined, 'the will');
        expect(find(service, payload)).toMatchObject({ topic: eventsOf(camera(0)), qos: 1 });
      });

      it('will: not published after a clean DISCONNECT [MQTT-3.1.2-10]', async () => {
        const service = await serviceListening();
        const payload = `will-${tag()}`;
        const cam = await connect(login(camera(0), camera(0).username, { will: { topic: eventsOf(camera(0)), payload, qos: 1 } }));
        expect(cam.code).toBe(0);
        await cam.disconnect();
        await sentinel(service);
        expect(payloads(service)).not.toContain(payload);
      });

      it('session: clean=false resumes with session present, the QoS 1 and 2 messages queued meanwhile delivered', async () => {
        const topic = accountTopic(account(0));
        const id = viewerId(account(0), 2);
        await (await connect(login(account(0), id, { clean: true }))).disconnect(); // no session left from before
        const first = await connect(login(account(0), id, { clean: false }), [[topic, 2]]);
        expect(first.code).toBe(0);
        if (first.sessionPresent !== undefined) expect(first.sessionPresent).toBe(false);
        await first.disconnect();
        const [q1, q2] = [`queued1-${tag()}`, `queued2-${tag()}`];
        await client.publish(login(broker.service), { topic, payload: q1, qos: 1, retain: false });
        await client.publish(login(broker.service), { topic, payload: q2, qos: 2, retain: false });
        const resumed = await connect(login(account(0), id, { clean: false }), [[topic, 2]]);
        expect(resumed.code).toBe(0);
        if (resumed.sessionPresent !== undefined) expect(resumed.sessionPresent).toBe(true);
        await until(() => find(resumed, q1) !== undefined && find(resumed, q2) !== undefined, 'the queued messages');
        expect([find(resumed, q1)!.qos, find(resumed, q2)!.qos]).toEqual([1, 2]);
        await resumed.disconnect();
        const fresh = await connect(login(account(0), id, { clean: true }));
        if (fresh.sessionPresent !== undefined) expect(fresh.sessionPresent).toBe(false); // [MQTT-3.2.2-1]
      });

      it('$ topics: a filter starting with a wildcard matches no $ topic [MQTT-4.7.2-1] (crosswire: no principal may hold one)', async () => {
        const service = await connect(login(broker.service, `${broker.service.username}~${tag()}`), [['#', 1], ['+/+/events', 1]]);
        const payload = `wild-${tag()}`;
        await client.publish(login(camera(0)), { topic: eventsOf(camera(0)), payload, qos: 1, retain: false });
        await sleep(SETTLE_MS * 2);
        expect(service.received.filter((m) => m.topic.startsWith('$'))).toEqual([]);
        if (kind === 'crosswire') {
          // the ACL judges a filter by every topic it could match: these could match anyone's
          expect(service.granted).toEqual([0x80, 0x80]);
          expect(payloads(service)).not.toContain(payload);
        }
      });

      it('wildcards: + matches exactly one level, # the rest of the topic', async () => {
        const service = await serviceListening();
        const [one, two, other] = [`c1-${tag()}`, `c2-${tag()}`, `status-${tag()}`];
        await client.publish(login(camera(0)), { topic: eventsOf(camera(0)), payload: one, qos: 1, retain: false });
        await client.publish(login(camera(1)), { topic: eventsOf(camera(1)), payload: two, qos: 1, retain: false });
        await client.publish(login(camera(0)), { topic: `devices/${camera(0).username}/status`, payload: other, qos: 1, retain: false });
        const viewer = await connect(login(account(0), viewerId(account(0), 3)), [[`accounts/${account(0).username}/#`, 1], [`accounts/${account(0).username}/+`, 1]]);
        expect(viewer.granted).toEqual([1, 1]);
        const mine = `acct-${tag()}`;
        await client.publish(login(broker.service), { topic: accountTopic(account(0)), payload: mine, qos: 1, retain: false });
        await until(() => find(service, one) !== undefined && find(service, two) !== undefined && find(viewer, mine) !== undefined, 'the matching messages');
        await sleep(SETTLE_MS);
        expect(payloads(service)).not.toContain(other);
        // overlapping filters: one copy or one per filter [MQTT-3.3.5-1]; at least one
        expect(payloads(viewer).filter((p) => p === mine).length).toBeGreaterThanOrEqual(1);
      });

      it('takeover: a second CONNECT with the same client id closes the first [MQTT-3.1.4-2]', async () => {
        const id = viewerId(account(0), 5);
        const first = await connect(login(account(0), id), [[accountTopic(account(0)), 1]]);
        expect(first.code).toBe(0);
        const second = await connect(login(account(0), id), [[accountTopic(account(0)), 1]]);
        expect(second.code).toBe(0);
        await until(() => first.closedByBroker, 'the first connection to be closed');
        expect(second.closedByBroker).toBe(false);
      });

      it('zero-length client id with clean=true: accepted, an id assigned [MQTT-3.1.3-6]', async () => {
        if (client.refuses.emptyId !== undefined) {
          expect(await client.refuses.emptyId()).toMatch(/invalid id|client id/i);
          return;
        }
        const anonymous = await connect(login(broker.service, ''), [['devices/+/events', 1]]);
        expect(anonymous.code).toBe(0);
        const payload = `anon-${tag()}`;
        await client.publish(login(camera(0)), { topic: eventsOf(camera(0)), payload, qos: 1, retain: false });
        await until(() => find(anonymous, payload) !== undefined, 'delivery to the assigned id');
      });

      it('zero-length client id with clean=false: the client itself will not send it (the broker side: test/interop-raw-connect.test.ts)', async () => {
        expect(client.refuses.emptyIdUnclean).toBeDefined();
        expect(await client.refuses.emptyIdUnclean!()).toMatch(/client ?id|clean|invalid id/i);
      });

      it('ACL: a viewer cannot subscribe to another account\'s topic, and gets none of its messages', async () => {
        const viewer = await connect(login(account(0), viewerId(account(0), 6)), [[accountTopic(account(1)), 1]]);
        // crosswire refuses the filter in SUBACK; Mosquitto grants it and checks its read ACL per message
        if (kind === 'crosswire') expect(viewer.granted).toEqual([0x80]);
        else expect([[0x80], [1]]).toContainEqual(viewer.granted);
        const payload = `foreign-${tag()}`;
        await client.publish(login(broker.service), { topic: accountTopic(account(1)), payload, qos: 1, retain: false });
        await sleep(SETTLE_MS * 2);
        expect(payloads(viewer)).not.toContain(payload);
      });

      it('ACL: a camera cannot publish to another camera\'s topic', async () => {
        const service = await serviceListening();
        const payload = `forged-${tag()}`;
        const sent = await client.publish(login(camera(0)), { topic: eventsOf(camera(1)), payload, qos: 1, retain: false });
        expect(sent.code).toBe(0);
        // crosswire closes the link [MQTT-3.3.5-2]; Mosquitto acknowledges and drops it
        expect(sent.completed).toBe(kind === 'mosquitto');
        await sentinel(service);
        expect(payloads(service)).not.toContain(payload);
      });

      it('ACL: a viewer may not publish, not even to its own account (the service plays publisher elsewhere)', async () => {
        const viewer = await connect(login(account(0), viewerId(account(0), 7)), [[accountTopic(account(0)), 1]]);
        const payload = `viewer-${tag()}`;
        await client.publish(login(account(0), viewerId(account(0), 8)), { topic: accountTopic(account(0)), payload, qos: 1, retain: false });
        const marker = `after-${tag()}`;
        await client.publish(login(broker.service), { topic: accountTopic(account(0)), payload: marker, qos: 1, retain: false });
        await until(() => find(viewer, marker) !== undefined, 'the service\'s message');
        await sleep(SETTLE_MS);
        expect(payloads(viewer)).not.toContain(payload);
      });

      it('ACL: a will to a topic the client may not publish is not delivered', async () => {
        const service = await serviceListening();
        const payload = `forged-will-${tag()}`;
        const cam = await connect(login(camera(0), camera(0).username, { will: { topic: eventsOf(camera(1)), payload, qos: 1 } }));
        await cam.drop();
        await sentinel(service);
        expect(payloads(service)).not.toContain(payload);
      });
    });
  }
}
