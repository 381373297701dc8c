import { performance } from 'node:perf_hooks';
import { Aedes } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { accountTopicOf, eventTopicOf, SERVICE_EVENT_FILTER } from '../src/broker/acl.ts';
import { encodeEventPayload } from '../src/fleet/event-payload.ts';
import { viewerClientId } from '../src/registry/credentials.ts';
import { Registry } from '../src/registry/registry.ts';
import { createWatermarker } from '../src/registry/watermark.ts';
import { createRng } from '../src/rng/seeded-rng.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { MemoryServerTransport } from '../src/transport/memory-transport.ts';
import type { ClientTransport } from '../src/transport/link.ts';
import { BARE_ROUNDS, OUTAGE_MS, cpuMicros, sleep, until } from './bare-storm.ts';
import { resetStormProbe } from './probes.ts';
import { RawClient, connectPacket, newTally, openAll, type RawTally } from './raw-client.ts';

export interface BareOutageResult {
  devices: number;
  viewers: number;
  /** Connections per camera in one herd: (cameras + viewers + the service) / cameras. */
  connectionsPerCamera: number;
  /** Median over the rounds: cameras back per second, first CONNECT to the last camera CONNACK. */
  connectsPerSecond: number;
  rounds: number[];
  stormSeconds: number;
  /** Process CPU in that window, per camera, µs. */
  cpuMicrosPerConnect: number;
  stormCpuCores: number;
  /** Events the service republished to an account topic in the median round (one snapshot per camera). */
  republished: number;
  wallSeconds: number;
}

/** Camera snapshots are spread over this much time after the CONNACK, as a camera's are (SNAPSHOT_SPREAD). */
const SNAPSHOT_SPREAD_MS = 1000;
const BUCKET_MS = 10;

/** Delayed sends on one 10 ms tick (what the fleet's timer queue does for its snapshots), not one setTimeout each. */
class SendWheel {
  private readonly buckets: RawClient[][] = Array.from({ length: SNAPSHOT_SPREAD_MS / BUCKET_MS }, () => []);
  private readonly payloads: Buffer[][] = this.buckets.map(() => []);
  private at = 0;
  private timer: NodeJS.Timeout | undefined;
  pending = 0;

  add(client: RawClient, packet: Buffer, delayMs: number): void {
    const i = (this.at + 1 + Math.floor(delayMs / BUCKET_MS)) % this.buckets.length;
    this.buckets[i].push(client);
    this.payloads[i].push(packet);
    this.pending++;
    this.timer ??= setInterval(() => this.tick(), BUCKET_MS);
  }

  private tick(): void {
    this.at = (this.at + 1) % this.buckets.length;
    const clients = this.buckets[this.at];
    const packets = this.payloads[this.at];
    for (let i = 0; i < clients.length; i++) clients[i].link?.send(packets[i]);
    this.pending -= clients.length;
    clients.length = 0;
    packets.length = 0;
    if (this.pending === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

/** A raw camera: CONNECT, then its snapshot (a PUBLISH to its event topic) a seeded moment after the CONNACK. */
class RawCamera extends RawClient {
  private readonly wheel: SendWheel;
  private readonly snapshot: Buffer;
  private readonly delayMs: number;

  constructor(tally: RawTally, wheel: SendWheel, snapshot: Buffer, delayMs: number) {
    super(tally);
    this.wheel = wheel;
    this.snapshot = snapshot;
    this.delayMs = delayMs;
  }

  protected override accepted(): void {
    this.wheel.add(this, this.snapshot, this.delayMs);
  }
}

/** A raw app session: CONNECT, then SUBSCRIBE to its account's topic; what it receives is not parsed. */
class RawViewer extends RawClient {
  private readonly subscribe: Buffer;

  constructor(tally: RawTally, subscribe: Buffer) {
    super(tally);
    this.subscribe = subscribe;
  }

  protected override accepted(): void {
    this.link?.send(this.subscribe);
  }
}

/** The service, raw: subscribes to every camera's events and republishes each to its owner's account topic. */
class RawService extends RawClient {
  private parser = mqttPacket.parser({ protocolVersion: 4 });
  private readonly topicOfOwner: (deviceId: string) => string;
  private readonly subscribe: Buffer;
  republished = 0;

  constructor(tally: RawTally, subscribe: Buffer, topicOfOwner: (deviceId: string) => string) {
    super(tally);
    this.subscribe = subscribe;
    this.topicOfOwner = topicOfOwner;
  }

  /** Subscribed before any camera's snapshot, which waits at least one 10 ms tick after its CONNACK. */
  protected override accepted(): void {
    this.link?.send(this.subscribe);
  }

  override open(transport: ClientTransport, connect: Buffer): void {
    this.parser = mqttPacket.parser({ protocolVersion: 4 });
    this.parser.on('packet', (packet) => {
      if (packet.cmd !== 'publish') return;
      const topic = this.topicOfOwner(packet.topic.split('/')[1]);
      this.link?.send(mqttPacket.generate({ cmd: 'publish', topic, payload: packet.payload, qos: 0, retain: false, dup: false }));
      this.republished++;
    });
    super.open(transport, connect);
  }

  override onLinkData(chunk: Buffer): void {
    super.onLinkData(chunk); // counts the CONNACK
    this.parser.parse(chunk);
  }
}

/**
 * The like-for-like baseline of the broker outage storm: bare aedes (no hooks) on the same
 * MemoryServerTransport, and raw mqtt-packet clients in the same herd shape as the full
 * pipeline's outage, from the same registry (seed, devices, accounts, viewers per account):
 * N cameras connecting and each publishing its snapshot within a second, every app session
 * connecting and SUBSCRIBING to its account topic, and one service subscribing
 * `devices/+/events` that republishes every event to its owner's account topic. All of them are
 * dropped at once and let back at once; a round is timed from the first CONNECT after the
 * restore to the last camera CONNACK, as the full outage storm is.
 */
export async function runBareOutage(scenario: Scenario, log: (line: string) => void): Promise<BareOutageResult> {
  resetStormProbe();
  const started = performance.now();
  const registry = Registry.generate(scenario.seed, { ...scenario.fleet, identities: scenario.identities });
  const devices = registry.deviceIds.length;
  // no hooks; concurrency 0 as crosswire's broker has it: with aedes' default limit, a herd's
  // publishes queue inside mqemitter and releasing the queue overflows the stack
  const aedes = new Aedes({ concurrency: 0 });
  await aedes.listen();
  const transport = new MemoryServerTransport();
  const clientTransport = await transport.listen((stream) => aedes.handle(stream));
  const cameraTally = newTally();
  const otherTally = newTally();
  const wheel = new SendWheel();
  const watermarker = createWatermarker('bare-outage');
  const rng = createRng(scenario.seed, 'bare-outage');
  const password = 'p'.repeat(32);
  const owners = new Map<string, string>();

  const serviceSubscribe = mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: SERVICE_EVENT_FILTER, qos: 0 }] });
  const service = new RawService(otherTally, serviceSubscribe, (deviceId) => owners.get(deviceId)!);
  const clients: RawClient[] = [service];
  const packets: Buffer[] = [connectPacket('svc:reference~1', 'svc:reference', password)];
  let viewers = 0;
  // account by account, its cameras then its app sessions, in the registry's order
  let device = 0;
  registry.accountIds.forEach((accountId, account) => {
    const topic = accountTopicOf(accountId);
    for (; device < devices && registry.initialOwnerIndex(device) === account; device++) {
      const id = registry.deviceIds[device];
      owners.set(id, topic);
      const thumbnail = watermarker.encode({ kind: 'thumb', deviceId: id, eventId: device, publishedAt: 0 });
      const snapshot = mqttPacket.generate({ cmd: 'publish', topic: eventTopicOf(id), payload: encodeEventPayload(device, 0, thumbnail), qos: 0, retain: false, dup: false });
      clients.push(new RawCamera(cameraTally, wheel, snapshot, rng.next() * SNAPSHOT_SPREAD_MS));
      packets.push(connectPacket(id, id, password));
    }
    const subscribe = mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 0 }] });
    for (let n = 1; n <= registry.viewersPerAccount[account]; n++) {
      clients.push(new RawViewer(otherTally, subscribe));
      packets.push(connectPacket(viewerClientId(accountId, n), accountId, password));
      viewers++;
    }
  });
  const timeoutMs = 60_000 + devices;

  /** Opens everyone in slices (as the scenario clock fires due timers); resolves at the last camera CONNACK. */
  const herd = async (): Promise<{ seconds: number; cpuMicros: number }> => {
    otherTally.waitFor = Infinity;
    const othersBefore = otherTally.accepted;
    const cpu0 = cpuMicros();
    const t0 = performance.now();
    let cpuAtLast = 0;
    await openAll(clients, packets, clientTransport, cameraTally, timeoutMs, () => (cpuAtLast = cpuMicros()), devices);
    const seconds = (cameraTally.lastConnackAt - t0) / 1000;
    // let the round finish (every session back, every snapshot out) before the next outage
    await until(() => otherTally.accepted - othersBefore === viewers + 1 && wheel.pending === 0, timeoutMs);
    return { seconds, cpuMicros: cpuAtLast - cpu0 };
  };
  try {
    await herd();
    log(`  [bare outage ${devices}] cold: ${devices} cameras, ${viewers} app sessions and the service connected`);
    const rounds: Array<{ seconds: number; cpuMicros: number; republished: number }> = [];
    for (let r = 0; r < BARE_ROUNDS; r++) {
      transport.setRefusing(true);
      const closedBefore = cameraTally.closed + otherTally.closed;
      transport.dropAll();
      const outageStart = performance.now();
      await until(() => cameraTally.closed + otherTally.closed - closedBefore >= clients.length && aedes.connectedClients === 0, timeoutMs);
      await sleep(Math.max(0, OUTAGE_MS - (performance.now() - outageStart)));
      transport.setRefusing(false);
      const republishedBefore = service.republished;
      const round = await herd();
      rounds.push({ ...round, republished: service.republished - republishedBefore });
      log(`  [bare outage ${devices}] storm round ${r + 1}: ${devices} camera CONNACKs in ${round.seconds.toFixed(3)} s (${Math.round(devices / round.seconds)}/s), ${clients.length} connections`);
    }
    const median = [...rounds].sort((a, b) => a.seconds - b.seconds)[Math.floor(rounds.length / 2)];
    return {
      devices,
      viewers,
      connectionsPerCamera: clients.length / devices,
      connectsPerSecond: devices / median.seconds,
      rounds: rounds.map((r) => devices / r.seconds),
      stormSeconds: median.seconds,
      cpuMicrosPerConnect: median.cpuMicros / devices,
      stormCpuCores: median.cpuMicros / 1e6 / median.seconds,
      republished: median.republished,
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await transport.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
  }
}
