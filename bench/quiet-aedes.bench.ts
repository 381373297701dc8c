import { Aedes } from 'aedes';
import { loadavg } from 'node:os';
import { QuietAedes } from '../src/broker/quiet-aedes.ts';
import { MemoryServerTransport } from '../src/transport/memory-transport.ts';
import { cpuMicros, sleep, until } from './bare-storm.ts';
import { RawClient, connectPacket, newTally, openAll } from './raw-client.ts';

/**
 * `node --expose-gc bench/quiet-aedes.bench.ts`: what aedes' `$SYS` connect and disconnect
 * notices cost, as process CPU per connect + drop of N raw clients on the memory transport,
 * plain Aedes and QuietAedes in alternating rounds of the same process (so other load on the
 * machine falls on both). Env: BENCH_QUIET_CLIENTS (20000), BENCH_QUIET_ROUNDS (5).
 */
const N = Number(process.env.BENCH_QUIET_CLIENTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_QUIET_ROUNDS ?? 5);

/** One warm-up connect + drop, then a measured one: µs of process CPU per client. */
async function round(make: () => Aedes): Promise<number> {
  const aedes = make();
  await aedes.listen();
  const transport = new MemoryServerTransport();
  const clientTransport = await transport.listen((stream) => aedes.handle(stream));
  const tally = newTally();
  const clients = Array.from({ length: N }, () => new RawClient(tally));
  const packets = clients.map((_, i) => connectPacket(`cam-${i}`));
  const connectAndDrop = async (): Promise<void> => {
    const closed = tally.closed;
    transport.setRefusing(false);
    await openAll(clients, packets, clientTransport, tally, 60_000);
    transport.setRefusing(true);
    transport.dropAll();
    await until(() => tally.closed - closed >= N && aedes.connectedClients === 0, 60_000);
  };
  try {
    await connectAndDrop();
    globalThis.gc?.();
    await sleep(50);
    const cpu0 = cpuMicros();
    await connectAndDrop();
    return (cpuMicros() - cpu0) / N;
  } finally {
    await transport.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
  }
}

const plain: number[] = [];
const quiet: number[] = [];
const load = loadavg()[0];
for (let r = 0; r < ROUNDS; r++) {
  plain.push(await round(() => new Aedes({ concurrency: 0 })));
  quiet.push(await round(() => new QuietAedes({ concurrency: 0 })));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const show = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(', ');
process.stdout.write(
  `µs of CPU per connect + drop, ${N} raw clients, median of ${ROUNDS} rounds (load average ${load.toFixed(2)} → ${loadavg()[0].toFixed(2)}):\n` +
    `  Aedes      ${median(plain).toFixed(1)}  (${show(plain)})\n` +
    `  QuietAedes ${median(quiet).toFixed(1)}  (${show(quiet)})  = ${(median(quiet) / median(plain)).toFixed(3)}×\n`,
);
process.exit(0);
