import MQEmitterRedis from 'mqemitter-redis';
import { EmbeddedBroker } from '../src/broker/embedded-broker.ts';
import { main } from '../src/cli/main.ts';
import { Credentials, externalBrokerSecret } from '../src/registry/credentials.ts';
import { Registry } from '../src/registry/registry.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';
import { TcpServerTransport } from '../src/transport/tcp-transport.ts';

/**
 * The prototype of a clustered layout, for bench/broker-per-worker.bench.ts: ONE worker process
 * that serves its own aedes (crosswire's auth and ACL) on loopback TCP, on a message bus shared
 * with the other workers' (mqemitter-redis on a private redis-server), and runs shard i/N of the
 * scenario against it in the same process. Its cameras, viewers and service instance connect to
 * this broker alone; what other shards publish reaches them through the bus.
 *
 * Usage: node bench/clustered-worker.ts <scenario> <i> <N> <redis-url> [crosswire run flags…]
 */
const [file, index, count, redisUrl, ...rest] = process.argv.slice(2);
const { scenario } = await loadScenarioFile(file);
const registry = Registry.generate(scenario.seed, { ...scenario.fleet, identities: scenario.identities });
const credentials = new Credentials(externalBrokerSecret(scenario.seed, process.env.CROSSWIRE_BROKER_SECRET ?? ''));
const transport = new TcpServerTransport('127.0.0.1');
const bus = new URL(redisUrl);
// no ready check: aedes subscribes at once, and ioredis' INFO would meet a subscriber-mode connection
const mq = MQEmitterRedis({ host: bus.hostname, port: Number(bus.port), enableReadyCheck: false });
const broker = await EmbeddedBroker.start(transport, credentials, registry, { ...scenario.broker, mq });
const code = await main(['node', 'crosswire', 'run', file, '--shard', `${index}/${count}`, '--broker', `mqtt://127.0.0.1:${transport.port}`, ...rest]);
await broker.close().catch(() => undefined);
process.exit(code);
