import type { CacheAdapterDefinition } from '../cache/cache-adapter.ts';
import { ChaosProxy } from '../chaos/chaos-proxy.ts';
import type { CacheProxyControl, CacheServerControl } from '../faults/fault.ts';
import type { Rng } from '../rng/seeded-rng.ts';
import type { Scenario } from '../scenario/schema.ts';
import { probeOnce } from '../servers/loopback.ts';
import { startPrivateServer, type PrivateServer } from '../servers/private-server.ts';

/**
 * The path from the service to a network cache: a private server (unless cache.url names one)
 * and the chaos proxy in front of it (unless cache.proxy is false). The adapter is given the
 * proxy's URL, so every byte between client and server can be delayed, cut or reset.
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
    if (cache.proxy) proxy = await ChaosProxy.start({ upstream: { host: target.hostname, port: Number(target.port) }, rng });
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

/** Empties a private server on its own connection (not the client's): a flush the client does not see coming. */
async function flushServer(server: PrivateServer): Promise<void> {
  const [command, reply] = server.kind === 'redis' ? ['FLUSHALL\r\n', '+OK'] : ['flush_all\r\n', 'OK'];
  if (!(await probeOnce(server.port, command, reply, 2000))) throw new Error(`${server.kind} on port ${server.port} did not confirm the flush`);
}
