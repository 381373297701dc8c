import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { CacheAdapter } from '../cache/cache-adapter.ts';
import { adversarialKeys } from './adversarial-keys.ts';

/**
 * The conformance suite every cache adapter passes, built-in or user-written. Framework-agnostic:
 * it returns one result per check; `assertCacheAdapterContract` throws for use in any runner.
 * Each check gets a fresh adapter (closed afterwards) and its own key namespace, so one failure
 * cannot cascade and two adapters can share one server.
 */
export interface ContractResult {
  name: ContractCheckName;
  ok: boolean;
  detail: string;
  durationMs: number;
}

export interface ContractOptions {
  /** Extra wait past a TTL before the value must be gone: the store's expiry granularity
   * (memcached counts whole seconds: give 1000). Default 100. */
  ttlResolutionMs?: number;
  /** TTL used by the expiry check. Default 1500 ms. */
  ttlMs?: number;
  /** Bound on any single check; a hanging adapter fails the check instead of the suite. */
  checkTimeoutMs?: number;
}

export type AdapterFactory = () => Promise<CacheAdapter> | CacheAdapter;

type Check = (adapter: CacheAdapter, ns: string, options: Required<ContractOptions>) => Promise<string>;

class ContractFailure extends Error {}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new ContractFailure(message);
}

function show(value: string | undefined): string {
  if (value === undefined) return 'undefined';
  return value.length > 60 ? `${JSON.stringify(value.slice(0, 60))}… (${value.length} chars)` : JSON.stringify(value);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`'s value, or `fallback` after `ms`; the timer is cleared so nothing lingers. */
async function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

const checks = {
  'missing-key': async (adapter, ns) => {
    const got = await adapter.get(`${ns}never-set`);
    expect(got === undefined, `get of a key never set returned ${show(got)}, expected undefined`);
    return 'get of a missing key is undefined';
  },
  'round-trip': async (adapter, ns) => {
    const values: Record<string, string> = {
      ascii: 'owner:acct-42',
      unicode: 'Zoë — 📷 カメラ ünïcödé \u0301 \u{1F9EA}',
      empty: '',
      large: 'x'.repeat(100 * 1024 - 16) + '|end-marker|',
      binaryish: '\u0000\u0001\r\n\t "quoted" \\',
    };
    // one key at a time: this check is about value fidelity, not key handling
    for (const [label, value] of Object.entries(values)) {
      await adapter.set(`${ns}${label}`, value);
      const got = await adapter.get(`${ns}${label}`);
      expect(got === value, `${label} value came back as ${show(got)}, expected ${show(value)}`);
    }
    return `exact round trip of ${Object.keys(values).join(', ')} (100 KB)`;
  },
  overwrite: async (adapter, ns) => {
    await adapter.set(`${ns}k`, 'first');
    await adapter.set(`${ns}k`, 'second');
    const got = await adapter.get(`${ns}k`);
    expect(got === 'second', `after overwrite get returned ${show(got)}, expected "second"`);
    return 'the last set wins';
  },
  delete: async (adapter, ns) => {
    await adapter.set(`${ns}k`, 'v');
    await adapter.delete(`${ns}k`);
    const got = await adapter.get(`${ns}k`);
    expect(got === undefined, `after delete get returned ${show(got)}, expected undefined`);
    return 'a deleted key reads as missing';
  },
  'delete-missing': async (adapter, ns) => {
    await adapter.delete(`${ns}never-set`);
    return 'delete of a missing key resolves';
  },
  ttl: async (adapter, ns, options) => {
    await adapter.set(`${ns}forever`, 'kept');
    for (let attempt = 1; ; attempt++) {
      const setAt = performance.now();
      await adapter.set(`${ns}short`, 'short-lived', options.ttlMs);
      const early = await adapter.get(`${ns}short`);
      if (early === 'short-lived') break;
      // only a stalled event loop (a loaded machine) that let the ttl run out between the set and
      // the get excuses a miss here: then the check is tried again, at most three times
      const stalled = performance.now() - setAt >= options.ttlMs;
      expect(stalled && attempt < 3, `right after set with ttl ${options.ttlMs} ms get returned ${show(early)}`);
    }
    await sleep(options.ttlMs + options.ttlResolutionMs);
    const late = await adapter.get(`${ns}short`);
    expect(late === undefined, `${options.ttlMs + options.ttlResolutionMs} ms after set with ttl ${options.ttlMs} ms get returned ${show(late)}, expected undefined`);
    const kept = await adapter.get(`${ns}forever`);
    expect(kept === 'kept', `a value set without ttl was gone (${show(kept)})`);
    return `gone ${options.ttlMs}+${options.ttlResolutionMs} ms after set; no-ttl value kept`;
  },
  concurrency: async (adapter, ns) => {
    // every value embeds its key, so a reply handed to the wrong request is visible
    const keys = Array.from({ length: 100 }, (_, i) => `${ns}dev-${i}`);
    const written = new Map(keys.map((key) => [key, new Set([`${key}|v0`])]));
    await Promise.all(keys.map((key) => adapter.set(key, `${key}|v0`)));
    const wrong: string[] = [];
    await Promise.all(
      Array.from({ length: 500 }, async (_, i) => {
        const key = keys[(i * 37) % keys.length];
        if (i % 2 === 1) {
          written.get(key)!.add(`${key}|v${i}`);
          return adapter.set(key, `${key}|v${i}`);
        }
        const got = await adapter.get(key);
        if (got === undefined || !got.startsWith(`${key}|`)) wrong.push(`${key.slice(ns.length)} → ${show(got)}`);
      }),
    );
    expect(wrong.length === 0, `${wrong.length} of 250 concurrent gets returned another key's value or nothing: ${wrong.slice(0, 3).join('; ')}`);
    const finals = await Promise.all(keys.map(async (key) => [key, await adapter.get(key)] as const));
    const lost = finals.filter(([key, got]) => got === undefined || !written.get(key)!.has(got));
    expect(lost.length === 0, `${lost.length} keys ended with a value never written to them: ${lost.slice(0, 3).map(([k, v]) => `${k.slice(ns.length)} → ${show(v)}`).join('; ')}`);
    return '500 concurrent gets/sets over 100 keys: every get got its own key\'s value';
  },
  'adversarial-keys': async (adapter, ns) => {
    const keys = adversarialKeys(ns);
    for (const key of keys) await adapter.set(key, `value-of:${key}`);
    const wrong: string[] = [];
    for (const key of keys) {
      const got = await adapter.get(key);
      if (got !== `value-of:${key}`) wrong.push(`${show(key.slice(ns.length))} → ${show(got)}`);
    }
    expect(wrong.length === 0, `${wrong.length} of ${keys.length} keys read back another key's value (collision) or nothing: ${wrong.slice(0, 3).join('; ')}`);
    // deleting one of two near-identical keys must leave the other alone
    const [a, b] = [keys[keys.length - 2], keys[keys.length - 1]];
    await adapter.delete(a);
    const other = await adapter.get(b);
    expect(other === `value-of:${b}`, `deleting a key also removed a key that differs only in its last character`);
    return `${keys.length} long/unicode/separator/shared-prefix keys stayed distinct`;
  },
  flush: async (adapter, ns) => {
    // optional: a network cache is flushed at its server, so its adapter need not offer one
    if (adapter.flush === undefined) return 'no flush(): the cache-flush fault acts on the server';
    await adapter.set(`${ns}a`, 'va');
    await adapter.set(`${ns}b`, 'vb');
    await adapter.flush();
    const [a, b] = [await adapter.get(`${ns}a`), await adapter.get(`${ns}b`)];
    expect(a === undefined && b === undefined, `after flush get returned ${show(a)} and ${show(b)}, expected undefined`);
    await adapter.set(`${ns}a`, 'again');
    const again = await adapter.get(`${ns}a`);
    expect(again === 'again', `a set after flush read back as ${show(again)}`);
    return 'flush empties the cache; it works as before afterwards';
  },
  close: async (adapter, ns) => {
    await adapter.set(`${ns}k`, 'v');
    await adapter.close();
    await adapter.close();
    // an operation on a closed adapter must settle promptly: rejecting says "closed"
    const outcome = await within(
      adapter.get(`${ns}k`).then((value) => `resolved ${show(value)}`, (error: Error) => `rejected (${error.message})`),
      2000,
      'hung',
    );
    expect(outcome !== 'hung', 'get on a closed adapter neither resolved nor rejected within 2 s');
    return `close resolves twice; get after close ${outcome}`;
  },
} satisfies Record<string, Check>;

export type ContractCheckName = keyof typeof checks;
export const contractCheckNames = Object.keys(checks) as ContractCheckName[];

async function runCheck(name: ContractCheckName, create: AdapterFactory, options: Required<ContractOptions>): Promise<ContractResult> {
  const started = performance.now();
  const ns = `contract:${randomBytes(4).toString('hex')}:${name}:`;
  let adapter: CacheAdapter | undefined;
  let timer: NodeJS.Timeout | undefined;
  let finished = false;
  const finish = (ok: boolean, detail: string): ContractResult => ({ name, ok, detail, durationMs: Math.round(performance.now() - started) });
  try {
    const body = (async () => {
      const created = await create();
      // created only after the check timed out: nobody else will close it
      if (finished) {
        await created.close();
        return 'closed: created after the check timed out';
      }
      adapter = created;
      return checks[name](created, ns, options);
    })();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ContractFailure(`did not finish within ${options.checkTimeoutMs} ms`)), options.checkTimeoutMs);
    });
    body.catch(() => {}); // settled late, after a timeout: already reported
    return finish(true, await Promise.race([body, timeout]));
  } catch (error) {
    const prefix = error instanceof ContractFailure ? '' : 'threw: ';
    return finish(false, prefix + ((error as Error)?.message ?? String(error)));
  } finally {
    finished = true;
    clearTimeout(timer);
    // close again even after the close check: a second close must be harmless anyway
    const opened = adapter as CacheAdapter | undefined;
    if (opened !== undefined) await within(Promise.resolve().then(() => opened.close()).catch(() => {}), 2000, undefined);
  }
}

/** Runs every check in order against fresh adapters from `create`; never throws. */
export async function runCacheAdapterContract(create: AdapterFactory, options: ContractOptions = {}): Promise<ContractResult[]> {
  const resolved: Required<ContractOptions> = {
    ttlResolutionMs: options.ttlResolutionMs ?? 100,
    ttlMs: options.ttlMs ?? 1500,
    checkTimeoutMs: options.checkTimeoutMs ?? 15_000,
  };
  const results: ContractResult[] = [];
  for (const name of contractCheckNames) results.push(await runCheck(name, create, resolved));
  return results;
}

/** Like runCacheAdapterContract, but throws an Error listing every failed check. */
export async function assertCacheAdapterContract(create: AdapterFactory, options: ContractOptions = {}): Promise<ContractResult[]> {
  const results = await runCacheAdapterContract(create, options);
  const failed = results.filter((result) => !result.ok);
  if (failed.length > 0) {
    throw new Error(`cache adapter contract: ${failed.length} of ${results.length} checks failed:\n${failed.map((f) => `  ✗ ${f.name}: ${f.detail}`).join('\n')}`);
  }
  return results;
}
