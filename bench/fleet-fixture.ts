import { randomBytes } from 'node:crypto';
import { EmbeddedBroker } from '../src/broker/embedded-broker.ts';
import { ScaledClock } from '../src/clock/scaled-clock.ts';
import { emptyFleetStats, type FleetContext } from '../src/fleet/fleet-context.ts';
import { inProcessTapClient } from '../src/fleet/tap-client.ts';
import { HistoryRecorder } from '../src/history/history-recorder.ts';
import { Credentials } from '../src/registry/credentials.ts';
import { Registry } from '../src/registry/registry.ts';
import { createWatermarker } from '../src/registry/watermark.ts';
import { MemoryServerTransport } from '../src/transport/memory-transport.ts';

/**
 * What the heap measurement needs around a set of cameras: the embedded broker (auth + ACL) on
 * a memory transport, and a FleetContext shared by every camera, as buildWorld makes it but
 * with no service, no viewers and no events (eventsStopAt = 0), so that what grows with N is
 * the clients and their connections, not the event ledger.
 */
export interface HeapFixture {
  registry: Registry;
  credentials: Credentials;
  broker: EmbeddedBroker;
  ctx: FleetContext;
  clock: ScaledClock;
  close(): Promise<void>;
}

export async function heapFixture(devices: number, registry?: Registry): Promise<HeapFixture> {
  const seed = 1;
  registry ??= Registry.generate(seed, { devices, devicesPerAccount: { min: 1, max: 6 }, viewersPerAccount: { min: 1, max: 2 } });
  const credentials = new Credentials(randomBytes(32));
  const watermarker = createWatermarker(randomBytes(32));
  const broker = await EmbeddedBroker.start(new MemoryServerTransport(), credentials, registry);
  const clock = new ScaledClock(1);
  // connects and disconnects are recorded, as in a run, but nobody judges them here
  const history = new HistoryRecorder({ apply: () => {} }, { wallClock: true });
  const ctx: FleetContext = {
    clock,
    cameraTransport: broker.clientTransport,
    viewerTransport: broker.clientTransport,
    credentials,
    watermarker,
    registry,
    history,
    seed,
    backoff: { kind: 'fixed', jitter: 'none', base: 1000, cap: 1000, maxAttempts: 0 },
    keepalive: 0,
    eventInterval: 3_600_000,
    eventsStopAt: 0,
    tapShare: 0,
    taps: inProcessTapClient(async () => ({ status: 404, body: Buffer.alloc(0) })),
    serviceReady: () => false,
    stats: emptyFleetStats(),
    hooks: {},
  };
  return {
    registry,
    credentials,
    broker,
    ctx,
    clock,
    async close() {
      clock.stop();
      history.close();
      await broker.close();
    },
  };
}
