import { performance } from 'node:perf_hooks';
import { Aedes } from 'aedes';
import { MemoryServerTransport } from '../src/transport/memory-transport.ts';
import { resetStormProbe } from './probes.ts';
import { RawClient, connectPacket, newTally, openAll } from './raw-client.ts';

export interface BareStormResult {
  devices: number;
  /** Cold start: every client connecting at once into an empty broker. */
  coldConnectsPerSecond: number;
  /** After an outage (drop all, refuse, accept again): the measured figure. */
  connectsPerSecond: number;
  stormSeconds: number;
  wallSeconds: number;
}

/** Same id shape as the fleet's cameras, so aedes' client map sees the same keys. */
const deviceId = (i: number) => `cam-${String(i + 1).padStart(7, '0')}`;

/**
 * The bare baseline: aedes with no hooks on the same MemoryServerTransport, N raw clients with
 * pre-generated CONNECTs, no service, no viewers, no oracle. The fleet connects cold, the
 * transport drops everyone and refuses, then accepts again and every client reconnects at once
 * (opened in the same 2000-per-turn slices as the scenario clock fires due timers). Timed from
 * the first connect after the restore to the last CONNACK.
 */
export async function runBareStorm(devices: number, log: (line: string) => void): Promise<BareStormResult> {
  resetStormProbe();
  const started = performance.now();
  const aedes = new Aedes();
  await aedes.listen();
  const transport = new MemoryServerTransport();
  const clientTransport = await transport.listen((stream) => aedes.handle(stream));
  const tally = newTally();
  const clients: RawClient[] = [];
  const packets: Buffer[] = [];
  for (let i = 0; i < devices; i++) {
    clients.push(new RawClient(tally));
    packets.push(connectPacket(deviceId(i)));
  }
  const timeoutMs = 60_000 + devices;

  try {
    const cold0 = performance.now();
    await openAll(clients, packets, clientTransport, tally, timeoutMs);
    const coldSeconds = (tally.lastConnackAt - cold0) / 1000;
    log(`  [bare ${devices}] cold: ${devices} CONNACKs in ${coldSeconds.toFixed(3)} s`);

    // the outage: refuse new links, drop every open one, let aedes forget them all
    transport.setRefusing(true);
    transport.dropAll();
    await until(() => tally.closed >= devices && aedes.connectedClients === 0, timeoutMs);
    await sleep(500);
    transport.setRefusing(false);

    const storm0 = performance.now();
    await openAll(clients, packets, clientTransport, tally, timeoutMs);
    const stormSeconds = (tally.lastConnackAt - storm0) / 1000;
    log(`  [bare ${devices}] storm: ${devices} CONNACKs in ${stormSeconds.toFixed(3)} s`);
    return {
      devices,
      coldConnectsPerSecond: devices / coldSeconds,
      connectsPerSecond: devices / stormSeconds,
      stormSeconds,
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await transport.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('timed out waiting for the broker to settle');
    await sleep(20);
  }
}
