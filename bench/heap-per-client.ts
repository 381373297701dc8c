import mqtt from 'mqtt';
import { performance } from 'node:perf_hooks';
import { Camera } from '../src/fleet/camera.ts';
import { Registry } from '../src/registry/registry.ts';
import type { ClientTransport, Link } from '../src/transport/link.ts';
import { heapFixture, type HeapFixture } from './fleet-fixture.ts';
import { LinkDuplex } from './link-duplex.ts';
import { RawClient, connectPacket, newTally } from './raw-client.ts';

/** Heap (and off-heap buffer) growth per client, after full GCs, for one way of holding N clients. */
export interface HeapSample {
  label: string;
  clients: number;
  heapBytesPerClient: number;
  externalBytesPerClient: number;
  setupSeconds: number;
}

export interface HeapReport {
  clients: number;
  samples: HeapSample[];
  /** Client-side bytes per camera: mean(cameras connected) − mean(raw connected) + raw client object. */
  cameraClientBytes: number;
  /** Same for an mqtt.js client, including the one Duplex it needs as its stream. */
  mqttjsClientBytes: number;
  /** The LinkDuplex alone (what mqtt.js needs as a stream here; a net.Socket on TCP). */
  streamBytes: number;
  /** Shared broker + link cost per connection (raw connected − raw object). */
  connectionBytes: number;
  /** Largest |1st − 2nd| between two readings of the same connected variant: the noise floor. */
  noiseBytes: number;
  /** A Camera constructed but not started (its own object, RNG and fields): a floor for the client-side cost. */
  cameraObjectBytes: number;
  /** Harness ground truth per device (Registry), not client state; for the record. */
  registryBytesPerDevice: number;
  ratioToMqttjs: number;
}

function gcNow(): void {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  gc();
  gc();
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`heap bench: timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Measures heapUsed before and after `build` (which must return what it keeps alive and
 * resolve once every client is connected), each after settling and two full GCs.
 */
async function sample(label: string, n: number, build: () => Promise<unknown>): Promise<HeapSample> {
  await sleep(50);
  gcNow();
  const before = process.memoryUsage();
  const started = performance.now();
  const kept = await build();
  const setupSeconds = (performance.now() - started) / 1000;
  await sleep(100);
  gcNow();
  const after = process.memoryUsage();
  if (kept === undefined) throw new Error('nothing kept');
  return {
    label,
    clients: n,
    heapBytesPerClient: (after.heapUsed - before.heapUsed) / n,
    externalBytesPerClient: (after.external - before.external) / n,
    setupSeconds,
  };
}

/** A fresh broker for each connected variant, built before the "before" reading. */
async function withFixture<T>(registry: Registry, n: number, body: (fx: HeapFixture) => Promise<T>): Promise<T> {
  const fx = await heapFixture(n, registry);
  try {
    return await body(fx);
  } finally {
    await fx.close();
    await sleep(50);
  }
}

const nullTransport: ClientTransport = {
  id: 'null',
  connect: (): Link => ({ send() {}, hangUp() {} }),
};

/**
 * (a) N crosswire cameras connected, (b) N minimal raw clients connected, on the same broker
 * and transport: the difference is the client-side cost, since broker-side state and the link
 * are the same in both. (c) N mqtt.js v5 clients through the same transport.
 */
export async function measureHeap(n: number, log: (line: string) => void): Promise<HeapReport> {
  const samples: HeapSample[] = [];
  const add = (s: HeapSample) => {
    samples.push(s);
    log(`  [heap] ${s.label}: ${(s.heapBytesPerClient / 1024).toFixed(2)} KB heap/client, ${s.externalBytesPerClient.toFixed(0)} B external (${s.setupSeconds.toFixed(1)} s)`);
  };

  let registry: Registry | undefined;
  add(await sample('registry (harness ground truth, per device)', n, async () => {
    registry = Registry.generate(1, { devices: n, devicesPerAccount: { min: 1, max: 6 }, viewersPerAccount: { min: 1, max: 2 } });
    return registry;
  }));
  const reg = registry!;

  add(await sample('raw client objects (not connected)', n, async () => {
    const tally = newTally();
    return Array.from({ length: n }, () => new RawClient(tally));
  }));
  add(await sample('LinkDuplex stream objects alone', n, async () => {
    return Array.from({ length: n }, () => new LinkDuplex(nullTransport));
  }));
  add(await withFixture(reg, n, (fx) => sample('camera objects (constructed, not started)', n, async () => {
    return Array.from({ length: n }, (_, i) => new Camera(fx.ctx, i));
  })));

  // the first connected round pays one-off costs (JIT code and feedback, aedes and stream
  // internals, string tables): a discarded warm-up round of every connected variant first
  const warm = Math.min(n, 5000);
  log(`  [heap] warm-up: every connected variant once at ${warm} clients (discarded)`);
  await connectedRaw(reg, warm, 'warm-up raw');
  await connectedCameras(reg, warm, 'warm-up cameras');
  await connectedMqttjs(reg, warm, 'warm-up mqtt.js');

  // interleaved, each connected variant twice: the spread of a variant is the noise floor
  add(await connectedRaw(reg, n, 'raw clients connected (1st)'));
  add(await connectedCameras(reg, n, 'cameras connected (1st; started, event timer pending)'));
  add(await connectedMqttjs(reg, n, 'mqtt.js v5 clients connected (1st; incl. their stream)'));
  add(await connectedRaw(reg, n, 'raw clients connected (2nd)'));
  add(await connectedCameras(reg, n, 'cameras connected (2nd)'));
  add(await connectedMqttjs(reg, n, 'mqtt.js v5 clients connected (2nd)'));

  const by = (prefix: string) => samples.find((s) => s.label.startsWith(prefix))!.heapBytesPerClient;
  const twice = (prefix: string) => [by(`${prefix} (1st`), by(`${prefix} (2nd`)];
  const mean = ([a, b]: number[]) => (a + b) / 2;
  const spread = ([a, b]: number[]) => Math.abs(a - b);
  const raw = twice('raw clients connected');
  const cameras = twice('cameras connected');
  const mqttjs = twice('mqtt.js v5 clients connected');
  const rawObject = by('raw client objects');
  const rawConnected = mean(raw);
  const cameraClientBytes = mean(cameras) - rawConnected + rawObject;
  const mqttjsClientBytes = mean(mqttjs) - rawConnected + rawObject;
  return {
    clients: n,
    samples,
    cameraClientBytes,
    mqttjsClientBytes,
    streamBytes: by('LinkDuplex'),
    connectionBytes: rawConnected - rawObject,
    noiseBytes: Math.max(spread(raw), spread(cameras), spread(mqttjs)),
    cameraObjectBytes: by('camera objects'),
    registryBytesPerDevice: by('registry'),
    ratioToMqttjs: cameraClientBytes / mqttjsClientBytes,
  };
}

function connectedRaw(registry: Registry, n: number, label: string): Promise<HeapSample> {
  const ids = registry.deviceIds;
  return withFixture(registry, n, (fx) =>
    sample(label, n, async () => {
      const tally = newTally();
      const clients = Array.from({ length: n }, () => new RawClient(tally));
      clients.forEach((c, i) => c.open(fx.ctx.cameraTransport, connectPacket(ids[i], ids[i], fx.credentials.password(ids[i]))));
      await until(() => tally.accepted === n, `${n} raw CONNACKs`);
      return clients;
    }),
  );
}

function connectedCameras(registry: Registry, n: number, label: string): Promise<HeapSample> {
  return withFixture(registry, n, (fx) =>
    sample(label, n, async () => {
      const cameras = Array.from({ length: n }, (_, i) => new Camera(fx.ctx, i));
      for (const camera of cameras) camera.start(0);
      await until(() => fx.ctx.stats.camerasConnected === n, `${n} cameras connected`);
      return cameras;
    }),
  );
}

function connectedMqttjs(registry: Registry, n: number, label: string): Promise<HeapSample> {
  const ids = registry.deviceIds;
  return withFixture(registry, n, async (fx) => {
    let connected = 0;
    let clients: mqtt.MqttClient[] = [];
    try {
      return await sample(label, n, async () => {
        clients = ids.slice(0, n).map((id) => {
          const client = new mqtt.MqttClient(() => new LinkDuplex(fx.ctx.cameraTransport), {
            clientId: id,
            username: id,
            password: fx.credentials.password(id),
            protocolVersion: 4,
            clean: true,
            keepalive: 0, // as the cameras (scenario default): no ping timer
            reconnectPeriod: 1000,
          });
          client.once('connect', () => connected++);
          client.on('error', () => {});
          return client;
        });
        await until(() => connected === n, `${n} mqtt.js connects`);
        return clients;
      });
    } finally {
      for (const c of clients) c.end(true);
      await sleep(50);
    }
  });
}
