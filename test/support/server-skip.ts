import { serverBinaryAvailable, type ServerKind } from '../../src/servers/private-server.ts';

/**
 * Skip a network test only locally, with the install hint; under CI (process.env.CI) a missing
 * server must fail, since CI installs both.
 */
export function skipWithout(kind: ServerKind): boolean {
  if (serverBinaryAvailable(kind) || process.env.CI) return false;
  const binary = kind === 'redis' ? 'redis-server' : 'memcached';
  console.warn(`skipping ${kind} tests: ${binary} is not on PATH (install it, e.g. apt-get install ${binary})`);
  return true;
}
