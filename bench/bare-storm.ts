import { performance } from 'node:perf_hooks';
import { Aedes } from 'aedes';
import { MemoryServerTransport } from '../src/transport/memory-transport.ts';
import { resetStormProbe } from './probes.ts';
import { RawClient, connectPacket, newTally, openAll, type RawTally } from './raw-client.ts';
import type { ClientTransport } from '../src/transport/link.ts';

export interface BareStormResult {
  devices: number;
  /** Cold start: every client connecting at once into an empty broker. */
  coldConnectsPerSecond: number;
  /** Median over the storm rounds: the measured figure. */
  connectsPerSecond: number;
  /** Each round's connects per second (outage, then everyone back at once). */
  rounds: number[];
  /** Seconds of the median round. */
  stormSeconds: number;
  /** Process CPU per reconnect in the median round, µs (all threads). */
  cpuMicrosPerConnect: number;
  /** Process CPU / wall over the median round: ≈1 means one core busy. */
  stormCpuCores: number;
  wallSeconds: number;
}

/** Storm rounds; the median is reported, so one round disturbed by other load does not decide. */
export const BARE_ROUNDS = 3;

/** Same as the storm scenario's outage. */
export const OUTAGE_MS = 3000;

/** Same id shape as the fleet's cameras, so aedes' client map sees the same keys. */
const deviceId = (i: number) => `cam-${String(i + 1).padStart(7, '0')}`;

export const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

interface Round {
  seconds: number;
  cpuMicros: number;
}

async function timedOpen(clients: RawClient[], packets: Buffer[], transport: ClientTransport, tally: RawTally, timeoutMs: number): Promise<Round> {
  const cpu0 = cpuMicros();
  const t0 = performance.now();
  let cpuAtLast = 0;
  await openAll(clients, packets, transport, tally, timeoutMs, () => (cpuAtLast = cpuMicros()));
  return { seconds: (tally.lastConnackAt - t0) / 1000, cpuMicros: cpuAtLast - cpu0 };
}

/**
 * The bare baseline: aedes with no hooks on the same MemoryServerTransport, N raw clients with
 * pre-generated CONNECTs, no service, no viewers, no oracle. The fleet connects cold, then, per
 * round, the transport drops everyone and refuses, then accepts again and every client
 * reconnects at once (opened in the same 2000-per-turn slices as the scenario clock fires due
 * timers). A round is timed from the first CONNECT after the restore to the last CONNACK.
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
    const cold = await timedOpen(clients, packets, clientTransport, tally, timeoutMs);
    log(`  [bare ${devices}] cold: ${devices} CONNACKs in ${cold.seconds.toFixed(3)} s`);
    const rounds: Round[] = [];
    for (let r = 0; r < BARE_ROUNDS; r++) {
      // the outage: refuse new links, drop every open one, let aedes forget them all
      transport.setRefusing(true);
      const closedBefore = tally.closed;
      transport.dropAll();
      const outageStart = performance.now();
      await until(() => tally.closed - closedBefore >= devices && aedes.connectedClients === 0, timeoutMs);
      // as long as the full pipeline's outage (3 s), so GC and aedes clean-up get the same time
      await sleep(Math.max(0, OUTAGE_MS - (performance.now() - outageStart)));
      transport.setRefusing(false);
      const round = await timedOpen(clients, packets, clientTransport, tally, timeoutMs);
      rounds.push(round);
      log(`  [bare ${devices}] storm round ${r + 1}: ${devices} CONNACKs in ${round.seconds.toFixed(3)} s (${Math.round(devices / round.seconds)}/s)`);
    }
    const median = [...rounds].sort((a, b) => a.seconds - b.seconds)[Math.floor(rounds.length / 2)];
    return {
      devices,
      coldConnectsPerSecond: devices / cold.seconds,
      connectsPerSecond: devices / median.seconds,
      rounds: rounds.map((r) => devices / r.seconds),
      stormSeconds: median.seconds,
      cpuMicrosPerConnect: median.cpuMicros / devices,
      stormCpuCores: median.cpuMicros / 1e6 / median.seconds,
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await transport.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('timed out waiting for the broker to settle');
    await sleep(20);
  }
}
