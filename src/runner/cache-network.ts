import { createConnection } from 'node:net';
import type { CacheAdapterDefinition } from '../cache/cache-adapter.ts';
import { ChaosProxy } from '../chaos/chaos-proxy.ts';
import { ExitCode } from '../exit-codes.ts';
import { CrosswireError } from '../errors.ts';
import type { CacheProxyControl, CacheServerControl } from '../faults/fault.ts';
import type { Rng } from '../rng/seeded-rng.ts';
import type { Scenario } from '../scenario/schema.ts';
import { probeOnce } from '../servers/loopback.ts';
import { startPrivateServer, type PrivateServer } from '../servers/private-server.ts';

/**
 * The path from the service to a network cache: a private server (unless cache.url names one)
 * and the chaos proxy in front of it (unless cache.proxy is false). The adapter is given the
 * proxy's URL, so every byte between client and server can be delayed, cut or reset; messages
 * about reaching the cache name the server (the URL the user gave), not the proxy.
 */
export interface CacheNetwork {
  /** What the adapter connects to. */
  url: string;
  /** The server behind the proxy. */
  serverUrl: string;
  privateServer: boolean;
  proxy?: CacheProxyControl & { readonly stats: unknown };
  server?: CacheServerControl;
  close(): Promise<void>;
}

export async function openCacheNetwork(definition: CacheAdapterDefinition, cache: Scenario['cache'], rng: Rng): Promise<CacheNetwork | undefined> {
  if (definition.server === undefined) return undefined;
  let server: PrivateServer | undefined;
  let proxy: ChaosProxy | undefined;
  try {
    server = cache.url === undefined ? await startPrivateServer(definition.server) : undefined;
    const serverUrl = cache.url ?? server!.url;
    const target = new URL(serverUrl);
    const upstream = { host: target.hostname, port: Number(target.port) || (defaultPorts[target.protocol] ?? 0) };
    // a server the user named is checked before the proxy stands in front of it: a failure later
    // would name the proxy's port, which the user never gave
    if (cache.url !== undefined) await reachServer(cache.url, upstream);
    if (cache.proxy) proxy = await ChaosProxy.start({ upstream, rng });
    const url = proxy ? `${target.protocol}//${proxy.host}:${proxy.port}` : serverUrl;
    const running = server;
    return {
      url,
      serverUrl,
      privateServer: running !== undefined,
      proxy,
      server: running && { stop: () => running.stop(), start: () => running.restart(), flush: () => flushServer(running) },
      async close() {
        await proxy?.close();
        await running?.stop();
      },
    };
  } catch (error) {
    await proxy?.close();
    await server?.stop();
    throw error;
  }
}

const defaultPorts: Record<string, number> = { 'redis:': 6379, 'rediss:': 6379, 'memcached:': 11211 };

/** How long a user's server may take to accept a connection. */
const REACH_MS = 3000;

/** Opens and closes one TCP connection to the server at cache.url; exit 69 naming the URL if it cannot. */
function reachServer(url: string, target: { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(target);
    const fail = (detail: string) => {
      socket.destroy();
      reject(
        new CrosswireError(
          'CACHE_URL_UNREACHABLE',
          `cache.url ${url}: cannot reach the server (${detail}); start it, or leave it out and crosswire starts a private one`,
          ExitCode.unavailable,
        ),
      );
    };
    socket.setTimeout(REACH_MS, () => fail(`no answer within ${REACH_MS / 1000} s`));
    socket.once('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
  });
}

/**
 * An adapter's error names the URL it was given, which is the chaos proxy's: put the server's
 * in its place (the cache.url the user gave, or the private server), the proxy beside it.
 */
export function namingTheServer(error: CrosswireError, network: CacheNetwork): CrosswireError {
  if (network.url === network.serverUrl || !error.message.includes(network.url)) return error;
  const server = network.privateServer ? `the private server ${network.serverUrl}` : `cache.url ${network.serverUrl}`;
  const message = error.message.replaceAll(network.url, `${server} (through the chaos proxy at ${network.url})`);
  return new CrosswireError(error.code, message, error.exitCode);
}

/** Empties a private server on its own connection (not the client's): a flush the client does not see coming. */
async function flushServer(server: PrivateServer): Promise<void> {
  const [command, reply] = server.kind === 'redis' ? ['FLUSHALL\r\n', '+OK'] : ['flush_all\r\n', 'OK'];
  if (!(await probeOnce(server.port, command, reply, 2000))) throw new Error(`${server.kind} on port ${server.port} did not confirm the flush`);
}
