import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A project of a user's own, outside this checkout, that installed crosswire from the tarball
 * `npm pack` makes. It installs offline: its lockfile pins crosswire's dependencies (and the
 * project's own ioredis) at the versions this checkout's lockfile has, which `npm ci` here put
 * in the local npm cache, so no registry is asked.
 */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** An environment for the user's shell: Node 24 first on PATH, none of the outer npm's settings. */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key) && !key.startsWith('CROSSWIRE_') && !key.startsWith('VITEST')) env[key] = value;
  return { ...env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1', npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...extra };
}

/** Runs a command in `cwd` as the user would type it; killed after `timeoutMs`. */
export function sh(command: string, args: readonly string[], cwd: string, timeoutMs = 120_000, env: NodeJS.ProcessEnv = userEnv()): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `npm pack` of this checkout (its `prepare` builds dist/ from the sources as they are) into `dir`; the tarball's path. */
export async function packCrosswire(dir: string): Promise<string> {
  const r = await sh('npm', ['pack', '--pack-destination', dir, '--silent'], ROOT, 240_000);
  if (r.code !== 0) throw new Error(`npm pack failed (${r.code}): ${r.stderr}`);
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack wrote no tarball: ${r.stdout}`);
  return join(dir, tarball);
}

interface LockEntry {
  dev?: boolean;
  [field: string]: unknown;
}

/**
 * A project in `dir` with crosswire (from `tarball`) and ioredis as devDependencies, installed by
 * `npm ci --offline` from a lockfile made of this checkout's: its non-dev packages are exactly
 * what crosswire's own dependencies resolve to.
 */
export async function installUserProject(dir: string, tarball: string): Promise<Ran> {
  const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; license: string; dependencies: Record<string, string>; bin: unknown; engines: unknown };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const name = 'crosswire.tgz';
  await copyFile(tarball, join(dir, name));
  const integrity = `sha512-${createHash('sha512').update(readFileSync(join(dir, name))).digest('base64')}`;
  const devDependencies = { crosswire: `file:${name}`, ioredis: own.dependencies.ioredis! };
  const packages: Record<string, LockEntry> = { '': { name: 'camera-cloud', version: '1.0.0', devDependencies } };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== '' && !entry.dev) packages[path] = { ...entry, dev: true };
  packages['node_modules/crosswire'] = { version: own.version, resolved: `file:${name}`, integrity, dev: true, license: own.license, dependencies: own.dependencies, bin: own.bin, engines: own.engines };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'camera-cloud', version: '1.0.0', private: true, type: 'module', devDependencies }, null, 2));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: 'camera-cloud', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
  return sh('npm', ['ci', '--offline', '--no-audit', '--no-fund'], dir, 180_000);
}
