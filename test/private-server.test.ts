import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CrosswireError } from '../src/errors.ts';
import { ExitCode } from '../src/exit-codes.ts';
import { serverBinaryAvailable, startPrivateServer } from '../src/servers/private-server.ts';
import { serverRecipes } from '../src/servers/server-binaries.ts';
import { skipWithout } from './support/server-skip.ts';

/**
 * Private redis-server / memcached: loopback, a free port, no persistence (a restart is a cold
 * cache on the same port), nothing left running after stop or after Node dies. Skipped locally
 * when a server is not installed (with what to install), never under CI.
 */
/** Sends raw protocol bytes and collects the reply until `done` says it is complete. */
function exchange(port: number, payload: string, done: (reply: string) => boolean, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = '';
    const socket = createConnection({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete reply to ${JSON.stringify(payload)} within ${timeoutMs} ms (got ${JSON.stringify(reply)})`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (done(reply)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(reply);
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Resolves true once nothing accepts connections on the port (polling, bounded). */
async function refusesWithin(port: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const refused = await exchange(port, '', () => true, 200).then(() => false, (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED');
    if (refused) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const protocol = {
  redis: {
    set: (port: number) => exchange(port, 'SET owner:A acct-A\r\n', (r) => r.endsWith('\r\n')),
    get: (port: number) => exchange(port, 'GET owner:A\r\n', (r) => /^(\$-1|\$\d+\r\n.*)\r\n$/s.test(r)),
    stored: '+OK\r\n',
    found: '$6\r\nacct-A\r\n',
    missing: '$-1\r\n',
  },
  memcached: {
    set: (port: number) => exchange(port, 'set owner:A 0 0 6\r\nacct-A\r\n', (r) => r.endsWith('\r\n')),
    get: (port: number) => exchange(port, 'get owner:A\r\n', (r) => r.endsWith('END\r\n')),
    stored: 'STORED\r\n',
    found: 'VALUE owner:A 0 6\r\nacct-A\r\nEND\r\n',
    missing: 'END\r\n',
  },
} as const;

for (const kind of ['redis', 'memcached'] as const) {
  const skip = skipWithout(kind, `private ${kind} server checks`);
  describe.skipIf(skip)(`private ${kind}${skip ? ` (install ${serverRecipes[kind].binary})` : ''}`, () => {
    const wire = protocol[kind];

    it('starts on a free loopback port, restarts cold on the same port, stops for good', async () => {
      const server = await startPrivateServer(kind);
      try {
        expect(server).toMatchObject({ kind, host: '127.0.0.1', url: `${kind}://127.0.0.1:${server.port}` });
        expect(server.port).toBeGreaterThan(0);
        expect(await wire.set(server.port)).toBe(wire.stored);
        expect(await wire.get(server.port)).toBe(wire.found);

        await server.restart();
        expect(await wire.get(server.port)).toBe(wire.missing); // no persistence: a cold cache

        // stop then restart is an outage: refused in between, back on the same port after
        await server.stop();
        expect(await refusesWithin(server.port, 2000)).toBe(true);
        await server.restart();
        expect(await wire.set(server.port)).toBe(wire.stored);
      } finally {
        await server.stop();
        await server.stop(); // idempotent
      }
      expect(await refusesWithin(server.port, 2000)).toBe(true);
    });

    it('two servers of a kind get two ports', async () => {
      const [a, b] = await Promise.all([startPrivateServer(kind), startPrivateServer(kind)]);
      try {
        expect(a.port).not.toBe(b.port);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    });
  });
}

describe('a missing server binary', () => {
  it('is SERVER_NOT_INSTALLED, exit 69, with what to install and the --cache-url way out', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent-crosswire-bin';
    try {
      for (const kind of ['redis', 'memcached'] as const) {
        expect(serverBinaryAvailable(kind)).toBe(false);
        const error = await startPrivateServer(kind).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(CrosswireError);
        expect(error).toMatchObject({ code: 'SERVER_NOT_INSTALLED', exitCode: ExitCode.unavailable });
        expect((error as Error).message).toBe(
          `${serverRecipes[kind].binary} is not on PATH: install it (e.g. apt-get install ${kind === 'redis' ? 'redis-server' : 'memcached'}), or give --cache-url to use a server you run`,
        );
      }
    } finally {
      process.env.PATH = path;
    }
    expect(ExitCode.unavailable).toBe(69);
  });
});

const redisSkip = skipWithout('redis', 'server clean-up after the Node process dies');
describe.skipIf(redisSkip)('no server outlives the Node process that started it', () => {
  const moduleUrl = pathToFileURL(new URL('../src/servers/private-server.ts', import.meta.url).pathname).href;
  /** A child Node starts a server, prints its port, then ends the way `ending` says. */
  async function portOfServerLeftBy(ending: 'process.exit(0)' | "process.kill(process.pid, 'SIGKILL')"): Promise<number> {
    const code = `const { startPrivateServer } = await import(${JSON.stringify(moduleUrl)});
const server = await startPrivateServer('redis');
process.stdout.write(server.port + '\\n', () => { ${ending}; });`;
    const flags = Number(process.versions.node.split('.')[0]) < 23 ? ['--experimental-strip-types'] : [];
    const child = spawn(process.execPath, [...flags, '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    await new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const port = Number.parseInt(out, 10);
    if (!(port > 0)) throw new Error(`child printed no port: ${out} ${err}`);
    return port;
  }

  it('process.exit: the exit hook kills it at once', async () => {
    const port = await portOfServerLeftBy('process.exit(0)');
    expect(await refusesWithin(port, 1000)).toBe(true);
  });

  it('SIGKILL of Node (no exit hook runs): the watchdog takes it down within seconds', async () => {
    const port = await portOfServerLeftBy("process.kill(process.pid, 'SIGKILL')");
    expect(await refusesWithin(port, 6000)).toBe(true);
  });
});
