import { dirname, resolve, sep } from 'node:path';
import type { Override } from '../scenario/load-scenario.ts';

/** Flags that override scenario fields, and the field each one sets. */
export interface RunFlags {
  devices?: number;
  accounts?: number;
  seed?: number;
  transport?: string;
  cache?: string;
  cacheUrl?: string;
  cacheModule?: string;
  verify?: string;
  timeScale?: number;
}

export const flagFields: Record<keyof RunFlags, { flag: string; path: string[] }> = {
  devices: { flag: '--devices', path: ['fleet', 'devices'] },
  accounts: { flag: '--accounts', path: ['fleet', 'accounts'] },
  seed: { flag: '--seed', path: ['seed'] },
  transport: { flag: '--transport', path: ['fleet', 'transport'] },
  cache: { flag: '--cache', path: ['cache', 'adapter'] },
  cacheUrl: { flag: '--cache-url', path: ['cache', 'url'] },
  cacheModule: { flag: '--cache-module', path: ['cache', 'module'] },
  verify: { flag: '--verify', path: ['service', 'verify'] },
  timeScale: { flag: '--time-scale', path: ['timeScale'] },
};

/** The given flags as overrides of scenario fields (precedence: flags over the file). */
export function overridesFrom(flags: RunFlags): Override[] {
  return (Object.keys(flagFields) as (keyof RunFlags)[])
    .filter((name) => flags[name] !== undefined)
    .map((name) => ({ path: flagFields[name].path, value: flags[name], origin: `flag ${flagFields[name].flag}` }));
}

export function givenFlags(flags: RunFlags): string[] {
  return (Object.keys(flagFields) as (keyof RunFlags)[]).filter((k) => flags[k] !== undefined).map((k) => flagFields[k].flag);
}

/**
 * How to invoke crosswire again the way it was invoked now: `npx crosswire` where it is an
 * installed package, `npm start --` in a checkout (npm scripts run the pinned Node 24).
 */
export function invocation(script = process.argv[1] ?? '', cwd = process.cwd()): string {
  if (script.includes(`${sep}node_modules${sep}`)) return 'npx crosswire';
  const root = resolve(dirname(script), script.endsWith('.ts') ? '../..' : '..');
  return root === cwd ? 'npm start --' : `npm --prefix ${shellQuote(root)} start --`;
}

/** The one command that re-runs this run: the file, every override, and the seed, always. */
export function reproCommand(file: string | undefined, flags: RunFlags, seed: number, how = invocation()): string {
  const parts = [how === 'npx crosswire' ? `${how} run` : how];
  // `npm --prefix` runs elsewhere: a relative scenario path must not depend on where that is
  if (file) parts.push(shellQuote(how.startsWith('npm --prefix') ? resolve(file) : file));
  for (const name of Object.keys(flagFields) as (keyof RunFlags)[]) {
    if (name === 'seed') continue;
    const value = flags[name];
    if (value !== undefined) parts.push(flagFields[name].flag, shellQuote(String(value)));
  }
  parts.push('--seed', String(seed));
  return parts.join(' ');
}

function shellQuote(text: string): string {
  return /^[\w./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
