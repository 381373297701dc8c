import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CrosswireError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';

/** The cache servers crosswire can start privately for a run or a test. */
export type ServerKind = 'redis' | 'memcached';

export interface ServerRecipe {
  binary: string;
  /** Command-line for a throwaway, loopback-only, non-persistent server. */
  args(port: number, dir: string): string[];
  /** What to send, and what the reply starts with, to know the server really answers. */
  probe: { send: string; expect: string };
  installHint: string;
}

const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export const serverRecipes: Readonly<Record<ServerKind, ServerRecipe>> = {
  redis: {
    binary: 'redis-server',
    // no RDB, no AOF: a restart is a cold, empty cache, which is what the cache-restart fault means
    args: (port, dir) => [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--protected-mode', 'yes', '--daemonize', 'no', '--dir', dir,
    ],
    probe: { send: 'PING\r\n', expect: '+PONG' },
    installHint: 'apt-get install redis-server',
  },
  memcached: {
    binary: 'memcached',
    // -U 0: no UDP listener; memcached refuses to run as root unless told which user to become
    args: (port) => [
      '-p', String(port), '-l', '127.0.0.1', '-U', '0', '-m', '256',
      ...(runningAsRoot ? ['-u', 'nobody'] : []),
    ],
    probe: { send: 'version\r\n', expect: 'VERSION' },
    installHint: 'apt-get install memcached',
  },
};

/** Absolute path of an executable found on PATH (read at call time), or undefined. */
export function findOnPath(binary: string, path: string = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** For tests: skip (with the install hint) when the server is not installed. */
export function serverBinaryAvailable(kind: ServerKind): boolean {
  return findOnPath(serverRecipes[kind].binary) !== undefined;
}

export function serverNotInstalled(kind: ServerKind): CrosswireError {
  const { binary, installHint } = serverRecipes[kind];
  return new CrosswireError(
    'SERVER_NOT_INSTALLED',
    `${binary} is not on PATH: install it (e.g. ${installHint}), or give --cache-url to use a server you run`,
    ExitCode.unavailable,
  );
}

/** Resolves the binary or throws the actionable not-installed error (exit 69). */
export function requireBinary(kind: ServerKind): string {
  const path = findOnPath(serverRecipes[kind].binary);
  if (path === undefined) throw serverNotInstalled(kind);
  return path;
}
