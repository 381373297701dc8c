import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canSubscribe, accountTopicOf, eventTopicOf, SERVICE_EVENT_FILTER } from '../src/broker/acl.ts';
import { EmbeddedBroker } from '../src/broker/embedded-broker.ts';
import { Credentials, serviceUsername, viewerClientId } from '../src/registry/credentials.ts';
import { Registry } from '../src/registry/registry.ts';
import { TcpServerTransport } from '../src/transport/tcp-transport.ts';
import { sleep } from './support/async.ts';

// The embedded broker's auth + ACL, probed with mqtt.js (an independent MQTT 3.1.1 client) over
// loopback TCP. "Nothing arrives" is proved with a sentinel published after the forbidden message
// on an ordered path, plus a short wait, so no test sleeps long or passes by timing luck.

const QUIET_MS = 250;
const registry = Registry.generate(7, { devices: 6, devicesPerAccount: { min: 3, max: 3 }, viewersPerAccount: { min: 1, max: 1 } });
const [A, B] = registry.accountIds;
const [CAM1, CAM2] = registry.deviceIds;
const SVC = serviceUsername('reference');

let credentials: Credentials;
let broker: EmbeddedBroker;
let url: string;
let opened: MqttClient[] = [];

beforeEach(async () => {
  credentials = new Credentials(randomBytes(32));
  const transport = new TcpServerTransport();
  broker = await EmbeddedBroker.start(transport, credentials, registry);
  url = `mqtt://127.0.0.1:${transport.port}`;
});

afterEach(async () => {
  await Promise.all(opened.map((c) => c.endAsync(true)));
  opened = [];
  await broker.close();
});

/** allowRetries=false: a refused/dropped connect rejects instead of waiting for a retry. */
async function connect(username: string, clientId: string, password = credentials.password(username), extra: IClientOptions = {}): Promise<MqttClient> {
  const options = { clientId, username, password, reconnectPeriod: 0, protocolVersion: 4, connectTimeout: 2000, ...extra } as const;
  const client = await mqtt.connectAsync(url, options, false);
  opened.push(client);
  return client;
}
const viewer = (account: string, clientId = viewerClientId(account, 1)) => connect(account, clientId);
const camera = (id: string) => connect(id, id);
const service = () => connect(SVC, `${SVC}~1`);

function inbox(client: MqttClient): Array<{ topic: string; body: string }> {
  const got: Array<{ topic: string; body: string }> = [];
  client.on('message', (topic, payload) => got.push({ topic, body: payload.toString() }));
  return got;
}

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves true once the client's connection is closed, false if it is still open after `ms`. */
function closed(client: MqttClient, ms = 1000): Promise<boolean> {
  if (!client.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    client.once('close', () => (clearTimeout(timer), resolve(true)));
  });
}

/** The SUBACK return codes for one SUBSCRIBE, whether granted or refused. */
function suback(client: MqttClient, filter: string): Promise<number[]> {
  return new Promise((resolve, reject) =>
    client.subscribe(filter, { qos: 0 }, (err, _granted, packet) =>
      packet !== undefined && 'granted' in packet ? resolve(packet.granted as number[]) : reject(err ?? new Error('no SUBACK'))));
}

describe('authentication', () => {
  // proves: only a username/password pair the run's Credentials issued gets CONNACK 0
  it('accepts right credentials and refuses wrong ones with CONNACK 4', async () => {
    await viewer(A);
    await camera(CAM1);
    await service();
    await waitFor(() => broker.stats.connacksAccepted === 3); // counted on aedes' write callback, may trail the CONNACK
    await expect(connect(A, viewerClientId(A, 2), 'not-the-password')).rejects.toMatchObject({ code: 4 });
    await expect(connect('acct-999999', 'acct-999999~v1')).rejects.toMatchObject({ code: 4 }); // unknown username
    await expect(connect('nobody', 'nobody')).rejects.toMatchObject({ code: 4 });
    await expect(connect(CAM1, CAM1, credentials.password(A))).rejects.toMatchObject({ code: 4 }); // camera, viewer's password
    await expect(connect(CAM1, CAM1, '')).rejects.toMatchObject({ code: 4 });
    expect(broker.stats.authRefused).toBe(5);
  });
});

describe('client-id binding', () => {
  // proves: valid credentials for B cannot claim A's client id, and the refusal does not take over A's session
  it('refuses a foreign client id with CONNACK 5 and leaves the original connected', async () => {
    const a = await viewer(A);
    const got = inbox(a);
    let aClosed = false;
    a.on('close', () => (aClosed = true));
    await a.subscribeAsync(accountTopicOf(A));
    await expect(viewer(B, viewerClientId(A, 1))).rejects.toMatchObject({ code: 5 });
    await expect(connect(CAM2, CAM1)).rejects.toMatchObject({ code: 5 }); // a camera cannot claim another camera's id
    await expect(connect(A, `${SVC}~1`)).rejects.toMatchObject({ code: 5 });
    const svc = await service();
    await svc.publishAsync(accountTopicOf(A), 'after-takeover-attempt');
    await waitFor(() => got.length === 1);
    expect(got[0]).toEqual({ topic: accountTopicOf(A), body: 'after-takeover-attempt' });
    expect(aClosed).toBe(false);
    expect(a.connected).toBe(true);
  });
});

describe('ACL: subscribe', () => {
  const foreign = [accountTopicOf(B), 'accounts/#', '#', `+/${A}/events`, 'accounts/+/events', '$SYS/#', `accounts/${B}/#`, 'accounts/+/#', '+/#'];

  // proves: every filter that could match another account's topic is refused per filter (0x80),
  // and the viewer receives none of B's thumbnails while its own filters work
  it("refuses filters reaching other accounts and delivers only the viewer's own events", async () => {
    const a = await viewer(A);
    const got = inbox(a);
    for (const filter of foreign) expect(await suback(a, filter), filter).toEqual([0x80]);
    expect(broker.stats.subscribeDenied).toBe(foreign.length);
    expect(await suback(a, accountTopicOf(A))).toEqual([0]);
    expect(await suback(a, `accounts/${A}/#`)).toEqual([0]);

    const svc = await service();
    await svc.publishAsync(accountTopicOf(B), 'thumb-of-B');
    await svc.publishAsync(accountTopicOf(A), 'thumb-of-A'); // sentinel: same publisher, after B's
    await waitFor(() => got.some((m) => m.body === 'thumb-of-A'));
    await sleep(QUIET_MS);
    expect(got.length).toBeGreaterThan(0);
    expect(got.filter((m) => m.body !== 'thumb-of-A')).toEqual([]); // nothing of B's, by any filter
  });
});

describe('ACL: publish', () => {
  // proves: a camera's own event topic reaches the service
  it('delivers a camera event on its own topic to the service', async () => {
    const svc = await service();
    const got = inbox(svc);
    expect(await suback(svc, SERVICE_EVENT_FILTER)).toEqual([0]);
    const cam = await camera(CAM1);
    await cam.publishAsync(eventTopicOf(CAM1), 'motion');
    await waitFor(() => got.length === 1);
    expect(got[0]).toEqual({ topic: eventTopicOf(CAM1), body: 'motion' });
  });

  // proves: a forbidden PUBLISH is dropped, not delivered, and closes the publisher's connection [MQTT-3.3.5-2]
  it.each([
    ['camera → another device', () => camera(CAM1), eventTopicOf(CAM2)],
    ['camera → account topic', () => camera(CAM1), accountTopicOf(A)],
    ['viewer → own account topic', () => viewer(A), accountTopicOf(A)],
    ['viewer → device topic', () => viewer(A), eventTopicOf(CAM1)],
    ['viewer → other topic', () => viewer(A), 'x/y'],
  ] as const)('drops %s and closes the connection', async (_name, open, topic) => {
    const svc = await service();
    const sGot = inbox(svc);
    await svc.subscribeAsync(SERVICE_EVENT_FILTER);
    const a = await viewer(A, viewerClientId(A, 9));
    const aGot = inbox(a);
    await a.subscribeAsync(`accounts/${A}/#`);
    const offender = await open();
    await offender.publishAsync(topic, 'forged');
    expect(await closed(offender)).toBe(true);
    expect(broker.stats.publishDenied).toBe(1);
    // sentinel from a well-behaved camera, after the offender's connection is gone
    const cam2 = await camera(CAM2);
    await cam2.publishAsync(eventTopicOf(CAM2), 'sentinel');
    await waitFor(() => sGot.length > 0);
    await sleep(QUIET_MS);
    expect(sGot.map((m) => m.body)).toEqual(['sentinel']);
    expect(aGot).toEqual([]);
  });
});

describe('ACL: last will', () => {
  // proves: a will is authorised like a PUBLISH when it fires: a camera cannot plant one on an account topic
  it("publishes a camera's will on its own topic but drops one aimed at an account", async () => {
    const svc = await service();
    const sGot = inbox(svc);
    await svc.subscribeAsync(SERVICE_EVENT_FILTER);
    const a = await viewer(A);
    const aGot = inbox(a);
    await a.subscribeAsync(`accounts/${A}/#`);
    const will = (topic: string) => ({ will: { topic, payload: Buffer.from('will'), qos: 0, retain: false } }) as const;
    const forger = await connect(CAM1, CAM1, undefined, will(accountTopicOf(A)));
    const honest = await connect(CAM2, CAM2, undefined, will(eventTopicOf(CAM2)));
    forger.stream.destroy(); // no DISCONNECT: the broker must fire (or refuse) the will
    expect(await closed(forger)).toBe(true);
    await waitFor(() => broker.stats.publishDenied === 1);
    honest.stream.destroy();
    await waitFor(() => sGot.length > 0);
    await sleep(QUIET_MS);
    expect(sGot).toEqual([{ topic: eventTopicOf(CAM2), body: 'will' }]);
    expect(aGot).toEqual([]);
  });
});

describe('ACL: subscribe property (pure)', () => {
  const level = fc.constantFrom('accounts', 'acct-000001', 'acct-000002', 'events', '+', '#', 'x', '');
  // half the filters start with `accounts`, so the interesting shapes (accounts/+/…, accounts/#) come up often
  const filter = fc.oneof(fc.array(level, { minLength: 1, maxLength: 5 }), fc.array(level, { minLength: 0, maxLength: 4 }).map((l) => ['accounts', ...l])).map((l) => l.join('/'));
  const name = fc.constantFrom('accounts', 'acct-000001', 'acct-000002', 'events', 'x', '');
  const topic = fc.oneof(
    fc.constant('accounts'),
    fc.array(name, { maxLength: 4 }).map((l) => ['accounts', 'acct-000002', ...l].join('/')),
    fc.array(name, { minLength: 1, maxLength: 6 }).map((l) => l.join('/')),
  );
  const own = (t: string) => t === 'accounts/acct-000001' || t.startsWith('accounts/acct-000001/');
  const me = { role: 'viewer', id: 'acct-000001' } as const;
  const accepts = (accept: (f: string) => boolean) => fc.property(filter, topic, (f, t) => !accept(f) || !matches(f, t) || own(t));

  // proves: an accepted filter matches no topic outside the viewer's own account subtree
  it('an accepted viewer filter never matches another account, nor `accounts` itself', () => {
    fc.assert(accepts((f) => canSubscribe(me, f)), { numRuns: 3000 });
  });

  // proves: the property has teeth — a prefix-style ACL that lets `+`/`#` through at level 2 is caught
  it('catches a naive ACL', () => {
    const naive = (f: string) => f.startsWith('accounts/') && !f.startsWith('accounts/acct-000002');
    expect(fc.check(accepts(naive), { numRuns: 3000 }).failed).toBe(true);
  });

  // proves: an accepted filter is useful — it matches some topic under accounts/acct-000001/
  it('every accepted viewer filter matches a topic under its own account', () => {
    fc.assert(
      fc.property(filter, (f) => {
        if (!canSubscribe(me, f)) return true;
        const witness = f.split('/').map((l) => (l === '+' || l === '#' ? 'x' : l)).join('/');
        return witness.startsWith('accounts/acct-000001/') && matches(f, witness);
      }),
      { numRuns: 3000 },
    );
  });

  it('matches() follows [MQTT-4.7]', () => {
    expect(matches('a/#', 'a')).toBe(true);
    expect(matches('a/+', 'a')).toBe(false);
    expect(matches('+/+', '/x')).toBe(true);
    expect(matches('#', 'a/b/c')).toBe(true);
    expect(matches('a/+/c', 'a/b/c/d')).toBe(false);
  });
});

/** [MQTT-4.7.1-2] `#` matches the parent and any number of child levels; [MQTT-4.7.1-3] `+` exactly one level. */
function matches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

describe('broker outage', () => {
  // proves: outage() drops live mqtt.js connections, refuses new ones while down, and restore() reopens
  it('drops clients, refuses connects while down, accepts after restore', async () => {
    const a = await viewer(A);
    const cam = await camera(CAM1);
    const bothClosed = Promise.all([closed(a), closed(cam)]);
    expect(broker.outage()).toBe(2);
    expect(await bothClosed).toEqual([true, true]);
    expect(broker.isDown).toBe(true);
    await expect(viewer(A, viewerClientId(A, 2))).rejects.toThrow();
    expect(broker.stats.connacksAccepted).toBe(2); // the refused attempt never reached aedes
    broker.restore();
    const again = await viewer(A, viewerClientId(A, 3));
    expect(again.connected).toBe(true);
    await waitFor(() => broker.stats.connacksAccepted === 3);
  });
});
