/**
 * What the chaos proxy itself costs, with no toxics: request/reply latency (sequential round
 * trips) and pipelined throughput, direct to a server versus through the proxy. Servers: a
 * private redis-server on a free loopback port (if installed; never the shared one on 6379) and
 * an in-process echo server (which shares this event loop with the proxy and the client).
 *
 *   npm exec -- node bench/chaos-proxy.bench.ts [roundTrips=20000] [pipelined=200000]
 */
import net from 'node:net';
import { ChaosProxy } from '../src/chaos/chaos-proxy.ts';
import { startEchoServer } from '../test/support/loopback-fixtures.ts';
import { LatencyHistogram } from '../src/metrics/latency-histogram.ts';
import { createRng } from '../src/rng/seeded-rng.ts';
import { serverBinaryAvailable, startPrivateServer } from '../src/servers/private-server.ts';
import { fixed, heading, int, table } from './format.ts';

const roundTrips = Number(process.argv[2] ?? 20_000);
const pipelined = Number(process.argv[3] ?? 200_000);
const REQUEST = Buffer.from('PING\r\n');

interface Result {
  p50: number;
  p99: number;
  mean: number;
  opsPerSec: number;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves when `bytes` more bytes have arrived on the socket. */
function receiver(socket: net.Socket): (bytes: number) => Promise<void> {
  let received = 0;
  let want = 0;
  let wake: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (wake && received >= want) {
      const w = wake;
      wake = undefined;
      w();
    }
  });
  return (bytes) => {
    want += bytes;
    if (received >= want) return Promise.resolve();
    return new Promise((resolve) => (wake = resolve));
  };
}

async function measure(port: number, replyBytes: number): Promise<Result> {
  const socket = await connect(port);
  const until = receiver(socket);
  const histogram = new LatencyHistogram();
  for (let i = 0; i < 2_000; i++) {
    socket.write(REQUEST);
    await until(replyBytes);
  }
  for (let i = 0; i < roundTrips; i++) {
    const start = performance.now();
    socket.write(REQUEST);
    await until(replyBytes);
    histogram.record(performance.now() - start);
  }
  // pipelined: batches of 100 requests per write, at most 10k requests outstanding
  const batch = Buffer.concat(Array(100).fill(REQUEST));
  const start = performance.now();
  let sent = 0;
  let acked = 0;
  while (acked < pipelined) {
    while (sent < pipelined && sent - acked < 10_000) {
      socket.write(batch);
      sent += 100;
    }
    await until(100 * replyBytes);
    acked += 100;
  }
  const elapsed = performance.now() - start;
  socket.destroy();
  const s = histogram.summary();
  return { p50: s.p50, p99: s.p99, mean: s.mean, opsPerSec: (pipelined / elapsed) * 1000 };
}

/** Direct and proxied runs alternate, three rounds each; each cell is the median of three. */
async function compare(name: string, port: number, replyBytes: number): Promise<string[][]> {
  const proxy = await ChaosProxy.start({ upstream: { host: '127.0.0.1', port }, rng: createRng(1, 'bench') });
  const direct: Result[] = [];
  const proxied: Result[] = [];
  try {
    for (let round = 0; round < 3; round++) {
      direct.push(await measure(port, replyBytes));
      proxied.push(await measure(proxy.port, replyBytes));
    }
  } finally {
    await proxy.close();
  }
  const median = (results: Result[], key: keyof Result) => results.map((r) => r[key]).sort((a, b) => a - b)[1];
  const row = (metric: string, key: keyof Result, format: (n: number) => string) => {
    const d = median(direct, key);
    const p = median(proxied, key);
    return [name, metric, format(d), format(p), `${fixed(p / d, 2)}×`];
  };
  const ms = (n: number) => fixed(n, 3);
  return [
    row('round trip p50 (ms)', 'p50', ms),
    row('round trip p99 (ms)', 'p99', ms),
    row('round trip mean (ms)', 'mean', ms),
    row('pipelined (req/s)', 'opsPerSec', int),
  ];
}

const rows: string[][] = [];
if (serverBinaryAvailable('redis')) {
  const redis = await startPrivateServer('redis');
  try {
    rows.push(...(await compare('redis-server', redis.port, '+PONG\r\n'.length)));
  } finally {
    await redis.stop();
  }
} else {
  console.log('redis-server not on PATH: in-process echo server only');
}
const echo = await startEchoServer();
try {
  rows.push(...(await compare('in-process echo', echo.port, REQUEST.length)));
} finally {
  await echo.close();
}

console.log(heading(`chaos proxy overhead, no toxics (${int(roundTrips)} round trips, ${int(pipelined)} pipelined PINGs)`));
console.log(table(['server', 'metric', 'direct', 'via proxy', 'proxy/direct'], rows));
console.log(`\n  node ${process.version}, ${(await import('node:os')).cpus().length} CPUs`);
