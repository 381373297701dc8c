import { randomBytes } from 'node:crypto';
import type { Broker } from '../broker/broker.ts';
import { EmbeddedBroker } from '../broker/embedded-broker.ts';
import { ThreadedBroker } from '../broker/threaded-broker.ts';
import { ExternalBroker } from '../broker/external-broker.ts';
import { readTlsFiles } from '../broker/broker-endpoint.ts';
import { WsServerTransport } from '../transport/ws-transport.ts';
import { probeExternalBroker } from './external-broker-probe.ts';
import type { CacheAdapter } from '../cache/cache-adapter.ts';
import { ObservedCache } from '../cache/observed-cache.ts';
import type { Clock } from '../clock/clock.ts';
import { Camera } from '../fleet/camera.ts';
import { emptyFleetStats, type FleetContext } from '../fleet/fleet-context.ts';
import { Viewer } from '../fleet/viewer.ts';
import { HostileTenants } from '../fleet/hostile-tenants.ts';
import { httpTapClient, inProcessTapClient, shardedTapClient, type TapClient } from '../fleet/tap-client.ts';
import { eventTopicOf } from '../broker/acl.ts';
import { shardOf, shardSlice, sharedRunKey, type ShardSlice } from '../registry/shard-slice.ts';
import type { HistoryRecorder } from '../history/history-recorder.ts';
import type { HistoryChecker } from '../oracle/history-checker.ts';
import { Credentials, externalBrokerSecret } from '../registry/credentials.ts';
import { ownerKeys } from '../registry/owner-key.ts';
import { Registry } from '../registry/registry.ts';
import { createWatermarker } from '../registry/watermark.ts';
import { createRng } from '../rng/seeded-rng.ts';
import type { Scenario } from '../scenario/schema.ts';
import { OwnerResolver } from '../service/owner-resolver.ts';
import { ReferenceService } from '../service/reference-service.ts';
import { SourceOfTruth } from '../service/source-of-truth.ts';
import { TapServer } from '../service/tap-server.ts';
import type { ServerTransport } from '../transport/link.ts';
import { MemoryServerTransport } from '../transport/memory-transport.ts';
import { TcpServerTransport } from '../transport/tcp-transport.ts';
import type { CacheNetwork } from './cache-network.ts';
import { openCache } from './open-cache.ts';
import { bounded, messageOf, TimeLimitError } from '../cache/adapter-guard.ts';
import type { WorldHooks } from './run-hooks.ts';
import { ServiceLog } from './service-log.ts';

/** Everything a run is made of, built from a scenario, torn down in reverse. */
export interface World {
  registry: Registry;
  broker: Broker;
  adapter: CacheAdapter;
  /** How the adapter is named in messages, and where its code lives (to attribute stray errors). */
  adapterName: string;
  adapterCodeMarkers: string[];
  /** Server and chaos proxy of a network cache; undefined for in-process adapters. */
  cacheNetwork: CacheNetwork | undefined;
  cache: ObservedCache;
  source: SourceOfTruth;
  resolver: OwnerResolver;
  service: ReferenceService;
  tapServer: TapServer;
  serviceLog: ServiceLog;
  fleet: FleetContext;
  cameras: Camera[];
  viewers: Viewer[];
  /** The hostile tenants of a `hostile:` scenario. */
  hostile: HostileTenants | undefined;
  /** Where each viewer and camera starts on the ramp, as a share of the whole fleet (a shard runs part of it). */
  rampPositions: { viewers: number[]; cameras: number[] };
  /** A shard's slice of the fleet, and the addresses of every shard's service (filled when the shards meet). */
  shard: { slice: ShardSlice; tapUrls: string[] } | undefined;
  /** The op log every part records into, and the checker judging it as it grows. */
  history: HistoryRecorder;
  checker: HistoryChecker;
}

/** How the run observes itself: its history, and whether the clock is virtual (no real I/O). */
export interface WorldRecording {
  history: HistoryRecorder;
  checker: HistoryChecker;
  virtual: boolean;
}

const serverTransports: Record<Scenario['fleet']['transport'], () => ServerTransport> = {
  memory: () => new MemoryServerTransport(),
  tcp: () => new TcpServerTransport(),
};

/** Share of the run over which the fleet's first connections are spread. */
const RAMP_SHARE = 0.1;
const RAMP_MAX = 5000;
/** How long each of crosswire's own parts may take to close before the teardown moves on. */
const TEARDOWN_STEP_MS = 10_000;

export async function buildWorld(scenario: Scenario, clock: Clock, recording: WorldRecording, hooks: WorldHooks): Promise<World> {
  const { history, checker } = recording;
  const { seed } = scenario;
  const shape = { ...scenario.fleet, identities: scenario.identities };
  // the cache first: a missing server binary or a broken adapter fails before anything else runs
  const { adapter, network: cacheNetwork, shapeBreaches, name: adapterName, codeMarkers } = await openCache(scenario, clock);
  for (const detail of shapeBreaches) history.record({ op: 'contract-breach', t: 0, adapter: adapter.id, call: 'create()', detail });
  const registry = Registry.generate(seed, shape);
  const shardSpec = shardOf(scenario);
  const slice = shardSpec === undefined ? undefined : shardSlice(registry, shardSpec);
  const { url: brokerUrl } = scenario.broker;
  // an external broker's password file is written before the run: its secret follows from the seed
  const secret = brokerUrl === undefined ? randomBytes(32) : externalBrokerSecret(seed, process.env.CROSSWIRE_BROKER_SECRET);
  const credentials = new Credentials(secret);
  // every shard must verify the watermarks of every other shard's cameras
  const watermarker = createWatermarker(slice === undefined ? randomBytes(32) : sharedRunKey(seed, 'watermark', process.env.CROSSWIRE_BROKER_SECRET));
  const wantsWs = shape.cameraTransport === 'ws' || shape.viewerTransport === 'ws';
  let broker: Broker;
  if (brokerUrl !== undefined) {
    try {
      broker = new ExternalBroker({ ...scenario.broker, url: brokerUrl }, readTlsFiles(scenario.broker));
      await probeExternalBroker(brokerUrl, broker.clientTransport, credentials, seed);
      if (broker.wsTransport !== undefined && wantsWs && broker.wsTransport !== broker.clientTransport) {
        await probeExternalBroker(scenario.broker.wsUrl ?? brokerUrl, broker.wsTransport, credentials, seed);
      }
    } catch (error) {
      // the cache was opened first: a private server must not outlive a run that never started
      await Promise.allSettled([adapter.close(), cacheNetwork?.close()]);
      throw error;
    }
  } else if (scenario.broker.thread === 'worker') broker = await ThreadedBroker.start(seed, shape, secret, scenario.broker);
  else broker = await EmbeddedBroker.start(serverTransports[shape.transport](), credentials, registry, scenario.broker, wantsWs ? new WsServerTransport() : undefined);
  const wsTransport = () => {
    if (broker.wsTransport === undefined) throw new Error('the broker serves no WebSocket clients');
    return broker.wsTransport;
  };
  const cache = new ObservedCache(adapter, clock, {
    onOp: (r) =>
      history.record({
        op: 'cache', t: r.at, startedAt: r.startedAt, doneAfter: r.doneAfter, id: r.id, kind: r.op, key: r.key, value: r.value,
        outcome: r.outcome, error: r.error,
        // wall-clock latency has no place in a virtual history: it would differ run to run
        latencyMs: recording.virtual ? 0 : r.latencyMs, adapter: r.adapter, connectionId: r.connectionId,
      }),
    onBreach: (b) => history.record({ op: 'contract-breach', t: Math.round(clock.now()), adapter: adapter.id, ...b }),
    // a virtual clock runs only built-in in-process adapters, which answer at once: no wall-clock bound there
    operationTimeoutMs: recording.virtual ? 0 : scenario.cache.operationTimeout,
  });
  const source = new SourceOfTruth(registry, clock, scenario.service.sourceOfTruthLatency);
  const resolver = new OwnerResolver(cache, source, clock, scenario.service.verify, scenario.cache.ttl, ownerKeys(scenario.identities.keyTemplate));
  const serviceLog = new ServiceLog(registry, history, clock, hooks);
  const { ledger } = checker;
  const clips = {
    eventMeta: (eventId: number) => {
      const meta = ledger.meta(eventId);
      return meta === undefined ? undefined : { deviceId: registry.deviceIds[meta.device], publishedAt: meta.publishedAt };
    },
  };
  const tapServer = new TapServer({ credentials, resolver, clips, watermarker, observer: serviceLog, clock });
  let taps: TapClient;
  if (recording.virtual) taps = inProcessTapClient((path, authorization) => tapServer.answer(path, authorization));
  else if (slice === undefined) taps = httpTapClient(await tapServer.listen());
  else taps = httpTapClient(await tapServer.listen(process.env.CROSSWIRE_TAP_HOST, process.env.CROSSWIRE_ADVERTISE_HOST));
  const tapUrls: string[] = [];
  if (slice !== undefined) taps = shardedTapClient(taps, slice.shardOfEvent, tapUrls);
  const ownDevices = registry.deviceIds.map((_, d) => d).filter((d) => slice?.ownsDevice(d) ?? true);
  const split = slice === undefined ? undefined : { instance: slice.spec.index + 1, filters: ownDevices.map((d) => eventTopicOf(registry.deviceIds[d])) };
  const service = new ReferenceService(broker.clientTransport, credentials, resolver, serviceLog, clock, split);

  const fleet: FleetContext = {
    clock,
    cameraTransport: shape.cameraTransport === 'ws' ? wsTransport() : broker.clientTransport,
    viewerTransport: shape.viewerTransport === 'ws' ? wsTransport() : broker.clientTransport,
    credentials,
    watermarker,
    registry,
    history,
    seed,
    backoff: shape.backoff,
    keepalive: shape.keepalive,
    eventInterval: shape.eventInterval,
    eventsStopAt: scenario.duration - scenario.drain,
    tapShare: shape.tapShare,
    retainSnapshots: shape.retainSnapshots,
    taps,
    serviceReady: () => service.ready,
    stats: emptyFleetStats(),
    hooks,
  };
  const cameras = ownDevices.map((d) => new Camera(fleet, d));
  const viewers: Viewer[] = [];
  // ramp positions over the whole fleet, so a shard's clients start when they would in one process
  const rampPositions = { viewers: [] as number[], cameras: ownDevices.map((d) => d / Math.max(1, registry.deviceCount)) };
  const allViewers = registry.viewersPerAccount.reduce((a, b) => a + b, 0);
  let position = 0;
  registry.viewersPerAccount.forEach((count, account) => {
    for (let n = 1; n <= count; n++, position++) {
      if (slice !== undefined && !slice.ownsAccount(account)) continue;
      viewers.push(new Viewer(fleet, account, n));
      rampPositions.viewers.push(position / Math.max(1, allViewers));
    }
  });
  const shard = slice === undefined ? undefined : { slice, tapUrls };
  const hostile =
    scenario.hostile === undefined
      ? undefined
      : new HostileTenants({ clock, transport: fleet.viewerTransport, credentials, watermarker, registry, history, seed }, scenario.hostile);
  return { registry, broker, adapter, adapterName, adapterCodeMarkers: codeMarkers, cacheNetwork, cache, source, resolver, service, tapServer, serviceLog, fleet, cameras, viewers, hostile, rampPositions, shard, history, checker };
}

/** Service first, then viewers and cameras spread over the ramp so the start is not a storm. */
export function startWorld(world: World, duration: number): void {
  world.service.start();
  const ramp = Math.min(RAMP_MAX, duration * RAMP_SHARE);
  const { viewers, cameras } = world.rampPositions;
  world.viewers.forEach((viewer, i) => viewer.start((ramp * viewers[i]) / 2));
  world.cameras.forEach((camera, i) => camera.start(ramp / 2 + (ramp * cameras[i]) / 2));
  world.hostile?.start();
}

/**
 * Tears the world down after the verdict's observations are in: every part is stopped even if
 * another fails, adapter code within `cache.closeTimeout`; what goes wrong is returned as
 * warnings, never thrown (a verdict is not lost to a failing close).
 */
export async function stopWorld(world: World, closeTimeoutMs: number): Promise<string[]> {
  const warnings: string[] = [];
  const step = async (what: string, run: () => unknown, limitMs = TEARDOWN_STEP_MS, field = 'teardown') => {
    try {
      await bounded(run, limitMs, what, field);
    } catch (error) {
      warnings.push(error instanceof TimeLimitError ? error.message : `${what}: ${messageOf(error)}`);
    }
  };
  for (const camera of world.cameras) camera.stop();
  for (const viewer of world.viewers) viewer.stop();
  world.hostile?.stop();
  world.service.stop();
  await step('tap client close', () => world.fleet.taps.close());
  await step('tap server close', () => world.tapServer.close());
  await step('broker close', () => world.broker.close());
  await step(`${world.adapterName}: close()`, () => world.adapter.close(), closeTimeoutMs, 'cache.closeTimeout');
  world.cache.abandonPending('no answer before the run ended (its effect is unknown)');
  world.cache.stop();
  await step('cache server and chaos proxy close', async () => world.cacheNetwork?.close());
  return warnings;
}
