import { dirname, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { usageError } from '../errors.ts';
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
  clock?: string;
  broker?: string;
  brokerWsUrl?: string;
  brokerCa?: string;
  brokerCert?: string;
  brokerKey?: string;
  /** `--shard i/N`: run one shard of a sharded run. */
  shard?: string;
  /** `--workers N`: run as N worker processes on this machine. */
  workers?: number;
  /** `--set path=value`, repeatable: any scenario field. */
  set?: string[];
}

type FieldFlag = Exclude<keyof RunFlags, 'set'>;

export const flagFields: Record<FieldFlag, { flag: string; path: string[] }> = {
  devices: { flag: '--devices', path: ['fleet', 'devices'] },
  accounts: { flag: '--accounts', path: ['fleet', 'accounts'] },
  seed: { flag: '--seed', path: ['seed'] },
  transport: { flag: '--transport', path: ['fleet', 'transport'] },
  cache: { flag: '--cache', path: ['cache', 'adapter'] },
  cacheUrl: { flag: '--cache-url', path: ['cache', 'url'] },
  cacheModule: { flag: '--cache-module', path: ['cache', 'module'] },
  verify: { flag: '--verify', path: ['service', 'verify'] },
  timeScale: { flag: '--time-scale', path: ['timeScale'] },
  clock: { flag: '--clock', path: ['clock'] },
  broker: { flag: '--broker', path: ['broker', 'url'] },
  brokerWsUrl: { flag: '--broker-ws-url', path: ['broker', 'wsUrl'] },
  brokerCa: { flag: '--broker-ca', path: ['broker', 'ca'] },
  brokerCert: { flag: '--broker-cert', path: ['broker', 'cert'] },
  brokerKey: { flag: '--broker-key', path: ['broker', 'key'] },
  shard: { flag: '--shard', path: ['shard'] },
  workers: { flag: '--workers', path: ['workers'] },
};


const fieldFlags = Object.keys(flagFields) as FieldFlag[];

/** `--time-scale` ↔ `CROSSWIRE_TIME_SCALE`; `CROSSWIRE_SET` takes `path=value` edits separated by `;`. */
export const envName = (flag: string): string => `CROSSWIRE_${flag.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;

/**
 * Every override, in precedence order (later wins): CROSSWIRE_* environment variables, then
 * flags, then `--set` edits. The scenario file and the defaults are below all of them.
 */
export function overridesFrom(flags: RunFlags, env: NodeJS.ProcessEnv = process.env): Override[] {
  const fromFlags = fieldFlags
    .filter((name) => flags[name] !== undefined)
    .map((name) => ({ path: flagFields[name].path, value: flags[name], origin: `flag ${flagFields[name].flag}` }));
  return [...envOverrides(env), ...fromFlags, ...(flags.set ?? []).map((edit) => setOverride(edit, 'flag --set'))];
}

/**
 * CROSSWIRE_* variables that set no scenario field: the run store's cap, debug output, the test
 * suite's skip policy, and the passphrase an external broker's passwords are derived from.
 */
export const settingVariables = [
  'CROSSWIRE_KEEP_RUNS',
  'CROSSWIRE_DEBUG',
  'CROSSWIRE_ALLOW_SKIPS',
  'CROSSWIRE_BROKER_SECRET',
  'CROSSWIRE_RUN_ID',
  'CROSSWIRE_START_AT',
  'CROSSWIRE_BARRIER_TIMEOUT',
  'CROSSWIRE_TAP_HOST',
  'CROSSWIRE_ADVERTISE_HOST',
  'CROSSWIRE_WORKER_PARENT',
] as const;

/** CROSSWIRE_* variables; an unknown one is an error (a typo would otherwise be ignored silently). */
export function envOverrides(env: NodeJS.ProcessEnv): Override[] {
  const known = new Map(fieldFlags.map((name) => [envName(flagFields[name].flag), name]));
  const out: Override[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('CROSSWIRE_') || raw === undefined || raw === '') continue;
    if ((settingVariables as readonly string[]).includes(name)) continue;
    if (name === 'CROSSWIRE_SET') {
      for (const edit of raw.split(';').filter((e) => e.trim() !== '')) out.push(setOverride(edit.trim(), 'env CROSSWIRE_SET'));
      continue;
    }
    const flag = known.get(name);
    if (flag === undefined) {
      throw usageError('UNKNOWN_ENV', `environment variable ${name} is not one crosswire reads (expected one of: ${[...known.keys(), 'CROSSWIRE_SET', ...settingVariables].join(', ')})`);
    }
    out.push({ path: flagFields[flag].path, value: scalar(raw), origin: `env ${name}` });
  }
  return out;
}

/** `path.to.field=value`; the value is read as YAML, so `500` is a number and `[]` a list. */
export function setOverride(edit: string, origin: string): Override {
  const eq = edit.indexOf('=');
  const path = eq > 0 ? edit.slice(0, eq).trim() : '';
  if (eq <= 0 || !/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(path)) {
    throw usageError('BAD_SET', `${origin} ${JSON.stringify(edit)}: expected path=value, e.g. fleet.devices=500 or timeline.0.at=30s`);
  }
  return { path: path.split('.'), value: scalar(edit.slice(eq + 1)), origin: `${origin} ${path}` };
}

function scalar(text: string): unknown {
  try {
    return parseYaml(text);
  } catch {
    return text;
  }
}

export function givenFlags(flags: RunFlags): string[] {
  return fieldFlags.filter((k) => flags[k] !== undefined).map((k) => flagFields[k].flag);
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

/**
 * The one command that re-runs this run: the file, every override, and the seed, always.
 * Environment overrides become `--set` edits: the environment of the next shell is not this one.
 */
export function reproCommand(file: string | undefined, flags: RunFlags, seed: number, how = invocation(), env: NodeJS.ProcessEnv = {}): string {
  const parts = [how === 'npx crosswire' ? `${how} run` : how];
  // `npm --prefix` runs elsewhere: a relative scenario path must not depend on where that is
  if (file) parts.push(shellQuote(how.startsWith('npm --prefix') ? resolve(file) : file));
  const byFlag = new Set(fieldFlags.filter((k) => flags[k] !== undefined).map((k) => flagFields[k].path.join('.')));
  for (const o of envOverrides(env)) {
    const path = o.path.join('.');
    // a flag beat the variable in this run, and `--set` would beat the flag in the next
    if (path !== 'seed' && !byFlag.has(path)) parts.push('--set', shellQuote(`${path}=${JSON.stringify(o.value)}`));
  }
  for (const name of fieldFlags) {
    if (name === 'seed') continue;
    const value = flags[name];
    if (value !== undefined) parts.push(flagFields[name].flag, shellQuote(String(value)));
  }
  for (const edit of flags.set ?? []) parts.push('--set', shellQuote(edit));
  parts.push('--seed', String(seed));
  return parts.join(' ');
}

function shellQuote(text: string): string {
  return /^[\w./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
